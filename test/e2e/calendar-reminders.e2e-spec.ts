import request from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { createTestDatabase } from '../helpers/databases.js';
import { faultEnv } from '../helpers/fault-cluster.js';
import { killAllServers, ServerProcess } from '../helpers/server-process.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

const POLL_MS = 50;

/**
 * Reminders fire exactly once even with two instances polling the same
 * database every 50 ms (claimed with FOR UPDATE SKIP LOCKED).
 */
describe('calendar reminders (two instances)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set: use npm test');
    const databaseUrl = await createTestDatabase();
    const redisUrl = process.env.TEST_REDIS_URL;
    const env = faultEnv({ CALENDAR_REMINDER_POLL_MS: String(POLL_MS) });
    // Two server processes: each instance's state is its own, as in production.
    a = await ServerProcess.start({ databaseUrl, redisUrl, env });
    b = await ServerProcess.start({ databaseUrl, redisUrl, env });
    [alice, bob] = await Promise.all([registerUser(a.baseUrl), registerUser(a.baseUrl)]);
  }, 60000);
  afterAll(async () => {
    for (const s of open) s.close();
    await killAllServers();
  });

  const reminderFrames = (s: TestSocket): Frame[] =>
    s.frames.filter(
      (f) =>
        f.type === 'event' &&
        f.event === 'notification.created' &&
        (f.data as { type: string }).type === 'calendar.event.reminder',
    );

  it('fires each due reminder once, to the creator and the attendees', async () => {
    const as = await connect(a.baseUrl, { token: alice.accessToken });
    const bs = await connect(b.baseUrl, { token: bob.accessToken });
    open.push(as, bs);
    const cal = await request(a.baseUrl)
      .post('/api/calendars')
      .set(bearer(alice))
      .send({ name: 'R' });
    const N = 20;
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      // Half are already due (started within the reminder window), half come due in ~2 s.
      const startsAt = new Date(now + (i % 2 === 0 ? 30_000 : 62_000));
      const res = await request(i % 2 ? b.baseUrl : a.baseUrl)
        .post(`/api/calendars/${cal.body.id}/events`)
        .set(bearer(alice))
        .send({
          title: `meeting ${i}`,
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
          attendeeIds: [bob.id],
          reminderMinutes: 1,
        });
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
    }
    const sql = await sqlClient(a.databaseUrl);
    try {
      await expectEventually(
        async () => {
          const pending = await sql.query(
            `SELECT count(*)::int AS n FROM calendar_reminders WHERE fired_at IS NULL AND event_id = ANY($1)`,
            [ids],
          );
          expect(pending.rows[0].n).toBe(0);
        },
        { timeoutMs: 30_000 },
      );
      // The marker: one more reminder, due a second later. Once it has fired, both
      // instances have polled many more times, and nothing fired twice meanwhile.
      const marker = await request(a.baseUrl)
        .post(`/api/calendars/${cal.body.id}/events`)
        .set(bearer(alice))
        .send({
          title: 'marker',
          startsAt: new Date(Date.now() + 61_000).toISOString(),
          endsAt: new Date(Date.now() + 3_661_000).toISOString(),
          reminderMinutes: 1,
        });
      expect(marker.status).toBe(201);
      await expectEventually(
        async () => {
          const done = await sql.query(
            `SELECT count(*)::int AS n FROM calendar_reminders WHERE fired_at IS NOT NULL AND event_id = $1`,
            [marker.body.id],
          );
          expect(done.rows[0].n).toBe(1);
        },
        { timeoutMs: 30_000 },
      );
      const fired = await sql.query(
        `SELECT count(*)::int AS n, bool_and(fired_at >= due_at) AS on_time
           FROM calendar_reminders WHERE event_id = ANY($1)`,
        [ids],
      );
      expect(fired.rows[0]).toEqual({ n: N, on_time: true });
      const sent = await sql.query(
        `SELECT user_id, entity_id, count(*)::int AS n FROM notifications
          WHERE type = 'calendar.event.reminder' AND entity_id = ANY($1) GROUP BY 1, 2`,
        [ids],
      );
      expect(sent.rows).toHaveLength(2 * N);
      expect(sent.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(new Set(sent.rows.map((r: { entity_id: string }) => r.entity_id))).toEqual(
        new Set(ids),
      );
    } finally {
      await sql.end();
    }
    // Each user's socket got every reminder once, whichever instance fired it (the
    // marker's aside: Alice's only).
    const ofTheN = (s: TestSocket): Frame[] =>
      reminderFrames(s).filter(
        (f) => (f.data as { title: string }).title !== 'Starting soon: marker',
      );
    for (const s of [as, bs]) {
      await expectEventually(() => expect(ofTheN(s)).toHaveLength(N), {
        timeoutMs: 15_000,
      });
      const entities = ofTheN(s).map((f) => (f.data as { link: string }).link);
      expect(new Set(entities).size).toBe(N);
    }
    console.log(
      `[calendar reminders] ${N} events x 2 recipients, 2 instances polling every ${POLL_MS} ms: ` +
        `${2 * N} notifications, each reminder fired exactly once`,
    );
  });

  it('moving an event or changing reminderMinutes reschedules its reminder; deleting drops it', async () => {
    const cal = await request(a.baseUrl)
      .post('/api/calendars')
      .set(bearer(alice))
      .send({ name: 'S' });
    const startsAt = '2031-01-01T10:00:00.000Z';
    const res = await request(a.baseUrl)
      .post(`/api/calendars/${cal.body.id}/events`)
      .set(bearer(alice))
      .send({ title: 'later', startsAt, endsAt: '2031-01-01T11:00:00Z', reminderMinutes: 15 });
    expect(res.body.reminderMinutes).toBe(15);
    const sql = await sqlClient(a.databaseUrl);
    const pending = async () =>
      (
        await sql.query(
          `SELECT due_at FROM calendar_reminders WHERE event_id = $1 AND fired_at IS NULL`,
          [res.body.id],
        )
      ).rows.map((r: { due_at: Date }) => r.due_at.toISOString());
    try {
      expect(await pending()).toEqual(['2031-01-01T09:45:00.000Z']);
      await request(b.baseUrl)
        .patch(`/api/calendar-events/${res.body.id}`)
        .set(bearer(alice))
        .send({ version: 1, startsAt: '2031-01-01T09:00:00Z' });
      expect(await pending()).toEqual(['2031-01-01T08:45:00.000Z']);
      await request(b.baseUrl)
        .patch(`/api/calendar-events/${res.body.id}`)
        .set(bearer(alice))
        .send({ version: 2, reminderMinutes: null });
      expect(await pending()).toEqual([]);
      await request(b.baseUrl)
        .patch(`/api/calendar-events/${res.body.id}`)
        .set(bearer(alice))
        .send({ version: 3, reminderMinutes: 60 });
      expect(await pending()).toEqual(['2031-01-01T08:00:00.000Z']);
      await request(a.baseUrl).delete(`/api/calendar-events/${res.body.id}`).set(bearer(alice));
      expect(await pending()).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});
