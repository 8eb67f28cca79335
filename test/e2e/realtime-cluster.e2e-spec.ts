import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { EVENT_BUS } from '../../src/realtime/bus/event-bus.js';
import { RedisBus } from '../../src/realtime/bus/redis.bus.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { OwnRedis } from '../helpers/redis-server.js';
import { roomMembers, TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

const ADMIN_EMAIL = 'cluster-admin@example.test';
const ENV = { WS_RATE_LIMIT: '1000000', ADMIN_EMAILS: ADMIN_EMAIL };
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const offsetsOf = (frames: Frame[]): number[] => frames.map((f) => f.offset as number);
/** Rooms unique to this run: other suites may share the Redis server, and channel names travel on it. */
const room = (name: string): string => `open-${name}-${randomBytes(4).toString('hex')}`;
const busOf = (t: TestApp): RedisBus => t.app.get<RedisBus>(EVENT_BUS);

async function write(s: TestSocket, room: string, n: number): Promise<number> {
  const ack = await s.request('test.publish', { data: { room, n } }, 15_000);
  if (ack.type !== 'ack') throw new Error(`write failed: ${JSON.stringify(ack)}`);
  return (ack.data as { offset: number }).offset;
}

describe('realtime across two instances on one database and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let admin: RegisteredUser;
  const open: TestSocket[] = [];
  const socketOf = async (t: TestApp, user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    a = await startTestApp({ modules: [TestFeatureModule], env: { ...ENV, REDIS_URL: redisUrl } });
    b = await startTestApp({
      modules: [TestFeatureModule],
      env: { ...ENV, REDIS_URL: redisUrl },
      databaseUrl: a.databaseUrl,
    });
    [alice, bob] = await Promise.all([registerUser(a.baseUrl), registerUser(b.baseUrl)]);
    admin = await registerUser(a.baseUrl, { email: ADMIN_EMAIL });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await b?.close();
    await a?.close();
  });

  it('runs on the Redis bus and reports it ready', async () => {
    for (const t of [a, b]) {
      expect(busOf(t).kind).toBe('redis');
      const res = await request(t.baseUrl).get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    }
  });

  it('delivers events written on A to subscribers on B, and the other way round', async () => {
    const r = room('ab');
    const channel = `test:${r}`;
    const onA = await socketOf(a, alice);
    const onB = await socketOf(b, bob);
    for (const s of [onA, onB])
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({ offset: 0 });
    expect(await write(onA, r, 1)).toBe(1);
    expect(await write(onB, r, 2)).toBe(2);
    const rest = await request(b.baseUrl)
      .post(`/api/test/rooms/${r}/items`)
      .set(bearer(alice))
      .send({ n: 3 });
    expect(rest.body).toEqual({ offset: 3 });
    for (const s of [onA, onB])
      expect(offsetsOf(await s.waitEvents(channel, 3))).toEqual([1, 2, 3]);
  });

  it('keeps one gap-free order when both instances write at once', async () => {
    const r = room('both');
    const channel = `test:${r}`;
    const subA = await socketOf(a, alice);
    const subB = await socketOf(b, alice);
    for (const s of [subA, subB]) await s.request('subscribe', { channel });
    const writers = [
      await socketOf(a, alice),
      await socketOf(a, bob),
      await socketOf(b, alice),
      await socketOf(b, bob),
    ];
    const perWriter = 50;
    const acked = (
      await Promise.all(
        writers.map(async (s) => {
          const out: number[] = [];
          for (let i = 0; i < perWriter; i++) out.push(await write(s, r, i));
          return out;
        }),
      )
    ).flat();
    const total = perWriter * writers.length;
    expect(acked.sort((x, y) => x - y)).toEqual(range(1, total));
    for (const s of [subA, subB])
      expect(offsetsOf(await s.waitEvents(channel, total, 30_000))).toEqual(range(1, total));
  });

  it('revokes a subscription held on the other instance', async () => {
    const r = `members-${randomBytes(4).toString('hex')}`;
    const channel = `test:${r}`;
    roomMembers.set(r, new Set([alice.id, bob.id]));
    const aliceOnB = await socketOf(b, alice);
    const bobOnB = await socketOf(b, bob);
    for (const s of [aliceOnB, bobOnB])
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({
        type: 'subscribed',
      });
    const res = await request(a.baseUrl)
      .post(`/api/test/rooms/${r}/revoke/${alice.id}`)
      .set(bearer(bob));
    expect(res.status).toBe(204);
    await expect(aliceOnB.next((f) => f.type === 'unsubscribed')).resolves.toEqual({
      type: 'unsubscribed',
      channel,
      reason: 'revoked',
    });
    const writer = await socketOf(a, bob);
    await write(writer, r, 1);
    await bobOnB.waitEvents(channel, 1);
    await expect(aliceOnB.request('ping')).resolves.toMatchObject({ type: 'pong' });
    expect(aliceOnB.frames.filter((f) => f.type === 'event')).toEqual([]);
  });

  it('lists the user channel at once, even when the bus adds a round trip to the subscription', async () => {
    for (let i = 0; i < 10; i++) {
      const s = await socketOf(i % 2 ? a : b, alice);
      await expect(s.request('list_channels')).resolves.toMatchObject({
        subscribed: [`user:${alice.id}`],
      });
      s.close();
    }
  });

  it('counts every node in stats', async () => {
    const s = await socketOf(a, admin);
    await socketOf(b, bob);
    const stats = await expectEventually(
      async () => {
        const reply = await s.request('stats');
        expect(reply.nodes as number).toBeGreaterThanOrEqual(2);
        return reply;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(stats.connections as number).toBeGreaterThan(
      (stats.node as { connections: number }).connections,
    );
  }, 30_000);
});

describe('realtime across two instances while Redis restarts', () => {
  let redis: OwnRedis;
  let a: TestApp;
  let b: TestApp;
  let alice: RegisteredUser;
  const open: TestSocket[] = [];
  const socketOf = async (t: TestApp): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: alice.accessToken });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await OwnRedis.start();
    a = await startTestApp({ modules: [TestFeatureModule], env: { ...ENV, REDIS_URL: redis.url } });
    b = await startTestApp({
      modules: [TestFeatureModule],
      env: { ...ENV, REDIS_URL: redis.url },
      databaseUrl: a.databaseUrl,
    });
    alice = await registerUser(a.baseUrl);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('keeps writing while Redis is down, then B catches up live: every event once, in order', async () => {
    const r = room('restart');
    const channel = `test:${r}`;
    const subB = await socketOf(b);
    await expect(subB.request('subscribe', { channel })).resolves.toMatchObject({ offset: 0 });
    const writerA = await socketOf(a);
    for (let i = 1; i <= 5; i++) expect(await write(writerA, r, i)).toBe(i);
    await subB.waitEvents(channel, 5);

    const reconnectsBefore = busOf(b).reconnects;
    await redis.kill();
    // Degraded, not unready: the nodes serve on without Redis.
    await expectEventually(async () => {
      for (const t of [a, b])
        expect(await request(t.baseUrl).get('/health/ready')).toMatchObject({
          status: 200,
          body: { status: 'degraded' },
        });
    });
    // PostgreSQL is the source of truth: writes succeed without the bus.
    for (let i = 6; i <= 15; i++) expect(await write(writerA, r, i)).toBe(i);
    const readyBody = (await request(a.baseUrl).get('/health/ready')).body as {
      status: string;
      details: { redis: { status: string } };
    };
    expect(readyBody).toMatchObject({ status: 'degraded', details: { redis: { status: 'down' } } });

    // Keep writing through the restart and the reconnections (each connection of each
    // node comes back on its own schedule), and stop with nothing written afterwards.
    let writing = true;
    let last = 15;
    const writer = (async () => {
      while (writing) {
        last += 1;
        expect(await write(writerA, r, last)).toBe(last);
        await sleep(10);
      }
    })();
    try {
      await redis.restart();
      const readiness = async (t: TestApp): Promise<unknown> =>
        (await request(t.baseUrl).get('/health/ready')).body;
      await expectEventually(
        async () => {
          expect(await readiness(a)).toMatchObject({ status: 'ok' });
          expect(await readiness(b)).toMatchObject({ status: 'ok' });
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      writing = false;
      await writer;
    }
    const total = last;

    const live = offsetsOf(await subB.waitEvents(channel, total, 30_000));
    expect(live).toEqual(range(1, total));
    expect(busOf(b).reconnects).toBeGreaterThan(reconnectsBefore);
    const metrics = await request(b.baseUrl).get('/metrics');
    expect(metrics.text).toMatch(/^rt_bus_reconnects_total [1-9]/m);
    // Resubscribing with since gives the same sequence.
    const again = await socketOf(b);
    await expect(again.request('subscribe', { channel, since: 0 })).resolves.toMatchObject({
      offset: total,
      recovered: true,
    });
    expect(offsetsOf(await again.waitEvents(channel, total))).toEqual(range(1, total));
    console.log(
      `[redis-restart] events=${total} (10 while Redis was down, ${total - 15} during the restart); ` +
        `B received live ${live.length} events, duplicates=${live.length - new Set(live).size}, ` +
        `in order=${live.every((o, i) => o === i + 1)}; B bus reconnects=${busOf(b).reconnects - reconnectsBefore}, ` +
        `A bus dropped=${busOf(a).dropped}`,
    );
  }, 90_000);

  it("delivers to B the events A committed while only A's publisher connection was down", async () => {
    const r = room('blip');
    const channel = `test:${r}`;
    const subB = await socketOf(b);
    await subB.request('subscribe', { channel });
    const writerA = await socketOf(a);
    expect(await write(writerA, r, 1)).toBe(1);
    await subB.waitEvents(channel, 1);

    // Cut A's publisher connection only: B's subscriber never notices anything. A
    // writes while its publisher reconnects (ioredis waits 100 ms before the first
    // retry); on a stalled machine the window can be missed, so cut again until a
    // write was actually dropped.
    const busA = busOf(a);
    const admin = new Redis(redis.url, { lazyConnect: true });
    await admin.connect();
    const droppedBefore = busA.dropped;
    let last = 1;
    try {
      for (let attempt = 0; attempt < 5 && busA.dropped === droppedBefore; attempt++) {
        await expectEventually(() => expect(busA.pub.status).toBe('ready'));
        const clients = (await admin.client('LIST')) as string;
        const line = clients.split('\n').find((l) => l.includes(`name=rt-pub-${busA.nodeId}`));
        const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
        expect(id).toBeDefined();
        const down = new Promise((resolve) => busA.pub.once('close', resolve));
        await admin.client('KILL', 'ID', id!);
        await down;
        for (let i = 0; i < 3; i++) {
          last += 1;
          expect(await write(writerA, r, last)).toBe(last);
        }
      }
    } finally {
      admin.disconnect();
    }
    expect(busA.dropped).toBeGreaterThan(droppedBefore);
    await expectEventually(() => expect(busA.pub.status).toBe('ready'));
    // Nothing else is written: B must get them all without a later event to reveal the gap.
    await sleep(100);
    expect(offsetsOf(await subB.waitEvents(channel, last, 15_000))).toEqual(range(1, last));
  }, 60_000);
});
