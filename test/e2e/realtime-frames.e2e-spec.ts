import { accessTokenFor } from '../helpers/access-tokens.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { decodePayload } from '../helpers/tokens.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const ADMIN_EMAIL = 'frames-admin@example.test';
const MAX_PAYLOAD = 2048;

describe('realtime frames (docs/protocol.md: frames and replies)', () => {
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
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: {
        ADMIN_EMAILS: `someone@example.test, ${ADMIN_EMAIL.toUpperCase()}`,
        WS_HEARTBEAT_MS: '4000',
        WS_MAX_PAYLOAD: String(MAX_PAYLOAD),
      },
    });
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

  it('sends connected first, with the connection id, the user and WS_HEARTBEAT_MS', async () => {
    const s = await socketOf(alice);
    expect(s.frames[0]).toEqual({
      type: 'connected',
      connectionId: expect.any(String) as unknown,
      user: { id: alice.id, displayName: alice.displayName, role: 'user' },
      heartbeatMs: 4000,
    });
    const other = await socketOf(alice);
    expect(other.frames[0].connectionId).not.toBe(s.frames[0].connectionId);
  });

  it('reads the {type, action, data} dialect: joinRoom/leaveRoom subscribe and leave, type.action runs the command', async () => {
    const s = await socketOf(alice);
    s.send({
      type: 'system',
      action: 'joinRoom',
      id: 'j-1',
      data: { roomName: 'test:open-dialect' },
    });
    await expect(s.next((f) => f.id === 'j-1')).resolves.toMatchObject({
      type: 'subscribed',
      channel: 'test:open-dialect',
    });
    s.send({ type: 'test', action: 'publish', id: 'p-1', data: { room: 'open-dialect', n: 7 } });
    await expect(s.next((f) => f.id === 'p-1')).resolves.toMatchObject({
      type: 'ack',
      data: { offset: 1 },
    });
    await expect(s.waitEvents('test:open-dialect', 1)).resolves.toEqual([
      expect.objectContaining({ event: 'test.item.created', data: { by: alice.id, n: 7 } }),
    ]);
    s.send({
      type: 'system',
      action: 'leaveRoom',
      id: 'l-1',
      data: { roomName: 'test:open-dialect' },
    });
    await expect(s.next((f) => f.id === 'l-1')).resolves.toMatchObject({
      type: 'unsubscribed',
      channel: 'test:open-dialect',
    });
    s.send({ type: 'chat', action: 'nope', id: 'u-1', data: {} });
    await expect(s.next((f) => f.id === 'u-1')).resolves.toMatchObject({ code: 'UNKNOWN_TYPE' });
  });

  it('answers ping with pong, its ts and the same id', async () => {
    const s = await socketOf(alice);
    const before = Date.now();
    const pong = await s.request('ping');
    expect(pong).toEqual({ type: 'pong', id: pong.id, ts: expect.any(Number) as unknown });
    expect(pong.id).toMatch(/^c-/);
    expect(pong.ts as number).toBeGreaterThanOrEqual(before - 1000);
    expect(pong.ts as number).toBeLessThanOrEqual(Date.now() + 1000);
    const id64 = 'x'.repeat(64);
    s.send({ type: 'ping', id: id64 });
    await expect(s.next((f) => f.id === id64)).resolves.toMatchObject({ type: 'pong' });
    s.send({ type: 'ping' });
    await expect(s.next((f) => f.type === 'pong' && f.id === undefined)).resolves.toBeTruthy();
  });

  it('answers malformed JSON with BAD_REQUEST and keeps the socket open', async () => {
    const s = await socketOf(alice);
    s.send('{"type": "ping", ');
    await expect(s.next((f) => f.type === 'error')).resolves.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.any(String) as unknown,
    });
    s.send('[1,2,3]');
    await expect(
      s.next((f) => f.type === 'error' && f !== s.frames.find((x) => x.type === 'error')),
    ).resolves.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
    expect(s.ws.readyState).toBe(s.ws.OPEN);
  });

  it('refuses an id over 64 characters and a frame without a type with BAD_REQUEST', async () => {
    const s = await socketOf(alice);
    s.send({ type: 'ping', id: 'x'.repeat(65) });
    await expect(s.next((f) => f.type === 'error')).resolves.toMatchObject({
      code: 'BAD_REQUEST',
      details: [{ field: 'id', errors: expect.any(Array) as unknown }],
    });
    await expect(s.request('', {})).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
    });
    s.send({ id: 'no-type' });
    await expect(s.next((f) => f.id === 'no-type')).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
    });
    expect(s.frames.some((f) => f.type === 'pong')).toBe(false);
    await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
  });

  it('answers an unknown type with UNKNOWN_TYPE and the same id', async () => {
    const s = await socketOf(alice);
    await expect(s.request('nope.nothing')).resolves.toMatchObject({
      type: 'error',
      code: 'UNKNOWN_TYPE',
    });
    await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
  });

  it('closes with 1003 on a binary frame', async () => {
    const s = await socketOf(alice);
    s.ws.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
    await expect(s.closed).resolves.toMatchObject({ code: 1003 });
  });

  it('accepts a frame up to WS_MAX_PAYLOAD and closes with 1009 above it', async () => {
    const s = await socketOf(alice);
    const base = JSON.stringify({ type: 'ping', id: 'big', pad: '' });
    s.send({ type: 'ping', id: 'big', pad: 'p'.repeat(MAX_PAYLOAD - Buffer.byteLength(base)) });
    await expect(s.next((f) => f.id === 'big')).resolves.toMatchObject({ type: 'pong' });
    s.send({ type: 'ping', id: 'too-big', pad: 'p'.repeat(MAX_PAYLOAD) });
    await expect(s.closed).resolves.toMatchObject({ code: 1009 });
    expect(s.frames.some((f) => f.id === 'too-big')).toBe(false);
  });

  it("refuses command data over the command's limit with TOO_LARGE", async () => {
    const s = await socketOf(alice);
    await expect(
      s.request('test.small', { data: { room: 'r', text: 'a'.repeat(300) } }),
    ).resolves.toMatchObject({ type: 'error', code: 'TOO_LARGE' });
    await expect(
      s.request('test.small', { data: { room: 'r', text: 'a'.repeat(50) } }),
    ).resolves.toEqual({ type: 'ack', id: expect.any(String) as unknown, data: { size: 50 } });
  });

  it('answers a command that fails validation with BAD_REQUEST listing the fields', async () => {
    const s = await socketOf(alice);
    const reply = await s.request('test.publish', {
      data: { room: 'open-valid', n: -1, text: 7, extra: true },
    });
    expect(reply).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    const fields = (reply.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['extra', 'n', 'text']);
    await expect(s.request('subscribe', { channel: 'test:open-valid' })).resolves.toMatchObject({
      offset: 0,
    });
  });

  it('lists the user channel (subscribed at connect), subscriptions and patterns', async () => {
    const s = await socketOf(alice);
    const first = await s.request('list_channels');
    expect(first).toMatchObject({ type: 'channels', subscribed: [`user:${alice.id}`] });
    expect(first.patterns).toEqual(
      expect.arrayContaining(['announcements', 'presence', 'system', 'user:*', 'test:*']),
    );
    await s.request('subscribe', { channel: 'test:open-list' });
    await s.request('subscribe', { channel: 'announcements' });
    const second = await s.request('list_channels');
    expect([...(second.subscribed as string[])].sort()).toEqual(
      ['announcements', 'test:open-list', `user:${alice.id}`].sort(),
    );
    await expect(s.request('unsubscribe', { channel: 'test:open-list' })).resolves.toMatchObject({
      type: 'unsubscribed',
      channel: 'test:open-list',
    });
    const third = await s.request('list_channels');
    expect([...(third.subscribed as string[])].sort()).toEqual(
      ['announcements', `user:${alice.id}`].sort(),
    );
  });

  it('gives stats to admins (ADMIN_EMAILS) and FORBIDDEN to users', async () => {
    const a = await socketOf(admin);
    expect(a.frames[0]).toMatchObject({ user: { id: admin.id, role: 'admin' } });
    const stats = await a.request('stats');
    expect(stats).toMatchObject({
      type: 'stats',
      connections: expect.any(Number) as unknown,
      users: expect.any(Number) as unknown,
      channels: expect.any(Number) as unknown,
      subscriptions: expect.any(Number) as unknown,
    });
    expect(stats.connections as number).toBeGreaterThanOrEqual(1);
    expect(stats.users as number).toBeGreaterThanOrEqual(1);
    expect(stats.subscriptions as number).toBeGreaterThanOrEqual(1);
    const u = await socketOf(alice);
    await expect(u.request('stats')).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    const anon = await socketOf();
    await expect(anon.request('stats')).resolves.toMatchObject({
      type: 'error',
      code: 'UNAUTHORIZED',
    });
  });

  it('renews the token with an auth frame and refuses a token of another user', async () => {
    const s = await socketOf(alice);
    const fresh = accessTokenFor(alice, { expiresInSec: 3600 });
    await expect(s.request('auth', { token: fresh })).resolves.toEqual({
      type: 'authenticated',
      id: expect.any(String) as unknown,
      exp: decodePayload(fresh).exp,
    });
    await expect(s.request('auth', { token: bob.accessToken })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    await expect(s.request('auth', { token: 'not-a-jwt' })).resolves.toMatchObject({
      type: 'error',
      code: 'UNAUTHORIZED',
    });
    await expect(s.request('auth', {})).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
    });
    // Still alice's socket, still open.
    const ack = await s.request('test.publish', { data: { room: 'open-auth', n: 1 } });
    expect(ack).toMatchObject({ type: 'ack', data: { offset: 1 } });
    await s.request('subscribe', { channel: 'test:open-auth', since: 0 });
    await expect(s.waitEvents('test:open-auth', 1)).resolves.toMatchObject([
      { data: { by: alice.id, n: 1 } },
    ]);
  });

  it('authenticates an anonymous socket with an auth frame', async () => {
    const s = await socketOf();
    await expect(s.request('subscribe', { channel: 'test:open-anon' })).resolves.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(s.request('auth', { token: bob.accessToken })).resolves.toMatchObject({
      type: 'authenticated',
      exp: decodePayload(bob.accessToken).exp,
    });
    await expect(s.request('subscribe', { channel: 'test:open-anon' })).resolves.toMatchObject({
      type: 'subscribed',
    });
    const list = await s.request('list_channels');
    expect(list.subscribed).toEqual(expect.arrayContaining([`user:${bob.id}`, 'test:open-anon']));
  });

  it('enforces @Roles on socket commands: FORBIDDEN for a user, ack for an admin', async () => {
    const u = await socketOf(alice);
    await expect(u.request('test.admin', { data: {} })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    const a = await socketOf(admin);
    await expect(a.request('test.admin', { data: {} })).resolves.toMatchObject({
      type: 'ack',
      data: { ok: true },
    });
  });

  it('answers an unexpected error with INTERNAL and a traceId, never a stack', async () => {
    const s = await socketOf(alice);
    const reply = await s.request('test.rollback', { data: { room: 'open-internal' } });
    expect(reply).toEqual({
      type: 'error',
      id: reply.id,
      code: 'INTERNAL',
      message: expect.any(String) as unknown,
      traceId: expect.any(String) as unknown,
    });
    expect(JSON.stringify(reply)).not.toMatch(/boom|at .*\.ts|stack/);
    expect(s.frames.some((f) => f.type === 'ack' && f.id === reply.id)).toBe(false);
    await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
  });
});
