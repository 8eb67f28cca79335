import { expectEventually, sleep } from '../helpers/eventually.js';
import { createGroup, faultEnv, knob, latestOffset, seedUsers } from '../helpers/fault-cluster.js';
import { createTestDatabase } from '../helpers/databases.js';
import { PipelinedSocket } from '../helpers/pipelined-socket.js';
import { OwnRedis } from '../helpers/redis-server.js';
import { ResumingSubscriber } from '../helpers/resuming-subscriber.js';
import { killAllServers, ServerProcess } from '../helpers/server-process.js';
import type { SeededUser } from '../helpers/seed-users.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const OUTAGE_MS = knob('FAULT_REDIS_OUTAGE_MS', 30_000);

/**
 * Redis fails under two nodes: restarted (every connection reset) and
 * unreachable (connections stay open, nothing gets through). Meanwhile each
 * node delivers its own writes to its own subscribers, writes are acked,
 * /health/ready says degraded; once Redis is back the nodes catch up with
 * each other by themselves, and every subscriber has every offset once, in order.
 */
describe('Redis restarted, or unreachable, under two nodes', () => {
  let redis: OwnRedis;
  let path: TcpProxy;
  let nodes: ServerProcess[];
  let writerUsers: SeededUser[];
  let readerUsers: SeededUser[];
  let conversation: string;
  let channel: string;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    // The nodes reach Redis through a path the test can break.
    path = await TcpProxy.start([redis.port]);
    const databaseUrl = await createTestDatabase('fault');
    const redisUrl = `redis://127.0.0.1:${path.port}`;
    const env = faultEnv();
    nodes = [await ServerProcess.start({ databaseUrl, redisUrl, env })];
    nodes.push(await ServerProcess.start({ databaseUrl, redisUrl, env }));
    const users = await seedUsers(databaseUrl, 6);
    writerUsers = users.slice(0, 2);
    readerUsers = users.slice(2);
    conversation = await createGroup(
      nodes[0].baseUrl,
      writerUsers[0],
      [...writerUsers.slice(1), ...readerUsers],
      'redis faults',
    );
    channel = `chat:${conversation}`;
  }, 120_000);
  afterAll(async () => {
    for (const o of open) o.close();
    await killAllServers();
    await path?.close();
    await redis?.stop();
  });

  /** Two readers on each node; writers on both nodes, one message every `pauseMs` each. */
  async function scenario(
    name: string,
    breakRedis: () => Promise<void>,
    repairRedis: () => Promise<void>,
    outageMs: number,
  ): Promise<void> {
    const [a, b] = nodes;
    const readers = readerUsers.map(
      (u, i) => new ResumingSubscriber((i % 2 ? b : a).baseUrl, u.accessToken, [channel]),
    );
    for (const r of readers) await r.start();
    open.push({ close: () => readers.forEach((r) => r.stop()) });
    const writers = await Promise.all(
      writerUsers.map((u, i) => PipelinedSocket.open((i ? b : a).baseUrl, u.accessToken)),
    );
    open.push(...writers);
    let writing = true;
    let acked = 0;
    const refused: string[] = [];
    const writeLoop = async (w: PipelinedSocket, who: number): Promise<void> => {
      for (let n = 0; writing; n++) {
        const reply = await w.request('chat.send', {
          conversationId: conversation,
          content: `${name} ${who}:${n}`,
        });
        if (reply.type === 'ack') acked += 1;
        else refused.push(JSON.stringify(reply));
        await sleep(20);
      }
    };
    const writing$ = writers.map((w, i) => writeLoop(w, i));
    try {
      await expectEventually(() => expect(acked).toBeGreaterThan(20));
      await breakRedis();
      const brokeAt = Date.now();
      // Degraded, not unready: the nodes go on serving.
      for (const node of nodes)
        await expectEventually(
          async () =>
            expect(await node.readiness()).toMatchObject({
              status: 200,
              body: { status: 'degraded', error: { redis: { status: 'down' } } },
            }),
          { timeoutMs: 15_000, intervalMs: 200 },
        );
      const ackedAtBreak = acked;
      const readAtBreak = readers.map((r) => r.last.get(channel) ?? 0);
      // Local delivery goes on: each node's readers keep getting events
      // (their own node's writes, and the other's repaired from the log).
      await expectEventually(
        () =>
          readers.forEach((r, i) =>
            expect(r.last.get(channel)).toBeGreaterThan(readAtBreak[i] + 10),
          ),
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      // A reader that drops resumes from the log while Redis is away.
      await readers[0].drop('close');
      // The outage lasts its full length (pacing, not an assertion).
      await sleep(Math.max(0, outageMs - (Date.now() - brokeAt)));
      expect(acked).toBeGreaterThan(ackedAtBreak);
      await repairRedis();
      for (const node of nodes)
        await expectEventually(
          async () =>
            expect(await node.readiness()).toMatchObject({ status: 200, body: { status: 'ok' } }),
          { timeoutMs: 30_000, intervalMs: 200 },
        );
      // Some more after the repair, then stop.
      const ackedAtRepair = acked;
      await expectEventually(() => expect(acked).toBeGreaterThan(ackedAtRepair + 20));
    } finally {
      writing = false;
      await Promise.all(writing$);
    }
    expect(refused).toEqual([]);
    const latest = new Map([[channel, await latestOffset(a.baseUrl, writerUsers[0], channel)]]);
    await expectEventually(() => readers.forEach((r) => expect(r.caughtUp(latest)).toBe(true)), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const figures = {
      scenario: name,
      outageMs,
      events: latest.get(channel),
      acked,
      perReader: readers.map((r) => r.received),
      duplicates: readers.reduce((n, r) => n + r.duplicates, 0),
      gaps: readers.reduce((n, r) => n + r.gaps, 0),
      resumes: readers.reduce((n, r) => n + r.resumes, 0),
      busReconnects: await Promise.all(nodes.map((n) => n.metric('rt_bus_reconnects_total'))),
    };
    console.log(`[redis] ${JSON.stringify(figures)}`);
    expect(figures.duplicates).toBe(0);
    expect(figures.gaps).toBe(0);
    for (const r of readers) expect(r.errors).toEqual([]);
    for (const n of figures.busReconnects) expect(n).toBeGreaterThan(0);
    for (const r of readers) r.stop();
    for (const w of writers) w.close();
  }

  it('Redis restarted mid-stream: local delivery goes on, the nodes catch up, nothing lost or repeated', async () => {
    await scenario(
      'restart',
      () => redis.kill(),
      () => redis.restart(),
      3000,
    );
  }, 120_000);

  it(`Redis unreachable for ${OUTAGE_MS / 1000} s (connections open, nothing gets through): the same`, async () => {
    await scenario(
      'unreachable',
      async () => path.blackhole(),
      async () => path.heal(),
      OUTAGE_MS,
    );
  }, 180_000);
});
