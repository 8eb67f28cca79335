import type { Server } from 'node:http';
import type net from 'node:net';
import request from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { seedUsers, SeededUser } from '../helpers/seed-users.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { connect, refusedUpgrade, TestSocket } from '../helpers/ws-client.js';

interface Presence {
  userId: string;
  status: string;
}

/**
 * Many sockets of distinct users at once (a node drained, its users back on
 * this one): their token lookups share queries and their online marks share
 * transactions, and still each socket is its own user, a revoked login or a
 * deleted user among them is refused, and each user is announced online once.
 */
describe('a reconnect storm of distinct users', () => {
  const USERS = 60;
  let t: TestApp;
  let users: SeededUser[];
  const open: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { WS_CONNECT_RATE_PER_IP: '100000' } });
    users = await seedUsers(t.databaseUrl, USERS + 3);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('gives every socket its own user, refuses the revoked and the deleted, announces each once', async () => {
    const [watcherUser, revoked, deleted, ...storm] = users;
    const db = await sqlClient(t.databaseUrl);
    try {
      await db.query('UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1', [
        revoked.id,
      ]);
      await db.query('DELETE FROM users WHERE id = $1', [deleted.id]);
      // Waiting notifications, pushed at connect: 0, 1 or 2 per user, each to its own user.
      await db.query(
        `INSERT INTO notifications (user_id, type, title, body)
         SELECT u, 'test', 'for ' || u, 'waiting'
           FROM unnest($1::uuid[]) WITH ORDINALITY AS s(u, i), generate_series(1, (i % 3)::int)`,
        [storm.map((u) => u.id)],
      );
    } finally {
      await db.end();
    }
    const watcher = await connect(t.baseUrl, { token: watcherUser.accessToken });
    open.push(watcher);
    await watcher.request('subscribe', { channel: 'presence' });

    const [sockets, refusedRevoked, refusedDeleted] = await Promise.all([
      Promise.all(storm.map((u) => connect(t.baseUrl, { token: u.accessToken }))),
      refusedUpgrade(t.baseUrl, { token: revoked.accessToken }),
      refusedUpgrade(t.baseUrl, { token: deleted.accessToken }),
    ]);
    open.push(...sockets);
    expect([refusedRevoked.status, refusedDeleted.status]).toEqual([401, 401]);
    const connectedAs = sockets.map((s) => {
      const hello = s.frames.find((f) => f.type === 'connected');
      return (hello?.user as { id: string } | undefined)?.id;
    });
    expect(connectedAs).toEqual(storm.map((u) => u.id));
    const waitingFor = (i: number): string[] =>
      Array<string>((i + 1) % 3).fill(`for ${storm[i].id}`);
    const pushed = (s: TestSocket): string[] =>
      s
        .events(`user:${connectedAs[sockets.indexOf(s)]}`)
        .filter((e) => e.event === 'notification.created')
        .map((e) => (e.data as { title: string }).title);
    await expectEventually(() =>
      expect(sockets.map(pushed)).toEqual(storm.map((_, i) => waitingFor(i))),
    );

    const res = await request(t.baseUrl)
      .get('/api/presence')
      .query({ userIds: storm.map((u) => u.id).join(',') })
      .set('Authorization', `Bearer ${watcherUser.accessToken}`);
    expect(res.status).toBe(200);
    expect((res.body as Presence[]).map((p) => p.status)).toEqual(storm.map(() => 'online'));

    // Each user announced online once, after the commit of its mark.
    const stormIds = new Set(storm.map((u) => u.id));
    const announced = (): string[] =>
      watcher
        .events('presence')
        .map((e) => e.data as Presence)
        .filter((p) => stormIds.has(p.userId) && p.status === 'online')
        .map((p) => p.userId);
    await expectEventually(() => expect(announced()).toHaveLength(USERS));
    // A later marker: a user connecting now is announced after any late duplicate.
    const [late] = await seedUsers(t.databaseUrl, 1);
    open.push(await connect(t.baseUrl, { token: late.accessToken }));
    await watcher.next(
      (f) => f.type === 'event' && (f.data as Presence | undefined)?.userId === late.id,
    );
    expect([...announced()].sort()).toEqual([...stormIds].sort());

    // Shared transactions: fewer distinct row versions' writers than users.
    const check = await sqlClient(t.databaseUrl);
    try {
      const { rows } = await check.query<{ writers: string }>(
        'SELECT count(DISTINCT xmin::text) AS writers FROM user_presence WHERE user_id = ANY($1::uuid[])',
        [storm.map((u) => u.id)],
      );
      const writers = Number(rows[0].writers);
      console.log(
        `[connect storm] ${USERS} users: online marks written by ${writers} transactions`,
      );
      expect(writers).toBeLessThan(USERS);
    } finally {
      await check.end();
    }
  });

  it('sends the 101 response and `connected` in one write', async () => {
    const [user] = await seedUsers(t.databaseUrl, 1);
    // Counts what the server hands the kernel for the upgraded socket (Writable
    // calls _write for one chunk, _writev for several corked ones).
    let writes = 0;
    const counting = (_req: unknown, socket: net.Socket): void => {
      const internals = socket as unknown as Record<
        '_write' | '_writev',
        (...a: unknown[]) => void
      >;
      for (const name of ['_write', '_writev'] as const) {
        const original = internals[name].bind(socket);
        internals[name] = (...args) => {
          writes += 1;
          original(...args);
        };
      }
    };
    const server = t.app.getHttpServer() as Server;
    server.on('upgrade', counting);
    try {
      open.push(await connect(t.baseUrl, { token: user.accessToken }));
    } finally {
      server.off('upgrade', counting);
    }
    expect(writes).toBe(1);
  });
});
