import request from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

const GRACE_MS = 600;

interface Presence {
  userId: string;
  status: string;
  lastSeenAt: string | null;
}

/** Presence on one instance without Redis (in-process counts). */
describe('presence (one instance)', () => {
  let t: TestApp;
  let watcherUser: RegisteredUser;
  let watcher: TestSocket;
  const open: TestSocket[] = [];
  const socketOf = async (user: RegisteredUser, app = t): Promise<TestSocket> => {
    const s = await connect(app.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  const changesOf = (userId: string): Presence[] =>
    watcher
      .events('presence')
      .filter((e) => e.event === 'presence.changed' && (e.data as Presence).userId === userId)
      .map((e) => e.data as Presence);
  const presenceOf = async (userIds: string[], app = t): Promise<Presence[]> => {
    const res = await request(app.baseUrl)
      .get('/api/presence')
      .query({ userIds: userIds.join(',') })
      .set(bearer(watcherUser));
    expect(res.status).toBe(200);
    return res.body as Presence[];
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: { PRESENCE_GRACE_MS: String(GRACE_MS), WS_RATE_LIMIT: '100000' },
    });
    watcherUser = await registerUser(t.baseUrl);
    watcher = await socketOf(watcherUser);
    await expect(watcher.request('subscribe', { channel: 'presence' })).resolves.toMatchObject({
      type: 'subscribed',
    });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('reads a user online as soon as their client got `connected`', async () => {
    for (let i = 0; i < 5; i++) {
      const user = await registerUser(t.baseUrl);
      await socketOf(user);
      expect((await presenceOf([user.id]))[0].status).toBe('online');
    }
  });

  it('online with the first socket (ephemeral presence.changed), offline only after the grace period', async () => {
    const bob = await registerUser(t.baseUrl);
    const never = await registerUser(t.baseUrl);
    expect(await presenceOf([bob.id, never.id])).toEqual([
      { userId: bob.id, status: 'offline', lastSeenAt: null },
      { userId: never.id, status: 'offline', lastSeenAt: null },
    ]);
    const s = await socketOf(bob);
    const online = await watcher.next(
      (f) => f.event === 'presence.changed' && (f.data as Presence).userId === bob.id,
    );
    expect(online).toEqual({
      type: 'event',
      channel: 'presence',
      event: 'presence.changed',
      data: { userId: bob.id, status: 'online', lastSeenAt: expect.any(String) },
      ts: expect.any(String),
    });
    expect(online.offset).toBeUndefined();
    expect((await presenceOf([bob.id]))[0].status).toBe('online');

    const closedAt = Date.now();
    s.close();
    const offline = await watcher.next(
      (f) =>
        f.event === 'presence.changed' &&
        (f.data as Presence).userId === bob.id &&
        (f.data as Presence).status === 'offline',
      GRACE_MS + 10_000,
    );
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    const [after] = await presenceOf([bob.id]);
    expect(after).toEqual({ userId: bob.id, status: 'offline', lastSeenAt: expect.any(String) });
    expect((offline.data as Presence).lastSeenAt).toBe(after.lastSeenAt);
    expect(changesOf(bob.id).map((p) => p.status)).toEqual(['online', 'offline']);
  });

  it('counts devices: closing one of two sockets, or reloading within the grace period, does not flap', async () => {
    const carol = await registerUser(t.baseUrl);
    const phone = await socketOf(carol);
    const laptop = await socketOf(carol);
    await expectEventually(() =>
      expect(changesOf(carol.id).map((p) => p.status)).toEqual(['online']),
    );
    phone.close();
    // A page reload: the last socket closes and a new one opens within the grace.
    laptop.close();
    await laptop.closed;
    const reloaded = await socketOf(carol);
    // The marker: a user who leaves after Carol's reload goes offline a grace
    // period later, so Carol's own offline check (due earlier) has run by then.
    const marker = await registerUser(t.baseUrl);
    const markerSocket = await socketOf(marker);
    await expectEventually(() =>
      expect(changesOf(marker.id).map((p) => p.status)).toEqual(['online']),
    );
    markerSocket.close();
    await expectEventually(
      () => expect(changesOf(marker.id).map((p) => p.status)).toEqual(['online', 'offline']),
      { timeoutMs: GRACE_MS + 10_000 },
    );
    expect((await presenceOf([carol.id]))[0].status).toBe('online');
    expect(changesOf(carol.id).map((p) => p.status)).toEqual(['online']);
    reloaded.close();
    await expectEventually(
      () => expect(changesOf(carol.id).map((p) => p.status)).toEqual(['online', 'offline']),
      {
        timeoutMs: GRACE_MS + 10_000,
      },
    );
  });

  it('presence.set and PUT /api/presence/me announce the chosen status; invalid ones are 400', async () => {
    const dan = await registerUser(t.baseUrl);
    const s = await socketOf(dan);
    await expectEventually(() => expect(changesOf(dan.id)).toHaveLength(1));
    const ack = await s.request('presence.set', { data: { status: 'away' } });
    expect(ack).toMatchObject({
      type: 'ack',
      data: { userId: dan.id, status: 'away', lastSeenAt: expect.any(String) },
    });
    await expectEventually(() =>
      expect(changesOf(dan.id).map((p) => p.status)).toEqual(['online', 'away']),
    );
    const put = await request(t.baseUrl)
      .put('/api/presence/me')
      .set(bearer(dan))
      .send({ status: 'dnd' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ userId: dan.id, status: 'dnd' });
    await expectEventually(() =>
      expect(changesOf(dan.id).map((p) => p.status)).toEqual(['online', 'away', 'dnd']),
    );
    expect((await presenceOf([dan.id]))[0].status).toBe('dnd');
    await expect(s.request('presence.set', { data: { status: 'offline' } })).resolves.toMatchObject(
      {
        type: 'error',
        code: 'BAD_REQUEST',
      },
    );
    await expect(
      s.request('presence.set', { data: { status: 'away', extra: 1 } }),
    ).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
    });
    const bad = await request(t.baseUrl)
      .put('/api/presence/me')
      .set(bearer(dan))
      .send({ status: 'busy' });
    expect(bad.status).toBe(400);
    // The chosen status comes back with the next connection.
    s.close();
    await expectEventually(() => expect(changesOf(dan.id).at(-1)?.status).toBe('offline'), {
      timeoutMs: GRACE_MS + 10_000,
    });
    await socketOf(dan);
    await expectEventually(() => expect(changesOf(dan.id).at(-1)?.status).toBe('dnd'));
  });

  it('a status set over REST without a socket shows until the grace period passes', async () => {
    const erin = await registerUser(t.baseUrl);
    const put = await request(t.baseUrl)
      .put('/api/presence/me')
      .set(bearer(erin))
      .send({ status: 'away' });
    expect(put.status).toBe(200);
    expect((await presenceOf([erin.id]))[0].status).toBe('away');
    await expectEventually(
      () => expect(changesOf(erin.id).map((p) => p.status)).toEqual(['away', 'offline']),
      {
        timeoutMs: GRACE_MS + 10_000,
      },
    );
  });

  it('anonymous callers see no presence; GET needs valid userIds', async () => {
    const anon = await connect(t.baseUrl);
    open.push(anon);
    await expect(anon.request('subscribe', { channel: 'presence' })).resolves.toMatchObject({
      type: 'error',
      code: 'UNAUTHORIZED',
    });
    await expect(anon.request('presence.set', { data: { status: 'away' } })).resolves.toMatchObject(
      {
        type: 'error',
        code: 'UNAUTHORIZED',
      },
    );
    expect(
      (await request(t.baseUrl).get('/api/presence').query({ userIds: watcherUser.id })).status,
    ).toBe(401);
    for (const q of [
      {},
      { userIds: '' },
      { userIds: 'nope' },
      { userIds: watcherUser.id, extra: '1' },
    ]) {
      const res = await request(t.baseUrl).get('/api/presence').query(q).set(bearer(watcherUser));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    }
    const many = await request(t.baseUrl)
      .get(`/api/presence?userIds=${watcherUser.id}&userIds=${watcherUser.id}`)
      .set(bearer(watcherUser));
    expect(many.body).toEqual([
      { userId: watcherUser.id, status: 'online', lastSeenAt: expect.any(String) },
    ]);
  });

  it('a restart does not mark everyone offline: users back within the grace stay online', async () => {
    // A longer grace here: the second instance must boot and the user reconnect within it.
    const env = { PRESENCE_GRACE_MS: '3000' };
    const first = await startTestApp({ env });
    const [w, back, gone] = await Promise.all([
      registerUser(first.baseUrl),
      registerUser(first.baseUrl),
      registerUser(first.baseUrl),
    ]);
    await connect(first.baseUrl, { token: back.accessToken });
    await connect(first.baseUrl, { token: gone.accessToken });
    const online = async (app: TestApp, ids: string[]) =>
      (
        await request(app.baseUrl)
          .get('/api/presence')
          .query({ userIds: ids.join(',') })
          .set(bearer(w))
      ).body.map((p: Presence) => p.status);
    await expectEventually(async () =>
      expect(await online(first, [back.id, gone.id])).toEqual(['online', 'online']),
    );
    await first.close();
    const sql = await sqlClient(first.databaseUrl);
    try {
      const rows = await sql.query(
        'SELECT bool_and(online) AS all_online FROM user_presence WHERE user_id = ANY($1)',
        [[back.id, gone.id]],
      );
      expect(rows.rows[0].all_online).toBe(true);
    } finally {
      await sql.end();
    }
    const second = await startTestApp({ env, databaseUrl: first.databaseUrl });
    const sockets: TestSocket[] = [];
    try {
      sockets.push(await connect(second.baseUrl, { token: back.accessToken }));
      const ws = await connect(second.baseUrl, { token: w.accessToken });
      sockets.push(ws);
      await ws.request('subscribe', { channel: 'presence' });
      const offline = await ws.next(
        (f: Frame) => f.event === 'presence.changed' && (f.data as Presence).userId === gone.id,
        15_000,
      );
      expect(offline.data).toMatchObject({ status: 'offline' });
      expect(await online(second, [back.id, gone.id])).toEqual(['online', 'offline']);
      expect(ws.events('presence').filter((e) => (e.data as Presence).userId === back.id)).toEqual(
        [],
      );
    } finally {
      for (const s of sockets) s.close();
      await second.close();
    }
  });
});
