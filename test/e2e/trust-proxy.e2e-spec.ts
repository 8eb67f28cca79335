import request from 'supertest';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, refusedUpgrade, TestSocket } from '../helpers/ws-client.js';

const CONNECTS = 2;
const SIGN_INS = 2;

/** Addresses a client could claim, a new one each call. */
let forged = 0;
const anyAddress = (): string => `198.51.100.${++forged}`;

/**
 * TRUST_PROXY decides whose X-Forwarded-For names the client, for every per-IP
 * limit: the WebSocket upgrade and SockJS (raw requests) and REST sign-in
 * (Express's req.ip), by one rule. The test client is on loopback: it plays
 * an untrusted client in one app and the trusted proxy in the other.
 */
describe('client addresses behind a proxy (TRUST_PROXY)', () => {
  const env = {
    WS_CONNECT_RATE_PER_IP: String(CONNECTS),
    AUTH_RATE_LIMIT_PER_IP: String(SIGN_INS),
    AUTH_RATE_LIMIT_PER_EMAIL: '1000',
  };
  let untrusting: TestApp;
  let behindProxy: TestApp;
  let user: RegisteredUser;
  const open: TestSocket[] = [];
  const upgradeWith = async (t: TestApp, xff: string): Promise<number> => {
    try {
      open.push(await connect(t.baseUrl, { headers: { 'X-Forwarded-For': xff } }));
      return 101;
    } catch {
      return (await refusedUpgrade(t.baseUrl, { headers: { 'X-Forwarded-For': xff } })).status;
    }
  };
  const signInWith = async (t: TestApp, xff: string): Promise<number> =>
    (
      await request(t.baseUrl)
        .post('/api/auth/login')
        .set('X-Forwarded-For', xff)
        .send({ email: user.email, password: 'not the password' })
    ).status;
  const sockJsInfoWith = async (t: TestApp, xff: string): Promise<number> =>
    (await request(t.baseUrl).get('/ws/info').set('X-Forwarded-For', xff)).status;

  beforeAll(async () => {
    untrusting = await startTestApp({ env });
    behindProxy = await startTestApp({
      env: { ...env, TRUST_PROXY: 'loopback' },
      databaseUrl: untrusting.databaseUrl,
    });
    // Registered through the other app: it would spend a sign-in of this one's peer.
    user = await registerUser(behindProxy.baseUrl);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await behindProxy?.close();
    await untrusting?.close();
  });

  it('counts an untrusted peer as itself, whatever X-Forwarded-For it sends (WebSocket upgrade, SockJS)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < CONNECTS; i++) statuses.push(await upgradeWith(untrusting, anyAddress()));
    // One budget per peer, spent by either transport.
    statuses.push(await sockJsInfoWith(untrusting, anyAddress()));
    statuses.push(await upgradeWith(untrusting, anyAddress()));
    expect(statuses).toEqual([...Array<number>(CONNECTS).fill(101), 429, 429]);
  });

  it('counts an untrusted peer as itself on REST sign-in', async () => {
    const signIns: number[] = [];
    for (let i = 0; i <= SIGN_INS; i++) signIns.push(await signInWith(untrusting, anyAddress()));
    expect(signIns).toEqual([...Array<number>(SIGN_INS).fill(401), 429]);
  });

  it('behind a trusted proxy, counts each client by the address the proxy saw', async () => {
    const client = anyAddress();
    const statuses: number[] = [];
    for (let i = 0; i <= CONNECTS; i++) statuses.push(await upgradeWith(behindProxy, client));
    expect(statuses).toEqual([...Array<number>(CONNECTS).fill(101), 429]);
    // Another client behind the same proxy has a budget of its own.
    expect(await upgradeWith(behindProxy, anyAddress())).toBe(101);
    // An entry the client wrote itself, left of the proxy's, is not read.
    expect(await upgradeWith(behindProxy, `${anyAddress()}, ${client}`)).toBe(429);
  });

  it('behind a trusted proxy, applies the same rule to SockJS and REST sign-in', async () => {
    const client = anyAddress();
    const info: number[] = [];
    for (let i = 0; i <= CONNECTS; i++) info.push(await sockJsInfoWith(behindProxy, client));
    expect(info).toEqual([...Array<number>(CONNECTS).fill(200), 429]);
    expect(await sockJsInfoWith(behindProxy, anyAddress())).toBe(200);

    const signer = anyAddress();
    const signIns: number[] = [];
    for (let i = 0; i <= SIGN_INS; i++) signIns.push(await signInWith(behindProxy, signer));
    expect(signIns).toEqual([...Array<number>(SIGN_INS).fill(401), 429]);
    expect(await signInWith(behindProxy, anyAddress())).toBe(401);
    expect(await signInWith(behindProxy, `${anyAddress()}, ${signer}`)).toBe(429);
  });
});
