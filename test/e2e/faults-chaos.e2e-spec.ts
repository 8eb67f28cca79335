import { expectEventually } from '../helpers/eventually.js';
import {
  Cluster,
  createGroup,
  faultEnv,
  knob,
  latestOffset,
  seedUsers,
  startCluster,
} from '../helpers/fault-cluster.js';
import { PipelinedSocket } from '../helpers/pipelined-socket.js';
import { DROP_MODES, DropMode, ResumingSubscriber } from '../helpers/resuming-subscriber.js';
import { killAllServers } from '../helpers/server-process.js';

/** Full size by default; `CHAOS_*` scale it down while developing. */
const EVENTS = knob('CHAOS_EVENTS', 100_000);
const CHANNELS = knob('CHAOS_CHANNELS', 50);
const SUBSCRIBERS = knob('CHAOS_SUBSCRIBERS', 200);
const CHANNELS_EACH = knob('CHAOS_CHANNELS_PER_SUBSCRIBER', 2);
/** One subscriber is dropped every this many ms while events are written. */
const DROP_EVERY_MS = knob('CHAOS_DROP_EVERY_MS', 100);
const WRITERS = 8;
/** Requests each writer keeps in flight. */
const WINDOW = knob('CHAOS_WINDOW', 64);

/**
 * Chaos drops: chat events written on both nodes while subscribers, spread
 * over both nodes by a TCP proxy, lose their connections at random (a clean
 * close, a half-open connection the server is never told about, a TCP cut
 * without a close frame, a socket destroyed by the client) and resume with
 * `since`. Every subscriber must end with every offset of its channels exactly
 * once, in order.
 */
