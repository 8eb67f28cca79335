import { expectEventually, sleep } from '../helpers/eventually.js';
import { sqlClient } from '../helpers/databases.js';
import {
  Cluster,
  createGroup,
  faultEnv,
  latestOffset,
  seedUsers,
  startCluster,
} from '../helpers/fault-cluster.js';
import { PipelinedSocket, Reply } from '../helpers/pipelined-socket.js';
import { ResumingSubscriber } from '../helpers/resuming-subscriber.js';
import { killAllServers } from '../helpers/server-process.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const GRACE_MS = 1500;
const TTL_MS = 4500;
const SUBSCRIBERS = 20;

interface Presence {
  userId: string;
  status: string;
}

/**
 * One of two nodes killed with SIGKILL while events are written: its clients
 * reconnect through the proxy to the survivor and resume with nothing lost; a
 * write it acked is in the database; its users who do not come back go
 * offline once its heartbeat TTL ran out (never before the grace period),
 * those who came back never do; its share of `stats` disappears.
 */
describe('one of two nodes killed (SIGKILL) under load', () => {
  let cluster: Cluster;
  const open: { close(): void }[] = [];
  afterAll(async () => {
    for (const o of open) o.close();
    await cluster?.proxy.close();
    await killAllServers();
  });

  it('moves its clients to the survivor with nothing lost, then forgets it (presence, stats)', async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    cluster = await startCluster(
      redisUrl,
      faultEnv({ PRESENCE_GRACE_MS: String(GRACE_MS), PRESENCE_INSTANCE_TTL_MS: String(TTL_MS) }),
    );
    const [victim, survivor] = cluster.nodes;
    const [admin] = await seedUsers(cluster.databaseUrl, 1, { role: 'admin' });
    const users = await seedUsers(cluster.databaseUrl, SUBSCRIBERS + 4);
    const [writerOnVictim, writerOnSurvivor, stranded, marker] = users;
    const subscriberUsers = users.slice(4);
    const conversations = [
      await createGroup(
        survivor.baseUrl,
        writerOnVictim,
        [writerOnSurvivor, ...subscriberUsers],
        'k1',
      ),
      await createGroup(
        survivor.baseUrl,
        writerOnSurvivor,
        [writerOnVictim, ...subscriberUsers],
        'k2',
      ),
    ];
    const channels = conversations.map((id) => `chat:${id}`);

    // Watchers on the survivor: presence and stats.
    const watcher: TestSocket = await connect(survivor.baseUrl, { token: admin.accessToken });
    open.push(watcher);
    await watcher.request('subscribe', { channel: 'presence' });
    const presenceLog: { userId: string; status: string; at: number }[] = [];
    watcher.ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as { type: string; channel?: string; data?: Presence };
      if (f.type === 'event' && f.channel === 'presence' && f.data)
        presenceLog.push({ userId: f.data.userId, status: f.data.status, at: Date.now() });
    });
    const heard = (userId: string): { status: string; at: number }[] =>
      presenceLog.filter((p) => p.userId === userId);

    // Subscribers through the load balancer, so on both nodes; one user only on the victim.
    const subscribers = subscriberUsers.map(
      (u) => new ResumingSubscriber(cluster.proxy.url, u.accessToken, channels, cluster.proxy),
    );
    for (const s of subscribers) await s.start();
    open.push({ close: () => subscribers.forEach((s) => s.stop()) });
    const strandedSocket = await connect(victim.baseUrl, { token: stranded.accessToken });
    open.push(strandedSocket);
    await expectEventually(() =>
      expect(heard(stranded.id).map((h) => h.status)).toEqual(['online']),
    );
    const onVictim = cluster.proxy.connections().filter((p) => p.target === victim.port).length;
    expect(onVictim).toBeGreaterThan(0);
    const statsBefore = await expectEventually(async () => {
      const s = await watcher.request('stats');
      expect(s.nodes).toBe(2);
      return s;
    });

    // Writers on both nodes, many requests in flight on the victim when it dies.
    const sockets = [
      await PipelinedSocket.open(victim.baseUrl, writerOnVictim.accessToken),
      await PipelinedSocket.open(survivor.baseUrl, writerOnSurvivor.accessToken),
    ];
    open.push(...sockets);
    let writing = true;
    const acks: { content: string; reply: Reply }[] = [];
    const writeLoop = async (w: PipelinedSocket, who: number, lane: number): Promise<void> => {
      for (let n = 0; writing && w.ws.readyState === w.ws.OPEN; n++) {
        const content = `w${who}-${lane}-${n}`;
        const reply = await w.request('chat.send', {
          conversationId: conversations[n % 2],
          content,
        });
        acks.push({ content, reply });
      }
    };
    const loops = sockets.flatMap((w, who) =>
      Array.from({ length: 8 }, (_, lane) => writeLoop(w, who, lane)),
    );
    await expectEventually(() => expect(acks.length).toBeGreaterThan(200));
    const killedAt = Date.now();
    await victim.kill();
    // Everyone through the proxy is back, on the survivor.
    await expectEventually(() => expect(subscribers.every((s) => s.connected)).toBe(true), {
      timeoutMs: 30_000,
    });
    const resumedAt = Date.now();
    await sleep(500);
    writing = false;
    await Promise.all(loops);

    // Nothing acked is missing from the database.
    const acked = acks.filter((a) => a.reply.type === 'ack').map((a) => a.content);
    const db = await sqlClient(cluster.databaseUrl);
    try {
      const { rows } = await db.query<{ content: string }>(
        'SELECT content FROM messages WHERE conversation_id = ANY($1::uuid[])',
        [conversations],
      );
      const stored = new Set(rows.map((r) => r.content));
      expect(acked.filter((c) => !stored.has(c))).toEqual([]);
    } finally {
      await db.end();
    }
    // Refusals are only the victim's requests in flight when it died, answered by the close.
    expect(acks.filter((a) => a.reply.type !== 'ack').every((a) => a.reply.type === 'closed')).toBe(
      true,
    );

    // Every subscriber has every event once, in order.
    const latest = new Map<string, number>();
    for (const ch of channels)
      latest.set(ch, await latestOffset(survivor.baseUrl, writerOnSurvivor, ch));
    await expectEventually(
      () => expect(subscribers.filter((s) => !s.caughtUp(latest))).toEqual([]),
      {
        timeoutMs: 30_000,
      },
    );
    const duplicates = subscribers.reduce((n, s) => n + s.duplicates, 0);
    const gaps = subscribers.reduce((n, s) => n + s.gaps, 0);

    // The stranded user goes offline after the victim's TTL, never before the grace.
    await expectEventually(
      () => expect(heard(stranded.id).map((h) => h.status)).toEqual(['online', 'offline']),
      { timeoutMs: TTL_MS + GRACE_MS + 20_000 },
    );
    const offlineAfterMs = heard(stranded.id)[1].at - killedAt;
    // The victim's last heartbeat came at most TTL/3 before the kill.
    expect(offlineAfterMs).toBeGreaterThanOrEqual((TTL_MS * 2) / 3 - 200);
    expect(offlineAfterMs).toBeGreaterThanOrEqual(GRACE_MS);
    // Those who reconnected were never announced offline. The marker, to know the
    // offline checks of the victim's users are over: a user who leaves the survivor
    // after them, whose own offline comes a grace period later.
    const markerSocket = await connect(survivor.baseUrl, { token: marker.accessToken });
    await expectEventually(() => expect(heard(marker.id).map((h) => h.status)).toEqual(['online']));
    markerSocket.close();
    await expectEventually(
      () => expect(heard(marker.id).map((h) => h.status)).toEqual(['online', 'offline']),
      { timeoutMs: GRACE_MS + 15_000 },
    );
    for (const u of subscriberUsers) expect(heard(u.id).map((h) => h.status)).toEqual(['online']);

    // Its share of stats disappears: one node, whose connections are the survivor's.
    const statsAfter = await expectEventually(
      async () => {
        const s = await watcher.request('stats');
        expect(s.nodes).toBe(1);
        expect(s.connections).toBe((s.node as { connections: number }).connections);
        return s;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(statsAfter.users).toBe((statsAfter.node as { users: number }).users);

    const figures = {
      killed: 1,
      onVictimAtKill: onVictim,
      acked: acked.length,
      inFlightLost: acks.length - acked.length,
      events: [...latest.values()].reduce((x, y) => x + y, 0),
      resumeMs: resumedAt - killedAt,
      resumes: subscribers.reduce((n, s) => n + s.resumes, 0),
      duplicates,
      gaps,
      strandedOfflineAfterMs: offlineAfterMs,
      statsBefore: { nodes: statsBefore.nodes, connections: statsBefore.connections },
      statsAfter: { nodes: statsAfter.nodes, connections: statsAfter.connections },
    };
    console.log(`[kill] ${JSON.stringify(figures)}`);
    expect(duplicates).toBe(0);
    expect(gaps).toBe(0);
    expect(subscribers.flatMap((s) => s.errors)).toEqual([]);
  }, 180_000);
});
