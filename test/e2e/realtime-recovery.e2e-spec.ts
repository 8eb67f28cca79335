import type pg from 'pg';
import request from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { roomMembers, TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

const MAX_EVENTS = 5;

describe('realtime offsets and recovery (docs/protocol.md: offsets, resume and recovery)', () => {
  let t: TestApp;
  let db: pg.Client;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let writer: TestSocket;
  const open: TestSocket[] = [];
  const socketOf = async (user: RegisteredUser = alice): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  /** Publishes `count` events on test:{room} through the socket command, one after another. */
  const publish = async (room: string, count: number): Promise<number[]> => {
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) {
      const ack = await writer.request('test.publish', { data: { room, n: i } });
      expect(ack).toMatchObject({ type: 'ack' });
      offsets.push((ack.data as { offset: number }).offset);
    }
    return offsets;
  };
  const storedOffsets = async (channel: string): Promise<number[]> => {
    const r = await db.query<{ offset: string }>(
      'SELECT "offset" FROM channel_events WHERE channel = $1 ORDER BY "offset"',
      [channel],
    );
    return r.rows.map((row) => Number(row.offset));
  };
  const offsetsOf = (frames: Frame[]): number[] => frames.map((f) => f.offset as number);
  const range = (from: number, to: number): number[] =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: {
        HISTORY_MAX_EVENTS: String(MAX_EVENTS),
        HISTORY_PRUNE_INTERVAL_MS: '200',
        WS_RATE_LIMIT: '100000',
      },
    });
    db = await sqlClient(t.databaseUrl);
    [alice, bob] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
    writer = await socketOf(bob);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await db?.end();
    await t?.close();
  });

  describe('subscribe', () => {
    it('without since: replays nothing and answers the latest offset (0 when none)', async () => {
      const s = await socketOf();
      await expect(s.request('subscribe', { channel: 'test:open-latest' })).resolves.toEqual({
        type: 'subscribed',
        id: expect.any(String) as unknown,
        channel: 'test:open-latest',
        offset: 0,
      });
      await publish('open-latest', 3);
      await s.waitEvents('test:open-latest', 3);
      const late = await socketOf();
      await expect(late.request('subscribe', { channel: 'test:open-latest' })).resolves.toEqual({
        type: 'subscribed',
        id: expect.any(String) as unknown,
        channel: 'test:open-latest',
        offset: 3,
      });
      await publish('open-latest', 1);
      const [first] = await late.waitEvents('test:open-latest', 1);
      expect(first).toMatchObject({ offset: 4 });
      expect(offsetsOf(await s.waitEvents('test:open-latest', 4))).toEqual([1, 2, 3, 4]);
    });

    it('with since: recovered:true, then every missed event in order after subscribed', async () => {
      await publish('open-since', 4);
      const s = await socketOf();
      const subscribed = await s.request('subscribe', { channel: 'test:open-since', since: 1 });
      expect(subscribed).toEqual({
        type: 'subscribed',
        id: subscribed.id,
        channel: 'test:open-since',
        offset: 4,
        recovered: true,
      });
      const events = await s.waitEvents('test:open-since', 3);
      expect(offsetsOf(events)).toEqual([2, 3, 4]);
      expect(s.frames.indexOf(subscribed)).toBeLessThan(s.frames.indexOf(events[0]));
      expect(events[0]).toEqual({
        type: 'event',
        channel: 'test:open-since',
        offset: 2,
        event: 'test.item.created',
        data: { by: bob.id, n: 1 },
        ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) as unknown,
      });
      // Live events follow the replayed ones without a gap.
      await publish('open-since', 1);
      expect(offsetsOf(await s.waitEvents('test:open-since', 4))).toEqual([2, 3, 4, 5]);
    });

    it('with since equal to the latest offset: recovered:true and nothing replayed', async () => {
      await publish('open-uptodate', 2);
      const s = await socketOf();
      await expect(
        s.request('subscribe', { channel: 'test:open-uptodate', since: 2 }),
      ).resolves.toMatchObject({ offset: 2, recovered: true });
      await publish('open-uptodate', 1);
      expect(offsetsOf(await s.waitEvents('test:open-uptodate', 1))).toEqual([3]);
    });

    it('with since beyond the latest offset: recovered:false, and later events still arrive', async () => {
      await publish('open-future', 1);
      const s = await socketOf();
      await expect(
        s.request('subscribe', { channel: 'test:open-future', since: 50 }),
      ).resolves.toMatchObject({ offset: 1, recovered: false });
      await publish('open-future', 2);
      expect(offsetsOf(await s.waitEvents('test:open-future', 2))).toEqual([2, 3]);
    });

    it('beyond HISTORY_MAX_EVENTS: recovered:false, before and after pruning ran', async () => {
      const channel = 'test:open-retention';
      await publish('open-retention', MAX_EVENTS + 3);
      const check = async (): Promise<void> => {
        const s = await socketOf();
        await expect(s.request('subscribe', { channel, since: 0 })).resolves.toMatchObject({
          offset: MAX_EVENTS + 3,
          recovered: false,
        });
        const edge = await socketOf();
        await expect(edge.request('subscribe', { channel, since: 3 })).resolves.toMatchObject({
          offset: MAX_EVENTS + 3,
          recovered: true,
        });
        expect(offsetsOf(await edge.waitEvents(channel, MAX_EVENTS))).toEqual(
          range(4, MAX_EVENTS + 3),
        );
      };
      await check();
      await expectEventually(async () =>
        expect(await storedOffsets(channel)).toEqual(range(4, MAX_EVENTS + 3)),
      );
      await check();
    });
  });

  describe('rolled-back writes', () => {
    it('publish nothing and take no offset', async () => {
      const channel = 'test:open-rollback';
      const s = await socketOf();
      await s.request('subscribe', { channel });
      await publish('open-rollback', 2);
      for (let i = 0; i < 3; i++)
        await expect(
          writer.request('test.rollback', { data: { room: 'open-rollback' } }),
        ).resolves.toMatchObject({ type: 'error', code: 'INTERNAL' });
      expect(await publish('open-rollback', 1)).toEqual([3]);
      const events = await s.waitEvents(channel, 3);
      expect(offsetsOf(events)).toEqual([1, 2, 3]);
      expect(events.some((e) => (e.data as { doomed?: boolean }).doomed)).toBe(false);
      expect(await storedOffsets(channel)).toEqual([1, 2, 3]);
    });

    it('interleaved with concurrent writes, leave the offsets contiguous', async () => {
      const channel = 'test:open-rollback-mix';
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          writer.request(i % 2 ? 'test.rollback' : 'test.publish', {
            data: { room: 'open-rollback-mix', n: i },
          }),
        ),
      );
      expect(replies.filter((r) => r.type === 'ack')).toHaveLength(10);
      expect(replies.filter((r) => r.code === 'INTERNAL')).toHaveLength(10);
      const acked = replies
        .filter((r) => r.type === 'ack')
        .map((r) => (r.data as { offset: number }).offset)
        .sort((a, b) => a - b);
      expect(acked).toEqual(range(1, 10));
      // HISTORY_MAX_EVENTS is 5: pruning may already have dropped the oldest rows.
      const stored = await storedOffsets(channel);
      expect(stored).toEqual(range(11 - stored.length, 10));
    });
  });

  describe('GET /api/channels/:channel/events', () => {
    it('has the same semantics as subscribe, with frames identical to the socket ones', async () => {
      const channel = 'test:open-http';
      const s = await socketOf();
      await s.request('subscribe', { channel });
      await publish('open-http', 4);
      const live = await s.waitEvents(channel, 4);
      const res = await request(t.baseUrl)
        .get(`/api/channels/${channel}/events?since=1&limit=2`)
        .set(bearer(alice));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ events: live.slice(1, 3), offset: 4, recovered: true });
      const all = await request(t.baseUrl)
        .get(`/api/channels/${channel}/events`)
        .set(bearer(alice));
      expect(all.body).toEqual({ events: live, offset: 4, recovered: true });
      const upToDate = await request(t.baseUrl)
        .get(`/api/channels/${channel}/events?since=4`)
        .set(bearer(alice));
      expect(upToDate.body).toEqual({ events: [], offset: 4, recovered: true });
      const empty = await request(t.baseUrl)
        .get('/api/channels/test:open-http-empty/events?since=0')
        .set(bearer(alice));
      expect(empty.body).toEqual({ events: [], offset: 0, recovered: true });
    });

    it('answers recovered:false beyond the retained history', async () => {
      const channel = 'test:open-http-retention';
      await publish('open-http-retention', MAX_EVENTS + 2);
      const res = await request(t.baseUrl)
        .get(`/api/channels/${channel}/events?since=1`)
        .set(bearer(alice));
      expect(res.body).toMatchObject({ offset: MAX_EVENTS + 2, recovered: false });
      const edge = await request(t.baseUrl)
        .get(`/api/channels/${channel}/events?since=2`)
        .set(bearer(alice));
      expect(edge.body).toMatchObject({ offset: MAX_EVENTS + 2, recovered: true });
      expect(offsetsOf(edge.body.events)).toEqual(range(3, MAX_EVENTS + 2));
    });

    it.each(['limit=0', 'limit=1001', 'limit=abc', 'limit=1.5', 'since=-1', 'since=x'])(
      'answers 400 for %s',
      async (query) => {
        const res = await request(t.baseUrl)
          .get(`/api/channels/test:open-http/events?${query}`)
          .set(bearer(alice));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'BAD_REQUEST' });
      },
    );

    it('accepts limit 1 and 1000', async () => {
      for (const limit of [1, 1000]) {
        const res = await request(t.baseUrl)
          .get(`/api/channels/test:open-http/events?since=0&limit=${limit}`)
          .set(bearer(alice));
        expect(res.status).toBe(200);
        expect(res.body.events).toHaveLength(limit === 1 ? 1 : 4);
      }
    });

    it('authorises like subscribe: FORBIDDEN, NOT_FOUND, anonymous only on announcements', async () => {
      roomMembers.set('members-http', new Set([bob.id]));
      const forbidden = await request(t.baseUrl)
        .get('/api/channels/test:members-http/events')
        .set(bearer(alice));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN' });
      const member = await request(t.baseUrl)
        .get('/api/channels/test:members-http/events')
        .set(bearer(bob));
      expect(member.status).toBe(200);
      const otherUser = await request(t.baseUrl)
        .get(`/api/channels/user:${bob.id}/events`)
        .set(bearer(alice));
      expect(otherUser.status).toBe(403);
      const own = await request(t.baseUrl)
        .get(`/api/channels/user:${alice.id}/events`)
        .set(bearer(alice));
      expect(own.status).toBe(200);
      const unknown = await request(t.baseUrl)
        .get('/api/channels/nope:1/events')
        .set(bearer(alice));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
      const anonPublic = await request(t.baseUrl).get('/api/channels/announcements/events');
      expect(anonPublic.status).toBe(200);
      expect(anonPublic.body).toEqual({ events: [], offset: 0, recovered: true });
      for (const channel of ['test:open-http', 'presence']) {
        const anon = await request(t.baseUrl).get(`/api/channels/${channel}/events`);
        expect(anon.status).toBe(401);
        expect(anon.body).toMatchObject({ code: 'UNAUTHORIZED' });
      }
      const badToken = await request(t.baseUrl)
        .get('/api/channels/test:open-http/events')
        .set('Authorization', 'Bearer not-a-jwt');
      expect(badToken.status).toBe(401);
    });
  });
});

