import request from 'supertest';
import { roomMembers, TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const ADMIN_EMAIL = 'channels-admin@example.test';

describe('realtime channels and who may subscribe (docs/protocol.md: channels)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let admin: RegisteredUser;
  const open: TestSocket[] = [];
  const socketOf = async (user?: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, user ? { token: user.accessToken } : {});
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule], env: { ADMIN_EMAILS: ADMIN_EMAIL } });
    [alice, bob, admin] = await Promise.all([
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
      registerUser(t.baseUrl, { email: ADMIN_EMAIL }),
    ]);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it.each(['nope:1', 'chatx:1', 'test', 'presence:1', 'test:', 'Test:open-1', 'a b', ''])(
    'answers NOT_FOUND for the unknown or malformed channel "%s"',
    async (channel) => {
      const s = await socketOf(alice);
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({
        type: 'error',
        code: 'NOT_FOUND',
      });
    },
  );

  it('answers BAD_REQUEST for a subscribe without a channel or with a bad since', async () => {
    const s = await socketOf(alice);
    await expect(s.request('subscribe', {})).resolves.toMatchObject({
      code: 'BAD_REQUEST',
      details: [{ field: 'channel', errors: expect.any(Array) as unknown }],
    });
    for (const since of [-1, 1.5, '3', null])
      await expect(
        s.request('subscribe', { channel: 'test:open-1', since }),
      ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('answers FORBIDDEN for a room the user is not in, and subscribes once they are', async () => {
    const s = await socketOf(alice);
    await expect(s.request('subscribe', { channel: 'test:members-x' })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    roomMembers.set('members-x', new Set([alice.id]));
    await expect(s.request('subscribe', { channel: 'test:members-x' })).resolves.toMatchObject({
      type: 'subscribed',
      channel: 'test:members-x',
    });
  });

  it('checks the same policy on commands, over the socket and over REST', async () => {
    roomMembers.set('members-cmd', new Set([alice.id]));
    const b = await socketOf(bob);
    await expect(
      b.request('test.publish', { data: { room: 'members-cmd', n: 1 } }),
    ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    const rest = await request(t.baseUrl)
      .post('/api/test/rooms/members-cmd/items')
      .set(bearer(bob))
      .send({ n: 2 });
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ code: 'FORBIDDEN' });
    const a = await socketOf(alice);
    await expect(a.request('subscribe', { channel: 'test:members-cmd' })).resolves.toMatchObject({
      type: 'subscribed',
      offset: 0,
    });
  });

  it("allows a user's own channel only", async () => {
    const s = await socketOf(alice);
    await expect(s.request('subscribe', { channel: `user:${bob.id}` })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      s.request('subscribe', { channel: 'user:00000000-0000-0000-0000-000000000000' }),
    ).resolves.toMatchObject({ code: 'FORBIDDEN' });
    await expect(s.request('subscribe', { channel: `user:${alice.id}` })).resolves.toMatchObject({
      type: 'subscribed',
      channel: `user:${alice.id}`,
    });
  });

  it('allows presence to every user and system to admins only', async () => {
    const u = await socketOf(alice);
    await expect(u.request('subscribe', { channel: 'presence' })).resolves.toMatchObject({
      type: 'subscribed',
    });
    await expect(u.request('subscribe', { channel: 'announcements' })).resolves.toMatchObject({
      type: 'subscribed',
    });
    await expect(u.request('subscribe', { channel: 'system' })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    const a = await socketOf(admin);
    await expect(a.request('subscribe', { channel: 'system' })).resolves.toMatchObject({
      type: 'subscribed',
      channel: 'system',
    });
  });

  it('stops delivering after unsubscribe', async () => {
    const s = await socketOf(alice);
    const control = await socketOf(bob);
    for (const c of [s, control]) await c.request('subscribe', { channel: 'test:open-unsub' });
    await control.request('test.publish', { data: { room: 'open-unsub', n: 1 } });
    await s.waitEvents('test:open-unsub', 1);
    await expect(s.request('unsubscribe', { channel: 'test:open-unsub' })).resolves.toEqual({
      type: 'unsubscribed',
      id: expect.any(String) as unknown,
      channel: 'test:open-unsub',
    });
    await control.request('test.publish', { data: { room: 'open-unsub', n: 2 } });
    await control.waitEvents('test:open-unsub', 2);
    await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
    expect(s.events('test:open-unsub').map((e) => e.offset)).toEqual([1]);
  });

  it('answers a subscribe and an unsubscribe sent back to back, and ends unsubscribed', async () => {
    const s = await socketOf(alice);
    const control = await socketOf(bob);
    await control.request('subscribe', { channel: 'test:open-b2b' });
    const [subscribed, unsubscribed] = await Promise.all([
      s.request('subscribe', { channel: 'test:open-b2b', since: 0 }),
      s.request('unsubscribe', { channel: 'test:open-b2b' }),
    ]);
    expect(subscribed).toMatchObject({ type: 'subscribed', channel: 'test:open-b2b' });
    expect(unsubscribed).toMatchObject({ type: 'unsubscribed', channel: 'test:open-b2b' });
    await control.request('test.publish', { data: { room: 'open-b2b', n: 1 } });
    await control.waitEvents('test:open-b2b', 1);
    await expect(s.request('list_channels')).resolves.toMatchObject({
      subscribed: [`user:${alice.id}`],
    });
    expect(s.events('test:open-b2b')).toEqual([]);
  });

  it('revokes a live subscription at once: unsubscribed with a reason, then no more events', async () => {
    roomMembers.set('members-rev', new Set([alice.id, bob.id]));
    const a1 = await socketOf(alice);
    const a2 = await socketOf(alice);
    const b = await socketOf(bob);
    for (const s of [a1, a2, b])
      await expect(s.request('subscribe', { channel: 'test:members-rev' })).resolves.toMatchObject({
        type: 'subscribed',
      });
    await b.request('test.publish', { data: { room: 'members-rev', n: 1 } });
    await a1.waitEvents('test:members-rev', 1);
    await a2.waitEvents('test:members-rev', 1);

    const res = await request(t.baseUrl)
      .post(`/api/test/rooms/members-rev/revoke/${alice.id}`)
      .set(bearer(bob));
    expect(res.status).toBe(204);
    for (const s of [a1, a2])
      await expect(s.next((f) => f.type === 'unsubscribed')).resolves.toEqual({
        type: 'unsubscribed',
        channel: 'test:members-rev',
        reason: 'revoked',
      });

    for (let n = 2; n <= 4; n++)
      await expect(
        b.request('test.publish', { data: { room: 'members-rev', n } }),
      ).resolves.toMatchObject({ type: 'ack', data: { offset: n } });
    // Bob, still a member, got them all; alice's sockets got none of them.
    await b.waitEvents('test:members-rev', 4);
    await expect(a1.request('ping')).resolves.toMatchObject({ type: 'pong' });
    for (const s of [a1, a2]) {
      expect(s.events('test:members-rev').map((e) => e.offset)).toEqual([1]);
      // The node-to-node control message is not a client event.
      expect(
        s.frames.filter((f) => f.type === 'event' && f.channel !== 'test:members-rev'),
      ).toEqual([]);
    }
    await expect(a1.request('subscribe', { channel: 'test:members-rev' })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    const list = await a2.request('list_channels');
    expect(list.subscribed).toEqual([`user:${alice.id}`]);
  });
});
