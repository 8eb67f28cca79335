import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { faultEnv, seedUsers } from '../helpers/fault-cluster.js';
import { killAllServers, ServerProcess } from '../helpers/server-process.js';
import type { SeededUser } from '../helpers/seed-users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const GRACE_MS = 800;
const TTL_MS = 1500;

interface Presence {
  userId: string;
  status: string;
  lastSeenAt: string | null;
}

/**
 * Presence across server processes sharing PostgreSQL and Redis: per-instance
 * socket counts in Redis (under a key prefix of this file's own), the grace
 * period, a graceful restart, and an instance killed outright.
 */
describe('presence across instances (Redis)', () => {
  const env = faultEnv({
    PRESENCE_REDIS_PREFIX: `test-presence-${randomBytes(4).toString('hex')}:`,
    PRESENCE_GRACE_MS: String(GRACE_MS),
    PRESENCE_INSTANCE_TTL_MS: String(TTL_MS),
  });
  let databaseUrl: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let watcherUser: SeededUser;
  let watchers: TestSocket[];
  const open: TestSocket[] = [];
  const socketOn = async (node: ServerProcess, user: SeededUser): Promise<TestSocket> => {
    const s = await connect(node.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  const newUser = async (): Promise<SeededUser> => (await seedUsers(databaseUrl, 1))[0];
  /** What a watcher heard about one user. */
  const heard = (w: TestSocket, userId: string): string[] =>
    w
      .events('presence')
      .filter((e) => (e.data as Presence).userId === userId)
      .map((e) => (e.data as Presence).status);
  const statusVia = async (node: ServerProcess, userId: string): Promise<string> => {
    const res = await fetch(`${node.baseUrl}/api/presence?userIds=${userId}`, {
      headers: { authorization: `Bearer ${watcherUser.accessToken}` },
    });
    return ((await res.json()) as Presence[])[0].status;
  };
  /**
   * The marker that every offline check due by now has run: a user who connects
   * and leaves now goes offline a grace period later, after those checks.
   */
  const markerOffline = async (node: ServerProcess): Promise<void> => {
    const marker = await newUser();
    const s = await socketOn(node, marker);
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, marker.id)).toEqual(['online']));
    s.close();
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, marker.id)).toEqual(['online', 'offline']), {
        timeoutMs: GRACE_MS + 15_000,
      });
  };

  beforeAll(async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: use npm test');
    databaseUrl = await createTestDatabase('presence');
    a = await ServerProcess.start({ databaseUrl, redisUrl, env });
    b = await ServerProcess.start({ databaseUrl, redisUrl, env });
    watcherUser = await newUser();
    watchers = [await socketOn(a, watcherUser), await socketOn(b, watcherUser)];
    for (const w of watchers) await w.request('subscribe', { channel: 'presence' });
  }, 120_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await killAllServers();
  });

  it('one user on two instances: online announced once; offline only after the last socket anywhere + grace', async () => {
    const bob = await newUser();
    const [onA, onB] = await Promise.all([socketOn(a, bob), socketOn(b, bob)]);
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, bob.id)).toEqual(['online']));
    onA.close();
    await onA.closed;
    await markerOffline(a);
    expect(await statusVia(a, bob.id)).toBe('online');
    expect(await statusVia(b, bob.id)).toBe('online');
    for (const w of watchers) expect(heard(w, bob.id)).toEqual(['online']);
    const closedAt = Date.now();
    onB.close();
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, bob.id)).toEqual(['online', 'offline']), {
        timeoutMs: GRACE_MS + 15_000,
      });
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(await statusVia(b, bob.id)).toBe('offline');
  });

  it('reads a user online on every node as soon as their client got `connected`', async () => {
    for (let i = 0; i < 6; i++) {
      const user = await newUser();
      // connect() resolves on the `connected` frame: no wait for the online mark.
      await socketOn(i % 2 === 0 ? a : b, user);
      const [viaA, viaB] = await Promise.all([statusVia(a, user.id), statusVia(b, user.id)]);
      expect({ user: i, viaA, viaB }).toEqual({ user: i, viaA: 'online', viaB: 'online' });
    }
  });

  it('a rolling restart: users of the stopped instance who reconnect elsewhere never go offline', async () => {
    const c = await ServerProcess.start({ databaseUrl, redisUrl: process.env.TEST_REDIS_URL, env });
    const carol = await newUser();
    const dave = await newUser();
    const carolOnC = await connect(c.baseUrl, { token: carol.accessToken });
    await connect(c.baseUrl, { token: dave.accessToken });
    for (const w of watchers) {
      await expectEventually(() => expect(heard(w, carol.id)).toEqual(['online']));
      await expectEventually(() => expect(heard(w, dave.id)).toEqual(['online']));
    }
    expect(await c.stop()).toEqual({ code: 0, signal: null });
    await carolOnC.closed;
    // Carol's client reconnects to another instance; Dave's does not.
    await socketOn(b, carol);
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, dave.id)).toEqual(['online', 'offline']), {
        timeoutMs: GRACE_MS + 15_000,
      });
    await markerOffline(b);
    expect(await statusVia(a, carol.id)).toBe('online');
    for (const w of watchers) expect(heard(w, carol.id)).toEqual(['online']);
  });

  it('an instance killed outright: its users go offline after its heartbeat TTL', async () => {
    const victim = await ServerProcess.start({
      databaseUrl,
      redisUrl: process.env.TEST_REDIS_URL,
      env,
    });
    const eve = await newUser();
    await connect(victim.baseUrl, { token: eve.accessToken });
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, eve.id)).toEqual(['online']));
    const killedAt = Date.now();
    await victim.kill();
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, eve.id)).toEqual(['online', 'offline']), {
        timeoutMs: TTL_MS + 20_000,
      });
    // The last heartbeat was at most TTL/3 before the kill.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual((TTL_MS * 2) / 3 - 100);
    expect(await statusVia(a, eve.id)).toBe('offline');
  }, 120_000);
});
