import request from 'supertest';
import { LogCapture } from '../helpers/log-capture.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser } from '../helpers/users.js';

const SECRET = 'bootstrap-secret-0123456789';
const PASSWORD = 'correct horse battery';
const HEADER = 'X-Admin-Bootstrap-Secret';

function register(t: TestApp, email: string, secret?: string): request.Test {
  const req = request(t.baseUrl)
    .post('/api/auth/register')
    .send({ email, password: PASSWORD, displayName: 'Boss' });
  return secret === undefined ? req : req.set(HEADER, secret);
}

function login(t: TestApp, email: string, secret?: string): request.Test {
  const req = request(t.baseUrl).post('/api/auth/login').send({ email, password: PASSWORD });
  return secret === undefined ? req : req.set(HEADER, secret);
}

/**
 * The security issue's "admin by unverified email": with ADMIN_BOOTSTRAP_SECRET
 * set, an ADMIN_EMAILS address is admin only once it presented the secret at
 * registration or first sign-in; production warns when the secret is unset
 * while a listed address has no account.
 */
describe('ADMIN_EMAILS with ADMIN_BOOTSTRAP_SECRET', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ADMIN_EMAILS: 'boss@example.test, late@example.test',
        ADMIN_BOOTSTRAP_SECRET: SECRET,
        WS_RATE_LIMIT: '100000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses to register a listed address without the secret, or with a wrong one', async () => {
    for (const secret of [undefined, '', 'wrong-secret-0123456789']) {
      const res = await register(t, 'Boss@Example.test', secret);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'ADMIN_BOOTSTRAP_SECRET_REQUIRED',
      });
    }
    // Nothing was created: the right secret still registers it, as admin.
    const res = await register(t, 'boss@example.test', SECRET);
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe('admin');
    // The role is stored: later sign-ins need no secret.
    const again = await login(t, 'boss@example.test');
    expect(again.status).toBe(200);
    expect(again.body.user.role).toBe('admin');
  });

  it('needs no secret for other addresses, and the secret makes nobody else admin', async () => {
    const res = await register(t, 'plain@example.test', SECRET);
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe('user');
  });

  it('asks for the secret at the first sign-in of a listed address that registered before it was listed', async () => {
    // Registered while the address was not listed (an earlier configuration).
    const early = await startTestApp({ databaseUrl: t.databaseUrl });
    let token: string;
    try {
      const res = await register(early, 'late@example.test');
      expect(res.body.user.role).toBe('user');
      token = res.body.accessToken as string;
    } finally {
      await early.close();
    }
    // Listed now, but the list alone grants nothing: the existing token stays a user's.
    const who = await request(t.baseUrl)
      .get('/api/users/me')
      .set(bearer({ accessToken: token }));
    expect(who.body.role).toBe('user');
    const refused = await login(t, 'late@example.test');
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe('ADMIN_BOOTSTRAP_SECRET_REQUIRED');
    // A wrong password learns nothing of the list: 401 as for anyone.
    const wrong = await request(t.baseUrl)
      .post('/api/auth/login')
      .send({ email: 'late@example.test', password: 'not the password' });
    expect(wrong.status).toBe(401);
    const promoted = await login(t, 'late@example.test', SECRET);
    expect(promoted.status).toBe(200);
    expect(promoted.body.user.role).toBe('admin');
    const after = await request(t.baseUrl)
      .get('/api/users/me')
      .set(bearer({ accessToken: token }));
    expect(after.body.role).toBe('admin');
  });
});

describe('production start-up without ADMIN_BOOTSTRAP_SECRET', () => {
  const securityLines = (logs: LogCapture): { msg?: string; unclaimed?: string[] }[] =>
    logs
      .text()
      .split('\n')
      .filter((l) => l.includes('ADMIN_BOOTSTRAP_SECRET'))
      .map((l) => JSON.parse(l) as { msg?: string; unclaimed?: string[]; level: number });

  it('warns loudly while a listed address has no account, and not once every one has', async () => {
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ADMIN_EMAILS: 'root@example.test, ops@example.test',
    };
    const logs = new LogCapture();
    const first = await startTestApp({ env, logDestination: logs });
    try {
      expect(securityLines(logs)).toEqual([
        expect.objectContaining({
          level: 50,
          unclaimed: ['root@example.test', 'ops@example.test'],
        }),
      ]);
      await registerUser(first.baseUrl, { email: 'root@example.test' });
      await registerUser(first.baseUrl, { email: 'ops@example.test' });
    } finally {
      await first.close();
    }
    const quiet = new LogCapture();
    const second = await startTestApp({
      env,
      databaseUrl: first.databaseUrl,
      logDestination: quiet,
    });
    await second.close();
    expect(securityLines(quiet)).toEqual([]);
    const withSecret = new LogCapture();
    const third = await startTestApp({
      env: { ...env, ADMIN_EMAILS: 'nobody-yet@example.test', ADMIN_BOOTSTRAP_SECRET: SECRET },
      databaseUrl: first.databaseUrl,
      logDestination: withSecret,
    });
    await third.close();
    expect(securityLines(withSecret)).toEqual([]);
  });
});
