import request from 'supertest';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const ADMIN_EMAIL = 'boss@example.test';

// No Redis here on purpose: `announcements` is one global channel, and the test
// Redis is shared by parallel test files with their own databases.
describe('announcements (docs/protocol.md: channels, commands and events; REST)', () => {
  let t: TestApp;
  let admin: RegisteredUser;
  let user: RegisteredUser;
  const open: TestSocket[] = [];
  const socket = async (u?: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, u ? { token: u.accessToken } : {});
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_EMAILS: ADMIN_EMAIL, WS_RATE_LIMIT: '100000' } });
    admin = await registerUser(t.baseUrl, { email: ADMIN_EMAIL });
    user = await registerUser(t.baseUrl);
    expect(admin.role).toBe('admin');
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('admins publish over both transports; everyone receives announcement.created, anonymous sockets included', async () => {
    const anon = await socket();
    const member = await socket(user);
    for (const s of [anon, member])
      await expect(s.request('subscribe', { channel: 'announcements' })).resolves.toMatchObject({
        type: 'subscribed',
        channel: 'announcements',
        offset: 0,
      });
    const a = await socket(admin);
    const ack = await a.request('announcement.publish', {
      data: { title: 'Maintenance', body: 'Tonight at 22:00' },
    });
    expect(ack).toEqual({
      type: 'ack',
      id: ack.id,
      data: {
        id: expect.any(String),
        title: 'Maintenance',
        body: 'Tonight at 22:00',
        authorId: admin.id,
        expiresAt: null,
        createdAt: expect.any(String),
      },
    });
    const rest = await request(t.baseUrl)
      .post('/api/announcements')
      .set(bearer(admin))
      .send({ title: 'Welcome', body: 'Hello all', expiresAt: '2099-01-01T00:00:00Z' });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ title: 'Welcome', expiresAt: '2099-01-01T00:00:00.000Z' });
    for (const s of [anon, member]) {
      const events = await s.waitEvents('announcements', 2);
      expect(events.map((e) => [e.event, e.offset, (e.data as { title: string }).title])).toEqual([
        ['announcement.created', 1, 'Maintenance'],
        ['announcement.created', 2, 'Welcome'],
      ]);
      expect(events[0].data).toEqual(ack.data);
    }
    // An anonymous client catches up from an offset, like anyone else.
    const late = await socket();
    await expect(
      late.request('subscribe', { channel: 'announcements', since: 1 }),
    ).resolves.toMatchObject({
      type: 'subscribed',
      offset: 2,
      recovered: true,
    });
    const [replayed] = await late.waitEvents('announcements', 1);
    expect(replayed).toMatchObject({ offset: 2, data: { title: 'Welcome' } });
  });

  it('non-admins are FORBIDDEN on both transports, anonymous callers UNAUTHORIZED; nothing is published', async () => {
    const before = (await request(t.baseUrl).get('/api/announcements')).body.items.length;
    const s = await socket(user);
    await expect(
      s.request('announcement.publish', { data: { title: 'x', body: 'y' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    const res = await request(t.baseUrl)
      .post('/api/announcements')
      .set(bearer(user))
      .send({ title: 'x', body: 'y' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    const anon = await socket();
    await expect(
      anon.request('announcement.publish', { data: { title: 'x', body: 'y' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect(
      (await request(t.baseUrl).post('/api/announcements').send({ title: 'x', body: 'y' })).status,
    ).toBe(401);
    expect((await request(t.baseUrl).get('/api/announcements')).body.items).toHaveLength(before);
  });

  it('GET /api/announcements lists active ones without a token, newest first; expired ones drop out', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const res = await request(t.baseUrl)
      .post('/api/announcements')
      .set(bearer(admin))
      .send({ title: 'Short-lived', body: 'gone soon', expiresAt: soon });
    expect(res.status).toBe(201);
    const list = await request(t.baseUrl).get('/api/announcements');
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ id: res.body.id, title: 'Short-lived' });
    const titles = list.body.items.map((a: { title: string }) => a.title);
    expect(titles.indexOf('Welcome')).toBeLessThan(titles.indexOf('Maintenance'));
    await expectEventually(
      async () => {
        const again = await request(t.baseUrl).get('/api/announcements');
        expect(again.body.items.map((a: { id: string }) => a.id)).not.toContain(res.body.id);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  it('validation: missing fields, unknown fields and a past expiresAt are 400', async () => {
    for (const body of [
      { body: 'no title' },
      { title: '', body: 'x' },
      { title: 'x', body: 'y', pinned: true },
      { title: 'x', body: 'y', expiresAt: 'soon' },
      { title: 'x', body: 'y', expiresAt: '2000-01-01T00:00:00Z' },
    ]) {
      const res = await request(t.baseUrl).post('/api/announcements').set(bearer(admin)).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'BAD_REQUEST', details: expect.any(Array) });
    }
  });
});
