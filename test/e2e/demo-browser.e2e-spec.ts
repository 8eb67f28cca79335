import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import {
  browserSuiteBlocker,
  connectionIs,
  expectCount,
  launchBrowser,
  logIn,
  openApp,
  screenshot,
  type BrowserUser,
} from '../helpers/browser.js';
import { createConversation, sendRest, type ConversationBody } from '../helpers/chat-helpers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, type RegisteredUser } from '../helpers/users.js';

/**
 * The demo app (demo/, built into dist/demo) in Debian's Chromium, driven by
 * playwright-core, against the real server on a real PostgreSQL: each browser
 * context is one user with their own storage and network.
 */

const ADMIN_EMAIL = 'admin@demo.test';
const blocker = browserSuiteBlocker();
if (blocker && !blocker.fatal) {
  // Skipped, but said out loud: a silent skip would pass for a green browser suite.
  console.warn(`[demo-browser] SKIPPED: ${blocker.message}`);
}

/** The messages of the open conversation that contain `text`. */
function messages(page: Page, text: string) {
  return page.getByTestId('chat').getByTestId('message').filter({ hasText: text });
}

/** Waits for the open conversation to show exactly `expected`, in this order. */
async function expectMessages(page: Page, expected: string[]): Promise<void> {
  const texts = page.getByTestId('chat').getByTestId('message-text');
  expect(await expectCount(texts, expected.length)).toEqual(expected);
}

/** Types a message in the composer and sends it with Enter. */
async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
}

function column(page: Page, title: string) {
  return page.locator(`[data-testid="column"][data-title="${title}"]`);
}

