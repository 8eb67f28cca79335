import SockJS from 'sockjs-client';
import request from 'supertest';
import { accessTokenFor } from '../helpers/access-tokens.js';
import { expectEventually } from '../helpers/eventually.js';
import { openSse, SseStream } from '../helpers/sse-client.js';
import { RawStomp } from '../helpers/stomp-client.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const ADMIN_EMAIL = 'sessions-admin@example.test';

interface Login {
  accessToken: string;
  refreshToken: string;
}

/** A second login of the same user (another device): its own session id. */
async function login(baseUrl: string, user: RegisteredUser): Promise<Login> {
  const res = await request(baseUrl)
    .post('/api/auth/login')
    .send({ email: user.email, password: user.password });
  expect(res.status).toBe(200);
  return res.body as Login;
}

/** A SockJS session speaking the JSON protocol; resolves once `connected` arrived. */
async function sockJsJson(
  baseUrl: string,
  token: string,
): Promise<{ closed: Promise<number>; close(): void }> {
  const socket = new SockJS(`${baseUrl}/ws?token=${token}`);
  const closed = new Promise<number>((resolve) => {
    socket.onclose = (e: { code: number }) => resolve(e.code);
  });
  const connected = new Promise<void>((resolve) => {
    socket.onmessage = (m: { data: string }) => {
      if ((JSON.parse(m.data) as { type: string }).type === 'connected') resolve();
    };
  });
  await new Promise<void>((resolve) => {
    socket.onopen = () => resolve();
  });
  socket.send(JSON.stringify({ type: 'ping' }));
  await connected;
  return { closed, close: () => socket.close() };
}

/**
 * docs/protocol.md, "Over HTTP": event streams end when their token expires, when the
 * login is revoked or the account deleted; sockets of a revoked login or a
 * deleted account close with 4401 at once on every node; a demoted admin loses
 * admin channels and commands at once.
 */
