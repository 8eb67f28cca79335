import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import jwt from 'jsonwebtoken';
import request, { Response } from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-app.js';
import {
  AccessPayload,
  decodeHeader,
  decodePayload,
  hmacToken,
  nowSec,
  unsignedToken,
} from '../helpers/tokens.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PASSWORD = 'correct horse battery';

function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.body.statusCode).toBe(status);
  expect(typeof res.body.message).toBe('string');
}

function expectUnauthorized(res: Response): void {
  expectError(res, 401, 'UNAUTHORIZED');
}

function expectTokenPair(res: Response, status: number): void {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual([
    'accessToken',
    'expiresIn',
    'refreshToken',
    'user',
  ]);
  expect(Object.keys(res.body.user).sort()).toEqual(['displayName', 'email', 'id', 'role']);
  expect(res.body.user.id).toMatch(UUID);
  expect(typeof res.body.accessToken).toBe('string');
  expect(res.body.refreshToken).toMatch(/^[0-9a-f-]{36}\.[\w-]{20,}$/);
  expect(res.body.expiresIn).toBe(900);
}

function me(baseUrl: string, token: string): Promise<Response> {
  return request(baseUrl).get('/api/users/me').set('Authorization', `Bearer ${token}`);
}

function login(baseUrl: string, email: string, password = PASSWORD): Promise<Response> {
  return request(baseUrl).post('/api/auth/login').send({ email, password });
}

function refresh(baseUrl: string, refreshToken: string): Promise<Response> {
  return request(baseUrl).post('/api/auth/refresh').send({ refreshToken });
}

function rsaKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** Fresh claims for a user's login, as our server would put them in a token. */
function claimsOf(user: RegisteredUser, overrides: Partial<AccessPayload> = {}): AccessPayload {
  const { sub, sid } = decodePayload(user.accessToken);
  return { sub, sid, typ: 'access', iat: nowSec(), exp: nowSec() + 300, ...overrides };
}

