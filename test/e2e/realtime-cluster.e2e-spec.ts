import { Redis } from 'ioredis';
import { createTestDatabase } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { createGroup, faultEnv, seedUsers } from '../helpers/fault-cluster.js';
import { OwnRedis } from '../helpers/redis-server.js';
import { killAllServers, ServerProcess } from '../helpers/server-process.js';
import type { SeededUser } from '../helpers/seed-users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

const RATE_LIMIT = 100;
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const offsetsOf = (frames: Frame[]): number[] => frames.map((f) => f.offset as number);

async function send(s: TestSocket, conversationId: string, content: string): Promise<void> {
  const ack = await s.request('chat.send', { data: { conversationId, content } }, 15_000);
  if (ack.type !== 'ack') throw new Error(`send failed: ${JSON.stringify(ack)}`);
}

async function restSend(
  node: ServerProcess,
  user: SeededUser,
  conversationId: string,
  content: string,
): Promise<number> {
  const res = await fetch(`${node.baseUrl}/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
    body: JSON.stringify({ content }),
  });
  return res.status;
}

/**
 * Two server processes (the production build) on one database and one Redis:
 * each node's sessions, limits and figures are its own process's, as in
 * production; what holds across them is what Redis and PostgreSQL carry.
 */
describe('realtime across two server processes on one database and Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let alice: SeededUser;
  let bob: SeededUser;
  let carol: SeededUser;
  let dave: SeededUser;
  let admin: SeededUser;
  const open: TestSocket[] = [];
  const socketOn = async (node: ServerProcess, user: SeededUser): Promise<TestSocket> => {
    const s = await connect(node.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    const databaseUrl = await createTestDatabase('cluster');
    const env = faultEnv({
      WS_RATE_LIMIT: String(RATE_LIMIT),
      WS_RATE_WINDOW_MS: '3600000',
      // Refusals are counted here, not punished with 4429.
      WS_ABUSE_THRESHOLD: '1000000',
    });
    a = await ServerProcess.start({ databaseUrl, redisUrl, env });
    b = await ServerProcess.start({ databaseUrl, redisUrl, env });
    [alice, bob, carol, dave] = await seedUsers(databaseUrl, 4);
    [admin] = await seedUsers(databaseUrl, 1, { role: 'admin' });
  }, 120_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await killAllServers();
  });

  it('runs on the Redis bus and reports it ready', async () => {
    for (const node of [a, b])
      expect(await node.readiness()).toMatchObject({
        status: 200,
        body: { status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } },
      });
  });

  it('delivers events written on A to subscribers on B, and the other way round', async () => {
    const id = await createGroup(a.baseUrl, alice, [bob], 'ab');
    const channel = `chat:${id}`;
    const onA = await socketOn(a, alice);
    const onB = await socketOn(b, bob);
    for (const s of [onA, onB])
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({ offset: 0 });
    await send(onA, id, 'one');
    await send(onB, id, 'two');
    expect(await restSend(b, alice, id, 'three')).toBe(201);
    for (const s of [onA, onB])
      expect(offsetsOf(await s.waitEvents(channel, 3))).toEqual([1, 2, 3]);
  });

  it('keeps one gap-free order when both nodes write at once', async () => {
    const id = await createGroup(a.baseUrl, alice, [bob], 'both');
    const channel = `chat:${id}`;
    const subA = await socketOn(a, alice);
    const subB = await socketOn(b, bob);
    for (const s of [subA, subB]) await s.request('subscribe', { channel });
    const perWriter = 10;
    const writers = [
      await socketOn(a, alice),
      await socketOn(a, bob),
      await socketOn(b, alice),
      await socketOn(b, bob),
    ];
    await Promise.all(
      writers.map(async (s, w) => {
        for (let i = 0; i < perWriter; i++) await send(s, id, `${w}:${i}`);
      }),
    );
    const total = perWriter * writers.length;
    for (const s of [subA, subB])
      expect(offsetsOf(await s.waitEvents(channel, total, 30_000))).toEqual(range(1, total));
  });

  it('revokes a subscription held on the other node', async () => {
    const id = await createGroup(a.baseUrl, bob, [alice], 'revoke');
    const channel = `chat:${id}`;
    const aliceOnB = await socketOn(b, alice);
    const bobOnB = await socketOn(b, bob);
    for (const s of [aliceOnB, bobOnB])
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({
        type: 'subscribed',
      });
    // Bob, the owner, removes Alice on A.
    const res = await fetch(`${a.baseUrl}/api/conversations/${id}/participants/${alice.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bob.accessToken}` },
    });
    expect(res.status).toBe(204);
    await expect(aliceOnB.next((f) => f.type === 'unsubscribed')).resolves.toEqual({
      type: 'unsubscribed',
      channel,
      reason: 'revoked',
    });
    const bobOnA = await socketOn(a, bob);
    await send(bobOnA, id, 'after');
    // Bob's channel also carries Alice's removal (offset 1): wait for the message itself.
    const after = await bobOnB.next(
      (f) => f.type === 'event' && f.channel === channel && f.event === 'chat.message.created',
    );
    expect(after.data).toMatchObject({ content: 'after' });
    // The marker: Alice's socket answers a ping sent after Bob got the event.
    await expect(aliceOnB.request('ping')).resolves.toMatchObject({ type: 'pong' });
    // (Alice heard of her own removal: chat.participant.removed, before the revocation.)
    expect(aliceOnB.events(channel).filter((e) => e.event === 'chat.message.created')).toEqual([]);
  });

  it('lists the user channel at once, whichever node the socket is on', async () => {
    for (let i = 0; i < 6; i++) {
      const s = await socketOn(i % 2 ? a : b, alice);
      await expect(s.request('list_channels')).resolves.toMatchObject({
        subscribed: [`user:${alice.id}`],
      });
      s.close();
    }
  });

  it('counts every node in stats, and a user with sockets on both nodes once', async () => {
    for (const s of open.splice(0)) s.close();
    const adminOnA = await socketOn(a, admin);
    await socketOn(a, carol);
    await socketOn(b, carol);
    // Each node reports its own figures every 5 s; the users come from the
    // socket counts in Redis, where Carol is one user on two nodes.
    const stats = await expectEventually(
      async () => {
        const reply = await adminOnA.request('stats');
        expect(reply).toMatchObject({ nodes: 2, connections: 3, users: 2 });
        return reply;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(stats.node).toMatchObject({ connections: 2, users: 2 });
  });

  it('holds one frame budget for a user across both nodes, not one per node', async () => {
    const onA = await socketOn(a, dave);
    const onB = await socketOn(b, dave);
    const burst = (s: TestSocket): Promise<Frame[]> =>
      Promise.all(Array.from({ length: RATE_LIMIT }, () => s.request('ping', {}, 30_000)));
    const [fromA, fromB] = await Promise.all([burst(onA), burst(onB)]);
    const accepted = [...fromA, ...fromB].filter((f) => f.type === 'pong').length;
    const refused = [...fromA, ...fromB].filter((f) => f.code === 'RATE_LIMITED').length;
    console.log(
      `[cluster] one budget of ${RATE_LIMIT} on two nodes: ${accepted} accepted, ${refused} refused`,
    );
    // The window is an hour: nothing refills meanwhile.
    expect(accepted).toBe(RATE_LIMIT);
    expect(refused).toBe(RATE_LIMIT);
  });
});

describe('two server processes while only one publisher connection is down', () => {
  let redis: OwnRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  const open: TestSocket[] = [];
  beforeAll(async () => {
    redis = await OwnRedis.start();
    const databaseUrl = await createTestDatabase('cluster');
    a = await ServerProcess.start({ databaseUrl, redisUrl: redis.url, env: faultEnv() });
    b = await ServerProcess.start({ databaseUrl, redisUrl: redis.url, env: faultEnv() });
  }, 120_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await killAllServers();
    await redis?.stop();
  });

  it("delivers to B the events A committed while only A's publisher connection was down", async () => {
    const [writer, reader] = await seedUsers(a.databaseUrl, 2);
    const [admin] = await seedUsers(a.databaseUrl, 1, { role: 'admin' });
    const id = await createGroup(a.baseUrl, writer, [reader], 'blip');
    const channel = `chat:${id}`;
    const subB = await connect(b.baseUrl, { token: reader.accessToken });
    const writerA = await connect(a.baseUrl, { token: writer.accessToken });
    const adminA = await connect(a.baseUrl, { token: admin.accessToken });
    open.push(subB, writerA, adminA);
    await subB.request('subscribe', { channel });
    await send(writerA, id, 'first');
    await subB.waitEvents(channel, 1);
    const nodeA = ((await adminA.request('stats')).node as { nodeId: string }).nodeId;

    // Cut A's publisher connection only: B's subscriber never notices anything. A
    // writes while its publisher reconnects; on a stalled machine the window can
    // be missed, so cut again until a write was actually left unpublished.
    const unpublished = (): Promise<number> => a.metric('rt_bus_unpublished_total');
    const before = await unpublished();
    const admin2 = new Redis(redis.url);
    let last = 1;
    try {
      for (let attempt = 0; attempt < 5 && (await unpublished()) === before; attempt++) {
        const clients = (await admin2.client('LIST')) as string;
        const line = clients.split('\n').find((l) => l.includes(`name=rt-pub-${nodeA}`));
        const clientId = /\bid=(\d+)/.exec(line ?? '')?.[1];
        expect(clientId).toBeDefined();
        await admin2.client('KILL', 'ID', clientId!);
        for (let i = 0; i < 3; i++) await send(writerA, id, `during ${++last}`);
        await expectEventually(async () => expect((await a.readiness()).body.status).toBe('ok'));
      }
    } finally {
      admin2.disconnect();
    }
    expect(await unpublished()).toBeGreaterThan(before);
    // Nothing else is written: B must get them all without a later event to reveal the gap.
    expect(offsetsOf(await subB.waitEvents(channel, last, 15_000))).toEqual(range(1, last));
  }, 60_000);
});
