import request from 'supertest';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';

const LIMIT = 5;

/**
 * The security issue: anyone could push notifications to anyone through
 * calendar invites and conversation adds, 100 at a time. One budget of people
 * per user and window (INVITE_RATE_LIMIT per INVITE_RATE_WINDOW_MS) for both.
 */
describe('invitations per user and time', () => {
  let t: TestApp;
  let people: RegisteredUser[];
  beforeAll(async () => {
    t = await startTestApp({
      env: { INVITE_RATE_LIMIT: String(LIMIT), INVITE_RATE_WINDOW_MS: '3600000' },
    });
    people = [];
    for (let i = 0; i < 9; i++) people.push(await registerUser(t.baseUrl));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('spends one budget across conversation adds and calendar invites, and refuses past it with nothing written', async () => {
    const [spammer, ...targets] = people;
    const group = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(spammer))
      .send({ participantIds: targets.slice(0, 3).map((u) => u.id), title: 'spam' });
    expect(group.status).toBe(201); // 3 of 5
    const refused = await request(t.baseUrl)
      .post(`/api/conversations/${group.body.id}/participants`)
      .set(bearer(spammer))
      .send({ userIds: targets.slice(3, 6).map((u) => u.id) });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const conversation = await request(t.baseUrl).get(`/api/conversations`).set(bearer(targets[0]));
    expect(conversation.body.items[0].participantIds).toHaveLength(4);

    const calendar = await request(t.baseUrl)
      .post('/api/calendars')
      .set(bearer(spammer))
      .send({ name: 'spam' });
    const invite = (attendees: RegisteredUser[]) =>
      request(t.baseUrl)
        .post(`/api/calendars/${calendar.body.id}/events`)
        .set(bearer(spammer))
        .send({
          title: 'spam',
          startsAt: '2030-01-01T10:00:00Z',
          endsAt: '2030-01-01T11:00:00Z',
          attendeeIds: attendees.map((u) => u.id),
        });
    expect((await invite(targets.slice(3, 5))).status).toBe(201); // 5 of 5
    const over = await invite([targets[5]]);
    expect(over.status).toBe(429);
    // Nothing of the refused invitation reached its invitee.
    const notices = await request(t.baseUrl).get('/api/notifications').set(bearer(targets[5]));
    expect(notices.body.items).toEqual([]);
    const events = await request(t.baseUrl)
      .get(
        `/api/calendars/${calendar.body.id}/events?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z`,
      )
      .set(bearer(spammer));
    expect(events.body.items).toHaveLength(1);
    // Inviting nobody (yourself) costs nothing; another user has a budget of their own.
    expect((await invite([])).status).toBe(201);
    const other = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(targets[6]))
      .send({ participantIds: targets.slice(0, 5).map((u) => u.id), title: 'fine' });
    expect(other.status).toBe(201);
  });
});