describe('auth with HS256', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ADMIN_EMAILS: 'Boss@Example.test, ops@example.test',
        // Anonymous HTTP writes also spend the per-IP command budget (100 a minute by
        // default); every request of this file comes from 127.0.0.1.
        WS_RATE_LIMIT: '100000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('register and login', () => {
    it('registers: 201 with the user and a token pair', async () => {
      const res = await request(t.baseUrl)
        .post('/api/auth/register')
        .send({ email: 'Ada.Lovelace@Example.test', password: PASSWORD, displayName: ' Ada ' });
      expectTokenPair(res, 201);
      expect(res.body.user).toEqual({
        id: res.body.user.id,
        email: 'ada.lovelace@example.test',
        displayName: 'Ada',
        role: 'user',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password/i);
      const header = decodeHeader(res.body.accessToken);
      const claims = decodePayload(res.body.accessToken);
      expect(header.alg).toBe('HS256');
      expect(claims.sub).toBe(res.body.user.id);
      expect(claims.sid).toMatch(UUID);
      expect(claims.exp - Number(claims.iat)).toBe(900);
      const who = await me(t.baseUrl, res.body.accessToken);
      expect(who.status).toBe(200);
      expect(who.body).toEqual(res.body.user);
    });

    it('refuses a second account for the same email, whatever its case: 409 CONFLICT', async () => {
      const u = await registerUser(t.baseUrl);
      const res = await request(t.baseUrl)
        .post('/api/auth/register')
        .send({ email: u.email.toUpperCase(), password: PASSWORD, displayName: 'Copy' });
      expectError(res, 409, 'CONFLICT');
      const still = await login(t.baseUrl, u.email);
      expect(still.status).toBe(200);
      expect(still.body.user.displayName).toBe(u.displayName);
    });

    it('refuses a registration with invalid fields: 400 with details', async () => {
      const res = await request(t.baseUrl)
        .post('/api/auth/register')
        .send({ email: 'someone@example.test', password: 'short', displayName: '' });
      expectError(res, 400, 'BAD_REQUEST');
      const fields = (res.body.details as { field: string }[]).map((d) => d.field).sort();
      expect(fields).toEqual(['displayName', 'password']);
    });

    it('logs in: 200 with a new token pair, email matched whatever its case', async () => {
      const u = await registerUser(t.baseUrl);
      const res = await login(t.baseUrl, u.email.toUpperCase());
      expectTokenPair(res, 200);
      expect(res.body.user).toEqual({
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        role: 'user',
      });
      expect(res.body.refreshToken).not.toBe(u.refreshToken);
      expect(decodePayload(res.body.accessToken).sid).not.toBe(decodePayload(u.accessToken).sid);
      expect((await me(t.baseUrl, res.body.accessToken)).status).toBe(200);
    });

    it('refuses a wrong password: 401 UNAUTHORIZED', async () => {
      const u = await registerUser(t.baseUrl);
      const res = await login(t.baseUrl, u.email, 'not the password');
      expectUnauthorized(res);
      expect(res.body.message).toBe('Invalid email or password');
      expect(res.body.accessToken).toBeUndefined();
    });

    it('refuses an unknown email with the same answer: 401 UNAUTHORIZED', async () => {
      const res = await login(t.baseUrl, 'nobody-here@example.test');
      expectUnauthorized(res);
      expect(res.body.message).toBe('Invalid email or password');
    });
  });

  describe('refresh', () => {
    it('rotates: a new pair of the same login, whose refresh token rotates again', async () => {
      const u = await registerUser(t.baseUrl);
      const first = await login(t.baseUrl, u.email);
      expect(first.status).toBe(200);

      const rotated = await refresh(t.baseUrl, first.body.refreshToken);
      expectTokenPair(rotated, 200);
      expect(rotated.body.user.id).toBe(u.id);
      expect(rotated.body.refreshToken).not.toBe(first.body.refreshToken);
      expect(decodePayload(rotated.body.accessToken).sid).toBe(
        decodePayload(first.body.accessToken).sid,
      );
      expect((await me(t.baseUrl, rotated.body.accessToken)).status).toBe(200);

      const again = await refresh(t.baseUrl, rotated.body.refreshToken);
      expectTokenPair(again, 200);
    });

    it('takes a reused refresh token as theft and revokes that whole login', async () => {
      const u = await registerUser(t.baseUrl);
      const stolen = await login(t.baseUrl, u.email);
      const other = await login(t.baseUrl, u.email);
      const rotated = await refresh(t.baseUrl, stolen.body.refreshToken);
      expect(rotated.status).toBe(200);
      expect((await me(t.baseUrl, rotated.body.accessToken)).status).toBe(200);

      const replay = await refresh(t.baseUrl, stolen.body.refreshToken);
      expectUnauthorized(replay);
      expect(replay.body.message).toMatch(/already used/);

      expectUnauthorized(await refresh(t.baseUrl, rotated.body.refreshToken));
      expectUnauthorized(await me(t.baseUrl, rotated.body.accessToken));
      expectUnauthorized(await me(t.baseUrl, stolen.body.accessToken));

      // Another login of the same user is not affected.
      expect((await me(t.baseUrl, other.body.accessToken)).status).toBe(200);
      expect((await refresh(t.baseUrl, other.body.refreshToken)).status).toBe(200);
      expect((await me(t.baseUrl, u.accessToken)).status).toBe(200);
    });

    it('refuses an expired refresh token', async () => {
      const u = await registerUser(t.baseUrl);
      const [id] = u.refreshToken.split('.');
      const sql = await sqlClient(t.databaseUrl);
      try {
        const updated = await sql.query(
          `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
          [id],
        );
        expect(updated.rowCount).toBe(1);
      } finally {
        await sql.end();
      }
      const res = await refresh(t.baseUrl, u.refreshToken);
      expectUnauthorized(res);
      expect(res.body.accessToken).toBeUndefined();
    });

    it('refuses a forged secret without revoking the login', async () => {
      const u = await registerUser(t.baseUrl);
      const [id] = u.refreshToken.split('.');
      expectUnauthorized(await refresh(t.baseUrl, `${id}.${'A'.repeat(43)}`));
      expectUnauthorized(await refresh(t.baseUrl, 'not-a-uuid.secret-secret'));
      expect((await refresh(t.baseUrl, u.refreshToken)).status).toBe(200);
    });

    it('validates the body: 400 without a refresh token', async () => {
      const res = await request(t.baseUrl).post('/api/auth/refresh').send({});
      expectError(res, 400, 'BAD_REQUEST');
      expect(res.body.details).toEqual([
        expect.objectContaining({ field: 'refreshToken' }) as unknown,
      ]);
    });
  });

  describe('GET /api/users/me', () => {
    it('answers the caller', async () => {
      const u = await registerUser(t.baseUrl);
      const res = await request(t.baseUrl).get('/api/users/me').set(bearer(u));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        role: 'user',
      });
    });

    it('is 401 without a token or with another scheme', async () => {
      const none = await request(t.baseUrl).get('/api/users/me');
      expectUnauthorized(none);
      expect(none.body.message).toBe('Missing bearer token');
      expectUnauthorized(
        await request(t.baseUrl).get('/api/users/me').set('Authorization', 'Basic dXNlcjpwdw=='),
      );
      expectUnauthorized(
        await request(t.baseUrl).get('/api/users/me').set('Authorization', 'Bearer'),
      );
    });
  });

  describe('access tokens are pinned to HS256 and the configured secret', () => {
    let u: RegisteredUser;
    beforeAll(async () => {
      u = await registerUser(t.baseUrl);
    });

    it('accepts a well-formed HS256 token with the secret (control)', async () => {
      const res = await me(t.baseUrl, hmacToken(claimsOf(u), TEST_JWT_SECRET));
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(u.id);
    });

    it('refuses alg none', async () => {
      expectUnauthorized(await me(t.baseUrl, unsignedToken(claimsOf(u))));
    });

    it('refuses HS512 even with the right secret', async () => {
      expectUnauthorized(await me(t.baseUrl, hmacToken(claimsOf(u), TEST_JWT_SECRET, 'HS512')));
      const viaLibrary = jwt.sign(claimsOf(u), TEST_JWT_SECRET, { algorithm: 'HS512' });
      expectUnauthorized(await me(t.baseUrl, viaLibrary));
    });

    it('refuses a bad signature', async () => {
      const other = 'another-secret-of-the-right-length-0123456789';
      expectUnauthorized(await me(t.baseUrl, hmacToken(claimsOf(u), other)));
      const [head, , sig] = u.accessToken.split('.');
      const v = await registerUser(t.baseUrl);
      const body = Buffer.from(JSON.stringify(claimsOf(u, { sub: v.id }))).toString('base64url');
      expectUnauthorized(await me(t.baseUrl, `${head}.${body}.${sig}`));
      expectUnauthorized(await me(t.baseUrl, 'not.a.jwt'));
    });

    it('refuses an expired token', async () => {
      const expired = jwt.sign(
        { sid: claimsOf(u).sid, typ: 'access', iat: nowSec() - 1000, exp: nowSec() - 10 },
        TEST_JWT_SECRET,
        { subject: u.id, algorithm: 'HS256' },
      );
      const res = await me(t.baseUrl, expired);
      expectUnauthorized(res);
      expect(res.body.message).toBe('Token expired');
    });

    it('refuses a token that is not an access token', async () => {
      expectUnauthorized(
        await me(t.baseUrl, hmacToken(claimsOf(u, { typ: 'refresh' }), TEST_JWT_SECRET)),
      );
    });

    it('refuses the tokens of a deleted user', async () => {
      const v = await registerUser(t.baseUrl);
      const del = await request(t.baseUrl).delete('/api/users/me').set(bearer(v));
      expect(del.status).toBe(204);
      expectUnauthorized(await me(t.baseUrl, v.accessToken));
      expectUnauthorized(await me(t.baseUrl, hmacToken(claimsOf(v), TEST_JWT_SECRET)));
      expectUnauthorized(await refresh(t.baseUrl, v.refreshToken));
      expectUnauthorized(await login(t.baseUrl, v.email));
      expect((await me(t.baseUrl, u.accessToken)).status).toBe(200);
    });
  });

  describe('roles', () => {
    it('gives role admin to the emails of ADMIN_EMAILS, whatever their case', async () => {
      const boss = await registerUser(t.baseUrl, { email: 'boss@example.test' });
      expect(boss.role).toBe('admin');
      const who = await request(t.baseUrl).get('/api/users/me').set(bearer(boss));
      expect(who.body.role).toBe('admin');
      const ops = await registerUser(t.baseUrl, { email: 'OPS@example.test' });
      expect(ops.role).toBe('admin');
      const plain = await registerUser(t.baseUrl, { email: 'boss@example.test.other' });
      expect(plain.role).toBe('user');
    });

    it('follows ADMIN_EMAILS when it changes between restarts', async () => {
      const u = await registerUser(t.baseUrl);
      expect(u.role).toBe('user');
      const restarted = await startTestApp({
        databaseUrl: t.databaseUrl,
        env: { ADMIN_EMAILS: u.email.toUpperCase() },
      });
      try {
        const res = await login(restarted.baseUrl, u.email);
        expect(res.status).toBe(200);
        expect(res.body.user.role).toBe('admin');
        const who = await me(restarted.baseUrl, res.body.accessToken);
        expect(who.body.role).toBe('admin');
      } finally {
        await restarted.close();
      }
    });
  });
});

describe('auth with RS256', () => {
  const keys = rsaKeys();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { JWT_SECRET: '', JWT_PUBLIC_KEY: keys.publicKey, JWT_PRIVATE_KEY: keys.privateKey },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('issues RS256 tokens that verify with the public key', async () => {
    expect(t.config.jwt.algorithm).toBe('RS256');
    const u = await registerUser(t.baseUrl);
    expect(decodeHeader(u.accessToken).alg).toBe('RS256');
    const verified = jwt.verify(u.accessToken, keys.publicKey, { algorithms: ['RS256'] });
    expect(typeof verified === 'object' && verified.sub).toBe(u.id);
    const res = await me(t.baseUrl, u.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(u.id);
    const rotated = await refresh(t.baseUrl, u.refreshToken);
    expectTokenPair(rotated, 200);
    expect((await me(t.baseUrl, rotated.body.accessToken)).status).toBe(200);
  });

  it('refuses HS256 tokens signed with the public key as secret (algorithm confusion)', async () => {
    const u = await registerUser(t.baseUrl);
    expectUnauthorized(await me(t.baseUrl, hmacToken(claimsOf(u), keys.publicKey)));
    expectUnauthorized(await me(t.baseUrl, hmacToken(claimsOf(u), keys.publicKey.trim())));
    expectUnauthorized(await me(t.baseUrl, hmacToken(claimsOf(u), TEST_JWT_SECRET)));
    expectUnauthorized(await me(t.baseUrl, unsignedToken(claimsOf(u))));
  });

  it('refuses RS256 tokens of another key, accepts those of ours (control)', async () => {
    const u = await registerUser(t.baseUrl);
    const stranger = rsaKeys();
    const foreign = jwt.sign(claimsOf(u), stranger.privateKey, { algorithm: 'RS256' });
    expectUnauthorized(await me(t.baseUrl, foreign));
    const ours = jwt.sign(claimsOf(u), keys.privateKey, { algorithm: 'RS256' });
    expect((await me(t.baseUrl, ours)).status).toBe(200);
  });

  it('with only the public key: verifies tokens, but local sign-in is off', async () => {
    const u = await registerUser(t.baseUrl);
    const verifier = await startTestApp({
      databaseUrl: t.databaseUrl,
      env: { JWT_SECRET: '', JWT_PUBLIC_KEY: keys.publicKey },
    });
    try {
      const token = jwt.sign(claimsOf(u, { sid: undefined }), keys.privateKey, {
        algorithm: 'RS256',
      });
      const res = await me(verifier.baseUrl, token);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(u.id);
      expectError(await login(verifier.baseUrl, u.email), 404, 'NOT_FOUND');
      const reg = await request(verifier.baseUrl)
        .post('/api/auth/register')
        .send({ email: 'new@example.test', password: PASSWORD, displayName: 'New' });
      expectError(reg, 404, 'NOT_FOUND');
    } finally {
      await verifier.close();
    }
  });
});

describe('auth rate limiting', () => {
  it('refuses the 4th attempt for one email with AUTH_RATE_LIMIT_PER_EMAIL=3', async () => {
    const t = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_EMAIL: '3' } });
    try {
      const u = await registerUser(t.baseUrl); // attempt 1 for this email
      expectUnauthorized(await login(t.baseUrl, u.email, 'wrong password')); // 2
      expect((await login(t.baseUrl, u.email.toUpperCase())).status).toBe(200); // 3
      const limited = await login(t.baseUrl, u.email); // 4: refused, right password or not
      expectError(limited, 429, 'RATE_LIMITED');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body.retryAfterMs).toBeGreaterThan(0);
      expect(limited.body.accessToken).toBeUndefined();

      const unknown = 'nobody-limited@example.test';
      for (let i = 0; i < 3; i++) expectUnauthorized(await login(t.baseUrl, unknown));
      expectError(await login(t.baseUrl, unknown), 429, 'RATE_LIMITED');

      // Another email from the same client is still served.
      const v = await registerUser(t.baseUrl);
      expect((await login(t.baseUrl, v.email)).status).toBe(200);
    } finally {
      await t?.close();
    }
  });

  it('keeps the owner signing in while another address guesses; a per-email ceiling bounds guessing from many', async () => {
    const t = await startTestApp({
      env: { AUTH_RATE_LIMIT_PER_EMAIL: '2', AUTH_RATE_EMAIL_CEILING: '6' },
    });
    /** A sign-in from another loopback address (127.0.0.0/8 is all this host's). */
    const loginFrom = (localAddress: string, email: string, password: string) =>
      new Promise<{ status: number; retryAfter: number }>((resolve, reject) => {
        const body = JSON.stringify({ email, password });
        const req = http.request(
          `${t.baseUrl}/api/auth/login`,
          {
            method: 'POST',
            localAddress,
            headers: { 'content-type': 'application/json', 'content-length': body.length },
          },
          (res) => {
            res.resume();
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: Number(res.headers['retry-after']),
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const owner = await registerUser(t.baseUrl); // 127.0.0.1: 1 of the ceiling's 6
      const attacker = '127.0.0.2';
      expect((await loginFrom(attacker, owner.email, 'guess 1')).status).toBe(401); // 2
      expect((await loginFrom(attacker, owner.email, 'guess 2')).status).toBe(401); // 3
      expect((await loginFrom(attacker, owner.email, 'guess 3')).status).toBe(429); // this pair is spent
      // The owner, from their own address, is not locked out by it.
      expect((await loginFrom('127.0.0.1', owner.email, owner.password)).status).toBe(200); // 4
      expect((await loginFrom('127.0.0.3', owner.email, 'guess 4')).status).toBe(401); // 5
      expect((await loginFrom('127.0.0.4', owner.email, 'guess 5')).status).toBe(401); // 6
      // Guessing spread over addresses meets the ceiling, which refills slowly.
      const ceiling = await loginFrom('127.0.0.5', owner.email, 'guess 6');
      expect(ceiling.status).toBe(429);
      expect(ceiling.retryAfter).toBeGreaterThan(60);
      // Other accounts are not affected.
      const other = await registerUser(t.baseUrl);
      expect((await loginFrom('127.0.0.5', other.email, other.password)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('refuses the 6th attempt from one IP with AUTH_RATE_LIMIT_PER_IP=5', async () => {
    const t = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_IP: '5' } });
    try {
      for (let i = 0; i < 5; i++) {
        expectUnauthorized(await login(t.baseUrl, `ip-${i}@example.test`));
      }
      const limited = await login(t.baseUrl, 'ip-5@example.test');
      expectError(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const reg = await request(t.baseUrl)
        .post('/api/auth/register')
        .send({ email: 'ip-6@example.test', password: PASSWORD, displayName: 'Six' });
      expectError(reg, 429, 'RATE_LIMITED');
    } finally {
      await t?.close();
    }
  });
});