describe('chaos: subscribers dropping at random while events flow', () => {
  let cluster: Cluster;
  afterAll(async () => {
    await cluster?.proxy.close();
    await killAllServers();
  });

  it(`delivers ${EVENTS} events on ${CHANNELS} channels to ${SUBSCRIBERS} dropping subscribers exactly once, in order`, async () => {
    const started = Date.now();
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    cluster = await startCluster(redisUrl, faultEnv());
    const [a, b] = cluster.nodes;
    const users = await seedUsers(cluster.databaseUrl, SUBSCRIBERS + WRITERS);
    const writerUsers = users.slice(0, WRITERS);
    const subscriberUsers = users.slice(WRITERS);

    // Subscriber i reads CHANNELS_EACH consecutive channels: each channel has the
    // same number of readers, and every pair of neighbours shares some.
    const readersOf = Array.from({ length: CHANNELS }, () => new Set<number>());
    subscriberUsers.forEach((_, i) => {
      for (let j = 0; j < CHANNELS_EACH; j++) readersOf[(i + j) % CHANNELS].add(i);
    });
    const conversations: string[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      const members = [
        ...writerUsers.slice(1),
        ...[...readersOf[c]].map((i) => subscriberUsers[i]),
      ];
      conversations.push(await createGroup(a.baseUrl, writerUsers[0], members, `chaos ${c}`));
    }
    const channels = conversations.map((id) => `chat:${id}`);

    const subscribers = subscriberUsers.map(
      (u, i) =>
        new ResumingSubscriber(
          cluster.proxy.url,
          u.accessToken,
          Array.from({ length: CHANNELS_EACH }, (_, j) => channels[(i + j) % CHANNELS]),
          cluster.proxy,
        ),
    );
    for (let i = 0; i < subscribers.length; i += 20)
      await Promise.all(subscribers.slice(i, i + 20).map((s) => s.start()));
    const setupMs = Date.now() - started;

    // Writers on both nodes, directly (they are not what is being dropped).
    const writers = await Promise.all(
      writerUsers.map((u, i) => PipelinedSocket.open((i % 2 ? b : a).baseUrl, u.accessToken)),
    );
    let next = 0;
    let acked = 0;
    const refused: string[] = [];
    const writeLoop = async (w: PipelinedSocket): Promise<void> => {
      for (;;) {
        const n = next++;
        if (n >= EVENTS) return;
        const reply = await w.request('chat.send', {
          conversationId: conversations[n % CHANNELS],
          content: `m${n}`,
        });
        if (reply.type === 'ack') acked += 1;
        else refused.push(JSON.stringify(reply));
      }
    };
    const drops = new Map<DropMode, number>(DROP_MODES.map((m) => [m, 0]));
    const dropping = new Set<Promise<void>>();
    const chaos = setInterval(() => {
      const s = subscribers[Math.floor(Math.random() * subscribers.length)];
      if (!s.connected) return;
      const mode = DROP_MODES[Math.floor(Math.random() * DROP_MODES.length)];
      drops.set(mode, (drops.get(mode) ?? 0) + 1);
      const p = s.drop(mode).finally(() => dropping.delete(p));
      dropping.add(p);
    }, DROP_EVERY_MS);
    const writeStarted = Date.now();
    const cpuBefore = { nodes: cluster.nodes.map((n) => n.cpuMs()), test: process.cpuUsage() };
    try {
      await Promise.all(writers.flatMap((w) => Array.from({ length: WINDOW }, () => writeLoop(w))));
    } finally {
      clearInterval(chaos);
    }
    const writeMs = Date.now() - writeStarted;
    const testCpu = process.cpuUsage(cpuBefore.test);
    const cpuMs = {
      nodes: cluster.nodes.map((n, i) => Math.round(n.cpuMs() - cpuBefore.nodes[i])),
      test: Math.round((testCpu.user + testCpu.system) / 1000),
    };
    await Promise.all([...dropping]);
    expect(refused).toEqual([]);
    expect(acked).toBe(EVENTS);

    const latest = new Map<string, number>();
    for (const ch of channels) latest.set(ch, await latestOffset(a.baseUrl, writerUsers[0], ch));
    expect([...latest.values()].reduce((x, y) => x + y, 0)).toBe(EVENTS);
    await expectEventually(
      () => expect(subscribers.filter((s) => !s.caughtUp(latest)).length).toBe(0),
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    const sum = (f: (s: ResumingSubscriber) => number): number =>
      subscribers.reduce((n, s) => n + f(s), 0);
    const figures = {
      events: EVENTS,
      channels: CHANNELS,
      subscribers: SUBSCRIBERS,
      deliveries: sum((s) => s.received),
      drops: Object.fromEntries(drops),
      totalDrops: [...drops.values()].reduce((x, y) => x + y, 0),
      resumes: sum((s) => s.resumes),
      duplicates: sum((s) => s.duplicates),
      gaps: sum((s) => s.gaps),
      notRecovered: sum((s) => s.notRecovered),
      serverCloses: subscribers.reduce<Record<string, number>>((acc, s) => {
        for (const [code, n] of s.unexpectedCloses) acc[code] = (acc[code] ?? 0) + n;
        return acc;
      }, {}),
      setupMs,
      writeMs,
      cpuMsWhileWriting: cpuMs,
      totalMs: Date.now() - started,
    };
    console.log(`[chaos] ${JSON.stringify(figures)}`);
    for (const s of subscribers) s.stop();
    for (const w of writers) w.close();

    expect(figures.duplicates).toBe(0);
    expect(figures.gaps).toBe(0);
    expect(figures.notRecovered).toBe(0);
    expect(subscribers.flatMap((s) => s.errors)).toEqual([]);
    for (const mode of DROP_MODES) expect(drops.get(mode)).toBeGreaterThan(0);
    expect(figures.resumes).toBeGreaterThanOrEqual(figures.totalDrops);
    // Every subscriber got every offset of its channels: exactly the events written there.
    expect(figures.deliveries).toBe(
      channels.reduce((n, ch, c) => n + latest.get(ch)! * readersOf[c].size, 0),
    );
  }, 540_000);
});
