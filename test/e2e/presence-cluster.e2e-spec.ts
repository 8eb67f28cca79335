import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import request from 'supertest';
import { freePort } from '../../src/database/embedded-postgres.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const GRACE_MS = 800;
const TTL_MS = 1500;

interface Presence {
  userId: string;
  status: string;
  lastSeenAt: string | null;
}

/**
 * Presence across instances sharing PostgreSQL and Redis: per-instance socket
 * counts in Redis (under a key prefix of this file's own), the grace period,
 * a graceful restart, and an instance killed outright.
 */
describe('presence across instances (Redis)', () => {
  const env = {
    REDIS_URL: process.env.TEST_REDIS_URL,
    PRESENCE_REDIS_PREFIX: `test-presence-${randomBytes(4).toString('hex')}:`,
    PRESENCE_GRACE_MS: String(GRACE_MS),
    PRESENCE_INSTANCE_TTL_MS: String(TTL_MS),
    WS_RATE_LIMIT: '100000',
  };
  let a: TestApp;
  let b: TestApp;
  let watcherUser: RegisteredUser;
  let watchers: TestSocket[];
  const open: TestSocket[] = [];
  const children: ChildProcess[] = [];
  const socketOn = async (app: { baseUrl: string }, user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(app.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  /** What a watcher heard about one user (other files' presence events share the bus). */
  const heard = (w: TestSocket, userId: string): string[] =>
    w
      .events('presence')
      .filter((e) => (e.data as Presence).userId === userId)
      .map((e) => (e.data as Presence).status);
  const statusVia = async (app: TestApp, userId: string): Promise<string> => {
    const res = await request(app.baseUrl)
      .get('/api/presence')
      .query({ userIds: userId })
      .set(bearer(watcherUser));
    return (res.body as Presence[])[0].status;
  };

  beforeAll(async () => {
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set: use npm test');
    a = await startTestApp({ env });
    b = await startTestApp({ env, databaseUrl: a.databaseUrl });
    watcherUser = await registerUser(a.baseUrl);
    watchers = [await socketOn(a, watcherUser), await socketOn(b, watcherUser)];
    for (const w of watchers) await w.request('subscribe', { channel: 'presence' });
  }, 60_000);
  afterAll(async () => {
    for (const s of open) s.close();
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await a?.close();
    await b?.close();
  });

  it('one user on two instances: online announced once; offline only after the last socket anywhere + grace', async () => {
    const bob = await registerUser(a.baseUrl);
    const [onA, onB] = await Promise.all([socketOn(a, bob), socketOn(b, bob)]);
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, bob.id)).toEqual(['online']));
    onA.close();
    await sleep(GRACE_MS * 3);
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
      const user = await registerUser(a.baseUrl);
      // connect() resolves on the `connected` frame: no wait for the online mark.
      await socketOn(i % 2 === 0 ? a : b, user);
      const [viaA, viaB] = await Promise.all([statusVia(a, user.id), statusVia(b, user.id)]);
      expect({ user: i, viaA, viaB }).toEqual({ user: i, viaA: 'online', viaB: 'online' });
    }
  });

  it('a rolling restart: users of the stopped instance who reconnect elsewhere never go offline', async () => {
    const c = await startTestApp({ env, databaseUrl: a.databaseUrl });
    const carol = await registerUser(a.baseUrl);
    const dave = await registerUser(a.baseUrl);
    const carolOnC = await connect(c.baseUrl, { token: carol.accessToken });
    await connect(c.baseUrl, { token: dave.accessToken });
    for (const w of watchers) {
      await expectEventually(() => expect(heard(w, carol.id)).toEqual(['online']));
      await expectEventually(() => expect(heard(w, dave.id)).toEqual(['online']));
    }
    await c.close();
    await carolOnC.closed;
    // Carol's client reconnects to another instance; Dave's does not.
    await socketOn(b, carol);
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, dave.id)).toEqual(['online', 'offline']), {
        timeoutMs: GRACE_MS + 15_000,
      });
    await sleep(GRACE_MS);
    expect(await statusVia(a, carol.id)).toBe('online');
    for (const w of watchers) expect(heard(w, carol.id)).toEqual(['online']);
  });

  it('an instance killed outright: its users go offline after its heartbeat TTL', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.resolve('dist/main.js')], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: String(port),
        HOST: '127.0.0.1',
        JWT_SECRET: TEST_JWT_SECRET,
        DATABASE_URL: a.databaseUrl,
        ...(env as Record<string, string>),
      },
      stdio: 'ignore',
    });
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    await expectEventually(
      async () => expect((await request(base).get('/health/ready')).status).toBe(200),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const eve = await registerUser(a.baseUrl);
    await connect(base, { token: eve.accessToken });
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, eve.id)).toEqual(['online']));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    for (const w of watchers)
      await expectEventually(() => expect(heard(w, eve.id)).toEqual(['online', 'offline']), {
        timeoutMs: TTL_MS + 20_000,
      });
    // The last heartbeat was at most TTL/3 before the kill.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual((TTL_MS * 2) / 3 - 100);
    expect(await statusVia(a, eve.id)).toBe('offline');
  }, 120_000);
});