describe('realtime recovery with HISTORY_TTL', () => {
  let t: TestApp;
  let s: TestSocket | undefined;
  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule], env: { HISTORY_TTL: '2s' } });
  });
  afterAll(async () => {
    s?.close();
    await t?.close();
  });

  it('answers recovered:false once the missed events are older than HISTORY_TTL', async () => {
    const user = await registerUser(t.baseUrl);
    s = await connect(t.baseUrl, { token: user.accessToken });
    for (let n = 1; n <= 2; n++)
      await expect(
        s.request('test.publish', { data: { room: 'open-ttl', n } }),
      ).resolves.toMatchObject({ type: 'ack', data: { offset: n } });
    const fresh = await request(t.baseUrl)
      .get('/api/channels/test:open-ttl/events?since=0')
      .set(bearer(user));
    expect(fresh.body).toMatchObject({ offset: 2, recovered: true });
    expect(fresh.body.events).toHaveLength(2);
    await expectEventually(
      async () => {
        const old = await request(t.baseUrl)
          .get('/api/channels/test:open-ttl/events?since=0')
          .set(bearer(user));
        expect(old.body).toEqual({ events: [], offset: 2, recovered: false });
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    await expect(
      s.request('subscribe', { channel: 'test:open-ttl', since: 0 }),
    ).resolves.toMatchObject({ offset: 2, recovered: false });
    // A newer event is recoverable again from the offset before it.
    await s.request('test.publish', { data: { room: 'open-ttl', n: 3 } });
    const recent = await request(t.baseUrl)
      .get('/api/channels/test:open-ttl/events?since=2')
      .set(bearer(user));
    expect(recent.body).toMatchObject({ offset: 3, recovered: true });
  }, 40_000);
});