(blocker?.fatal === false ? describe.skip : describe)('demo app in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  let ada: RegisteredUser;
  let bob: RegisteredUser;
  let admin: RegisteredUser;
  let conv: ConversationBody;
  let adaTab: BrowserUser;
  let bobTab: BrowserUser;
  const started = Date.now();

  beforeAll(async () => {
    if (blocker) throw new Error(blocker.message);
    [app, browser] = await Promise.all([
      startTestApp({ env: { ADMIN_EMAILS: ADMIN_EMAIL } }),
      launchBrowser(),
    ]);
    [ada, bob, admin] = await Promise.all([
      registerUser(app.baseUrl, { displayName: 'Ada' }),
      registerUser(app.baseUrl, { displayName: 'Bob' }),
      registerUser(app.baseUrl, { email: ADMIN_EMAIL, displayName: 'Admin' }),
    ]);
    conv = await createConversation(app.baseUrl, ada, [bob]);
    [adaTab, bobTab] = await Promise.all([
      openApp(browser, app.baseUrl),
      openApp(browser, app.baseUrl),
    ]);
    await Promise.all([
      logIn(adaTab.page, ada.email, ada.password),
      logIn(bobTab.page, bob.email, bob.password),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    console.log(`[demo-browser] suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterEach(() => {
    // A script error in either page fails the test during which it happened.
    const errors = [...(adaTab?.pageErrors ?? []), ...(bobTab?.pageErrors ?? [])];
    adaTab?.pageErrors.splice(0);
    bobTab?.pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('is served at / beside the API, whose unknown paths keep their JSON 404', async () => {
    const page = await request(app.baseUrl).get('/').expect(200);
    expect(page.text).toContain('<div id="app">');
    const missing = await request(app.baseUrl).get('/api/nope').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    await request(app.baseUrl).get('/health/live').expect(200);
    await request(app.baseUrl).get('/docs').expect(200);
  });

  it('two users chat live: messages, typing, read receipts and an announcement', async () => {
    await Promise.all([
      adaTab.page.goto(`/#/chat/${conv.id}`),
      bobTab.page.goto(`/#/chat/${conv.id}`),
    ]);

    await sendMessage(adaTab.page, 'Hello Bob');
    await messages(bobTab.page, 'Hello Bob').waitFor();

    // Bob types without sending: Ada sees it, and his read receipt of her message.
    await bobTab.page.getByLabel('Message').pressSequentially('Hi', { delay: 20 });
    await adaTab.page.getByTestId('typing').filter({ hasText: 'Bob is typing' }).waitFor();
    await adaTab.page.getByTestId('seen').filter({ hasText: 'Seen by Bob' }).waitFor();
    await request(app.baseUrl)
      .post('/api/announcements')
      .set(bearer(admin))
      .send({ title: 'Maintenance tonight', body: 'The service restarts at 22:00 UTC.' })
      .expect(201);
    for (const tab of [adaTab, bobTab]) {
      await tab.page
        .getByTestId('announcement')
        .filter({ hasText: 'Maintenance tonight' })
        .waitFor();
    }
    await screenshot(adaTab.page, 'chat-live');

    await bobTab.page.getByLabel('Message').pressSequentially(' Ada');
    await bobTab.page.getByLabel('Message').press('Enter');
    await messages(adaTab.page, 'Hi Ada').waitFor();
    await expectMessages(adaTab.page, ['Hello Bob', 'Hi Ada']);
    await expectCount(adaTab.page.getByTestId('typing').filter({ hasText: 'typing' }), 0);
  });

  it('a user offline misses messages, then shows each of them exactly once', async () => {
    await bobTab.context.setOffline(true);
    await connectionIs(bobTab.page, 'offline');

    for (const text of ['missed 1', 'missed 2', 'missed 3']) await sendMessage(adaTab.page, text);
    await messages(adaTab.page, 'missed 3').waitFor();
    // Sent while offline: queued by the client, shown as pending meanwhile.
    await sendMessage(bobTab.page, 'sent while offline');
    await bobTab.page.getByTestId('pending').filter({ hasText: 'sent while offline' }).waitFor();
    expect(await messages(bobTab.page, 'missed').count()).toBe(0);
    await screenshot(bobTab.page, 'chat-bob-offline');

    await bobTab.context.setOffline(false);
    await connectionIs(bobTab.page, 'open');
    await messages(bobTab.page, 'sent while offline').waitFor();
    await messages(adaTab.page, 'sent while offline').waitFor();
    // Every message once, in order, on both sides (the replay overlaps nothing twice).
    for (const tab of [bobTab, adaTab]) {
      await expectMessages(tab.page, [
        'Hello Bob',
        'Hi Ada',
        'missed 1',
        'missed 2',
        'missed 3',
        'sent while offline',
      ]);
      await expectCount(tab.page.getByTestId('pending'), 0);
    }
    await screenshot(bobTab.page, 'chat-bob-back-online');
    await screenshot(adaTab.page, 'chat-ada-after-resume');
  });

  it('a new conversation counts its unread messages live, and its history pages back', async () => {
    const adminConv = await createConversation(app.baseUrl, admin, [bob]);
    // More than one page (30): the oldest five come with "Load older messages".
    for (let i = 1; i <= 35; i++) await sendRest(app.baseUrl, admin, adminConv.id, `update ${i}`);
    const entry = bobTab.page.getByTestId('conversation').filter({ hasText: 'Admin' });
    await entry.getByTestId('unread').filter({ hasText: '35' }).waitFor();

    await entry.click();
    await messages(bobTab.page, 'update 35').waitFor();
    await expectCount(bobTab.page.getByTestId('chat').getByTestId('message-text'), 30);
    await expectCount(entry.getByTestId('unread'), 0);
    await bobTab.page.getByRole('button', { name: 'Load older messages' }).click();
    await expectMessages(
      bobTab.page,
      Array.from({ length: 35 }, (_, i) => `update ${i + 1}`),
    );
    await expectCount(bobTab.page.getByRole('button', { name: 'Load older messages' }), 0);
  });

  it('a card dragged on one screen moves on the other, and a stale move is a conflict', async () => {
    const res = await request(app.baseUrl)
      .post('/api/boards')
      .set(bearer(ada))
      .send({ name: 'Launch' });
    const boardId = (res.body as { id: string }).id;
    await request(app.baseUrl)
      .post(`/api/boards/${boardId}/members`)
      .set(bearer(ada))
      .send({ userId: bob.id, role: 'editor' })
      .expect(201);
    const todo = await request(app.baseUrl)
      .post(`/api/boards/${boardId}/columns`)
      .set(bearer(ada))
      .send({ title: 'To do' })
      .expect(201);
    await request(app.baseUrl)
      .post(`/api/boards/${boardId}/columns`)
      .set(bearer(ada))
      .send({ title: 'Done' })
      .expect(201);
    for (const title of ['Write the docs', 'Ship it']) {
      await request(app.baseUrl)
        .post(`/api/boards/${boardId}/cards`)
        .set(bearer(ada))
        .send({ columnId: (todo.body as { id: string }).id, title })
        .expect(201);
    }
    await Promise.all([
      adaTab.page.goto(`/#/board/${boardId}`),
      bobTab.page.goto(`/#/board/${boardId}`),
    ]);
    await column(bobTab.page, 'To do').getByTestId('card').filter({ hasText: 'Ship it' }).waitFor();

    const card = (page: Page) => page.getByTestId('card').filter({ hasText: 'Write the docs' });
    await card(adaTab.page).dragTo(column(adaTab.page, 'Done').locator('ol'));
    await column(bobTab.page, 'Done')
      .getByTestId('card')
      .filter({ hasText: 'Write the docs' })
      .waitFor();
    await expectCount(column(bobTab.page, 'To do').getByTestId('card'), 1);
    await screenshot(bobTab.page, 'board-bob');

    // Ada, offline, still sees "Ship it" in To do while Bob moves it: her move
    // goes out with the old version once she is back, and is refused.
    await adaTab.context.setOffline(true);
    await connectionIs(adaTab.page, 'offline');
    await bobTab.page
      .getByTestId('card')
      .filter({ hasText: 'Ship it' })
      .dragTo(column(bobTab.page, 'Done').locator('ol'));
    await column(bobTab.page, 'Done').getByTestId('card').filter({ hasText: 'Ship it' }).waitFor();
    await adaTab.page
      .getByTestId('card')
      .filter({ hasText: 'Ship it' })
      .dragTo(column(adaTab.page, 'Done').getByTestId('card').first(), {
        targetPosition: { x: 10, y: 2 },
      });
    await adaTab.context.setOffline(false);
    await adaTab.page
      .getByTestId('notice')
      .filter({ hasText: 'changed by someone else' })
      .waitFor();
    // Both screens agree with the server's board.
    for (const tab of [adaTab, bobTab]) {
      expect(await expectCount(column(tab.page, 'Done').getByTestId('card'), 2)).toEqual([
        'Write the docs',
        'Ship it',
      ]);
    }
  });

  it('an event added to a shared calendar shows in both week views', async () => {
    const res = await request(app.baseUrl)
      .post('/api/calendars')
      .set(bearer(ada))
      .send({ name: 'Team' })
      .expect(201);
    const calendarId = (res.body as { id: string }).id;
    await request(app.baseUrl)
      .post(`/api/calendars/${calendarId}/shares`)
      .set(bearer(ada))
      .send({ userId: bob.id, access: 'read' })
      .expect(201);
    await Promise.all([
      adaTab.page.goto(`/#/calendar/${calendarId}`),
      bobTab.page.goto(`/#/calendar/${calendarId}`),
    ]);
    await bobTab.page.getByRole('button', { name: 'This week' }).waitFor();

    // The form starts on today, in this week: the event lands in the week shown.
    await adaTab.page.getByLabel('Event title').fill('Planning');
    await adaTab.page.getByLabel('Starts').fill('09:30');
    await adaTab.page.getByLabel('Ends').fill('10:30');
    await adaTab.page.getByRole('button', { name: 'Add event' }).click();
    await bobTab.page.getByTestId('event').filter({ hasText: 'Planning' }).waitFor();
    await expectCount(adaTab.page.getByTestId('event'), 1);
    await screenshot(bobTab.page, 'calendar-bob');
  });

  it('the notification bell counts what an admin sends, and reading lowers it', async () => {
    // A new user, signed up through the form: the bell starts empty.
    const carolTab = await openApp(browser, app.baseUrl);
    try {
      const page = carolTab.page;
      await page.getByRole('button', { name: 'New here? Sign up' }).click();
      await page.getByLabel('Email').fill('carol@demo.test');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByLabel('Display name').fill('Carol');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await connectionIs(page, 'open');
      await expectCount(page.getByTestId('bell-count'), 0);
      const me = await request(app.baseUrl)
        .post('/api/auth/login')
        .send({ email: 'carol@demo.test', password: 'correct horse battery' })
        .expect(200);
      const carolId = (me.body as { user: { id: string } }).user.id;

      for (const [i, title] of ['Welcome', 'Your report is ready'].entries()) {
        await request(app.baseUrl)
          .post('/api/notifications')
          .set(bearer(admin))
          .send({ userId: carolId, title, body: `Notification ${i + 1}` })
          .expect(201);
        await page
          .getByTestId('bell-count')
          .filter({ hasText: String(i + 1) })
          .waitFor();
      }
      await page.getByRole('button', { name: /Notifications: 2 unread/ }).click();
      await expectCount(page.getByTestId('notification'), 2);
      await screenshot(page, 'bell-carol');
      await page.getByTestId('notification').filter({ hasText: 'Welcome' }).click();
      await page.getByTestId('bell-count').filter({ hasText: '1' }).waitFor();
      expect(carolTab.pageErrors).toEqual([]);
    } finally {
      await carolTab.context.close();
    }
  });
});
