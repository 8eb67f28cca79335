import WebSocket from 'ws';
import { accessTokenFor } from '../helpers/access-tokens.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { decodePayload, nowSec } from '../helpers/tokens.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

// Generous against a loaded machine: a well-behaved client gets IDLE_MS and
// HEARTBEAT_MS of slack before the server gives up on it.
const IDLE_MS = 2000;
const HEARTBEAT_MS = 500;

describe('realtime idle timeout and dead peers (docs/protocol.md: errors and close codes)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: { WS_IDLE_TIMEOUT_MS: String(IDLE_MS), WS_HEARTBEAT_MS: String(HEARTBEAT_MS) },
    });
    alice = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('closes a silent socket with 4408, protocol pongs notwithstanding', async () => {
    const started = Date.now();
    const s = await connect(t.baseUrl, { token: alice.accessToken });
    open.push(s);
    let serverPings = 0;
    s.ws.on('ping', () => (serverPings += 1));
    await expect(s.closed).resolves.toMatchObject({ code: 4408 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_MS - 100);
    // The server pinged and `ws` answered each ping with a pong: that is not activity.
    expect(serverPings).toBeGreaterThanOrEqual(1);
  });

  it('keeps a socket that sends ping frames open, and closes it once they stop', async () => {
    const s = await connect(t.baseUrl, { token: alice.accessToken });
    open.push(s);
    const silent = await connect(t.baseUrl, { token: alice.accessToken });
    open.push(silent);
    let closedEarly = false;
    void s.closed.then(() => (closedEarly = true));
    const pinger = setInterval(() => s.send({ type: 'ping' }), IDLE_MS / 10);
    try {
      // The silent control socket closes; the pinging one outlives it by far: a
      // second silent socket, opened only then, closes a whole idle period later
      // (the marker), and the pinging one is still open.
      await expect(silent.closed).resolves.toMatchObject({ code: 4408 });
      const marker = await connect(t.baseUrl, { token: alice.accessToken });
      open.push(marker);
      await expect(marker.closed).resolves.toMatchObject({ code: 4408 });
      expect(closedEarly).toBe(false);
      expect(s.ws.readyState).toBe(WebSocket.OPEN);
      await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
    } finally {
      clearInterval(pinger);
    }
    await expect(s.closed).resolves.toMatchObject({ code: 4408 });
  });

  it('terminates a peer that does not answer protocol pings, even while it sends frames', async () => {
    const ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/ws?token=${alice.accessToken}`, {
      autoPong: false,
    });
    const s = new TestSocket(ws);
    open.push(s);
    await s.next((f) => f.type === 'connected');
    const pinger = setInterval(() => s.send({ type: 'ping' }), HEARTBEAT_MS / 2);
    try {
      const closed = await s.closed;
      // Terminated without a close frame (1006), not closed for idleness.
      expect(closed.code).toBe(1006);
    } finally {
      clearInterval(pinger);
    }
  });
});

describe('realtime token expiry on live sockets (docs/protocol.md: connecting)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule] });
    alice = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('closes with 4401 when exp passes, unless an auth frame renewed the token first', async () => {
    const shortLived = accessTokenFor(alice, { expiresInSec: 3 });
    const expiring = await connect(t.baseUrl, { token: shortLived });
    const renewed = await connect(t.baseUrl, { token: shortLived });
    open.push(expiring, renewed);
    expect(expiring.frames[0]).toMatchObject({ user: { id: alice.id } });
    const fresh = accessTokenFor(alice, { expiresInSec: 3600 });
    await expect(renewed.request('auth', { token: fresh })).resolves.toMatchObject({
      type: 'authenticated',
      exp: decodePayload(fresh).exp,
    });
    let renewedClosed = false;
    void renewed.closed.then(() => (renewedClosed = true));

    // The marker: a socket whose token expires a second after the old one.
    const marker = await connect(t.baseUrl, {
      token: accessTokenFor(alice, { expiresInSec: decodePayload(shortLived).exp - nowSec() + 1 }),
    });
    open.push(marker);
    const closed = await expiring.closed;
    expect(closed.code).toBe(4401);
    expect(Date.now()).toBeGreaterThanOrEqual(decodePayload(shortLived).exp * 1000);
    // Past the old expiry (the marker expired after it), the renewed socket is open and serves commands.
    await expect(marker.closed).resolves.toMatchObject({ code: 4401 });
    expect(renewedClosed).toBe(false);
    await expect(renewed.request('ping')).resolves.toMatchObject({ type: 'pong' });
    await expect(
      renewed.request('test.publish', { data: { room: 'open-renewed', n: 1 } }),
    ).resolves.toMatchObject({ type: 'ack', data: { offset: 1 } });
  }, 30_000);

  it('closes an anonymous socket that authenticated with a short-lived token', async () => {
    const s = await connect(t.baseUrl);
    open.push(s);
    await expect(
      s.request('auth', { token: accessTokenFor(alice, { expiresInSec: 3 }) }),
    ).resolves.toMatchObject({ type: 'authenticated' });
    await expect(s.closed).resolves.toMatchObject({ code: 4401 });
  });
});