describe('live sessions follow their account (security issue: streams that end)', () => {
  let a: TestApp;
  let b: TestApp;
  const closers: (() => void)[] = [];
  const stream = async (t: TestApp, path: string, token: string): Promise<SseStream> => {
    const s = await openSse(t.baseUrl, path, { Authorization: `Bearer ${token}` });
    closers.push(() => s.close());
    expect(s.status).toBe(200);
    return s;
  };
  const socket = async (t: TestApp, token: string): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token });
    closers.push(() => s.close());
    return s;
  };
  const stomp = async (t: TestApp, token: string): Promise<RawStomp> => {
    const s = await RawStomp.open(t.baseUrl, { token });
    closers.push(() => s.close());
    await expect(s.connect()).resolves.toMatchObject({ command: 'CONNECTED' });
    return s;
  };
  const ended = (s: SseStream): Promise<string | undefined> =>
    s.ended.then(() => s.messages.find((m) => m.comment?.startsWith('closed'))?.comment);

  beforeAll(async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    const env = { REDIS_URL: redisUrl, ADMIN_EMAILS: ADMIN_EMAIL, WS_RATE_LIMIT: '100000' };
    a = await startTestApp({ env });
    b = await startTestApp({ env, databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    for (const close of closers) close();
    await b?.close();
    await a?.close();
  });

  it('ends an event stream when its token expires', async () => {
    const alice = await registerUser(a.baseUrl);
    const token = accessTokenFor(alice, { expiresInSec: 2 });
    const started = Date.now();
    const s = await stream(a, `/api/stream?channels=user:${alice.id}`, token);
    const notifications = await stream(a, '/api/notifications/stream', token);
    await expect(ended(s)).resolves.toBe('closed 4401 token expired');
    await expect(ended(notifications)).resolves.toBe('closed 4401 token expired');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('ends event streams and sockets of a revoked login at once on every node, not those of another login', async () => {
    const alice = await registerUser(a.baseUrl);
    const other = await login(a.baseUrl, alice);
    const sseOnB = await stream(b, `/api/stream?channels=user:${alice.id}`, alice.accessToken);
    const wsOnB = await socket(b, alice.accessToken);
    const stompOnB = await stomp(b, alice.accessToken);
    const sockJsOnB = await sockJsJson(b.baseUrl, alice.accessToken);
    const otherLogin = await socket(b, other.accessToken);

    const res = await request(a.baseUrl).post('/api/auth/logout').set(bearer(alice));
    expect(res.status).toBe(204);

    await expect(ended(sseOnB)).resolves.toBe('closed 4401 login revoked');
    await expect(wsOnB.closed).resolves.toEqual({ code: 4401, reason: 'login revoked' });
    await expect(sockJsOnB.closed).resolves.toBe(4401);
    // STOMP: an ERROR that says why, then the close.
    await expect(stompOnB.closed).resolves.toMatchObject({ code: 4401 });
    const error = stompOnB.frames.find((f) => f.command === 'ERROR');
    expect(error?.header('code')).toBe('UNAUTHORIZED');
    expect(error?.header('message')).toBe('login revoked');
    // The other login (another device) goes on.
    await expect(otherLogin.request('ping')).resolves.toMatchObject({ type: 'pong' });
    // And the revoked login is over for REST, new sockets and its refresh token.
    expect((await request(a.baseUrl).get('/api/users/me').set(bearer(alice))).status).toBe(401);
    const refreshed = await request(a.baseUrl)
      .post('/api/auth/refresh')
      .send({ refreshToken: alice.refreshToken });
    expect(refreshed.status).toBe(401);
  });

  it('logs out with the refresh token alone when the access token has expired', async () => {
    const alice = await registerUser(a.baseUrl);
    const ws = await socket(b, alice.accessToken);
    const expired = accessTokenFor(alice, { expiresInSec: -10 });
    const res = await request(a.baseUrl)
      .post('/api/auth/logout')
      .set({ Authorization: `Bearer ${expired}` })
      .send({ refreshToken: alice.refreshToken });
    expect(res.status).toBe(204);
    await expect(ws.closed).resolves.toEqual({ code: 4401, reason: 'login revoked' });
    const again = await request(a.baseUrl)
      .post('/api/auth/logout')
      .send({ refreshToken: 'not-a-refresh-token' });
    expect(again.status).toBe(401);
  });

  it('closes every session of a reused refresh token’s login (theft) on every node', async () => {
    const alice = await registerUser(a.baseUrl);
    const ws = await socket(b, alice.accessToken);
    const first = await request(a.baseUrl)
      .post('/api/auth/refresh')
      .send({ refreshToken: alice.refreshToken });
    expect(first.status).toBe(200);
    const reuse = await request(a.baseUrl)
      .post('/api/auth/refresh')
      .send({ refreshToken: alice.refreshToken });
    expect(reuse.status).toBe(401);
    await expect(ws.closed).resolves.toEqual({ code: 4401, reason: 'login revoked' });
  });

  it('ends every stream and socket of a deleted account at once on every node', async () => {
    const alice = await registerUser(a.baseUrl);
    const other = await login(a.baseUrl, alice);
    const sseOnB = await stream(b, '/api/notifications/stream', alice.accessToken);
    const wsOnA = await socket(a, alice.accessToken);
    const wsOnB = await socket(b, other.accessToken);
    const stompOnB = await stomp(b, other.accessToken);

    expect((await request(a.baseUrl).delete('/api/users/me').set(bearer(alice))).status).toBe(204);

    await expect(ended(sseOnB)).resolves.toBe('closed 4401 account deleted');
    for (const s of [wsOnA, wsOnB])
      await expect(s.closed).resolves.toEqual({ code: 4401, reason: 'account deleted' });
    await expect(stompOnB.closed).resolves.toMatchObject({ code: 4401 });
    expect(stompOnB.frames.find((f) => f.command === 'ERROR')?.header('code')).toBe('UNAUTHORIZED');
  });

  it('takes admin channels and commands from a demoted admin at once on every node', async () => {
    const root = await registerUser(a.baseUrl, { email: ADMIN_EMAIL });
    const carol = await registerUser(a.baseUrl);
    const promoted = await request(a.baseUrl)
      .put(`/api/users/${carol.id}/role`)
      .set(bearer(root))
      .send({ role: 'admin' });
    expect(promoted.body).toMatchObject({ id: carol.id, role: 'admin' });

    const wsOnB = await socket(b, carol.accessToken);
    await expect(wsOnB.request('subscribe', { channel: 'system' })).resolves.toMatchObject({
      type: 'subscribed',
    });
    await expect(wsOnB.request('stats')).resolves.toMatchObject({ type: 'stats' });
    const sseOnB = await stream(b, '/api/stream?channels=system,announcements', carol.accessToken);
    await sseOnB.until((m) => m.filter((x) => x.event === 'subscribed').length === 2);

    const demoted = await request(a.baseUrl)
      .put(`/api/users/${carol.id}/role`)
      .set(bearer(root))
      .send({ role: 'user' });
    expect(demoted.body).toMatchObject({ role: 'user' });

    await expect(
      wsOnB.next((f) => f.type === 'unsubscribed' && f.channel === 'system'),
    ).resolves.toMatchObject({ reason: 'revoked' });
    await expect(wsOnB.request('stats')).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    await expect(wsOnB.request('list_channels')).resolves.toMatchObject({
      subscribed: [`user:${carol.id}`],
    });
    await sseOnB.until((m) =>
      m.some((x) => x.event === 'unsubscribed' && x.data?.includes('"channel":"system"') === true),
    );
    // The socket itself goes on, as a user's.
    await expect(wsOnB.request('subscribe', { channel: 'system' })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    // Only admins set roles.
    const refused = await request(a.baseUrl)
      .put(`/api/users/${root.id}/role`)
      .set(bearer(carol))
      .send({ role: 'user' });
    expect(refused.status).toBe(403);
    await expectEventually(async () =>
      expect((await request(a.baseUrl).get('/api/users/me').set(bearer(carol))).body).toMatchObject(
        { role: 'user' },
      ),
    );
  });
});
