import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { openSse } from '../helpers/sse-client.js';
import { RawStomp } from '../helpers/stomp-client.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-app.js';
import {
  AccessPayload,
  decodePayload,
  hmacToken,
  nowSec,
  unsignedToken,
} from '../helpers/tokens.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, refusedUpgrade } from '../helpers/ws-client.js';

const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'realtime-backend';
const ADMIN_EMAIL = 'probe-admin@example.test';

/** Rate limits out of the way: every probe comes from 127.0.0.1, over five doors. */
const ENV = {
  WS_RATE_LIMIT: '1000000',
  WS_CONNECT_RATE_PER_IP: '1000000',
  ADMIN_EMAILS: ADMIN_EMAIL,
};

/** The claims our server puts in a user's token, for probes to bend. */
function claimsOf(user: RegisteredUser, extra: Partial<AccessPayload> = {}): AccessPayload {
  const { sub, sid } = decodePayload(user.accessToken);
  return { sub, sid, typ: 'access', iss: ISSUER, aud: AUDIENCE, exp: nowSec() + 300, ...extra };
}

function signed(
  payload: object,
  opts: jwt.SignOptions = {},
  key: string = TEST_JWT_SECRET,
): string {
  return jwt.sign(payload, key, { algorithm: 'HS256', ...opts });
}

/** Every door a token opens, each asked whether it opens for `token`: true when refused. */
const DOORS: Record<string, (t: TestApp, token: string) => Promise<boolean>> = {
  'REST bearer': async (t, token) =>
    (await request(t.baseUrl).get('/api/users/me').set('Authorization', `Bearer ${token}`))
      .status === 401,
  'WebSocket upgrade': async (t, token) =>
    (await refusedUpgrade(t.baseUrl, { token }).catch(() => ({ status: 101 }))).status === 401,
  'SSE ?token=': async (t, token) => {
    const s = await openSse(
      t.baseUrl,
      `/api/notifications/stream?token=${encodeURIComponent(token)}`,
    );
    s.close();
    return s.status === 401;
  },
  'JSON auth frame': async (t, token) => {
    const socket = await connect(t.baseUrl);
    try {
      const reply = await socket.request('auth', { token });
      return reply.type === 'error' && reply.code === 'UNAUTHORIZED';
    } finally {
      socket.close();
    }
  },
  'STOMP CONNECT passcode': async (t, token) => {
    const stomp = await RawStomp.open(t.baseUrl);
    try {
      const reply = await stomp.connect({ passcode: token });
      return reply.command === 'ERROR' && reply.header('code') === 'UNAUTHORIZED';
    } finally {
      stomp.close();
    }
  },
};

/**
 * The token-probe table of the security issue, in one spec: every forged,
 * stale or misplaced token is refused at every door (REST, the WebSocket
 * upgrade, SSE, the JSON `auth` frame, STOMP CONNECT); a demoted user's
 * still-valid token opens nothing of an admin's.
 */
describe('token probes', () => {
  let t: TestApp;
  let rsa: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let refused = 0;
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

  beforeAll(async () => {
    t = await startTestApp({ env: { ...ENV, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
    rsa = await startTestApp({
      env: {
        ...ENV,
        JWT_SECRET: '',
        JWT_PUBLIC_KEY: keys.publicKey,
        JWT_PRIVATE_KEY: keys.privateKey,
      },
    });
    [alice, bob] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
  });
  afterAll(async () => {
    // The figure the issue asks for, in the test output.
    process.stdout.write(`[token probes] ${refused} refusals checked\n`);
    await rsa?.close();
    await t?.close();
  });

  it('accepts the genuine token at every door (the probes below are refused for their flaw alone)', async () => {
    const genuine = signed(claimsOf(alice));
    expect(decodePayload(alice.accessToken)).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      typ: 'access',
    });
    for (const token of [genuine, alice.accessToken]) {
      expect(
        (
          await request(t.baseUrl)
            .get('/api/users/me')
            .set(bearer({ accessToken: token }))
        ).status,
      ).toBe(200);
      for (const [door, isRefused] of Object.entries(DOORS))
        expect([door, await isRefused(t, token)]).toEqual([door, false]);
    }
  });

  const probes: [string, () => Promise<{ app: TestApp; token: string }>][] = [
    ['alg: none', async () => ({ app: t, token: unsignedToken(claimsOf(alice)) })],
    [
      'HS256 signed with the RS256 public key as the HMAC secret (algorithm confusion)',
      async () => {
        const user = await registerUser(rsa.baseUrl);
        const { sub, sid } = decodePayload(user.accessToken);
        return {
          app: rsa,
          token: hmacToken({ sub, sid, typ: 'access', exp: nowSec() + 300 }, keys.publicKey),
        };
      },
    ],
    [
      'HS512 with the right secret (algorithm pinned)',
      async () => ({ app: t, token: signed(claimsOf(alice), { algorithm: 'HS512' }) }),
    ],
    [
      'signed with another secret',
      async () => ({ app: t, token: signed(claimsOf(alice), {}, `${TEST_JWT_SECRET}-other`) }),
    ],
    ['expired', async () => ({ app: t, token: signed(claimsOf(alice, { exp: nowSec() - 5 })) })],
    [
      'without exp',
      async () => {
        const { exp: _exp, ...rest } = claimsOf(alice);
        return { app: t, token: signed(rest) };
      },
    ],
    [
      'not yet valid (nbf in the future)',
      async () => ({ app: t, token: signed(claimsOf(alice, { nbf: nowSec() + 600 })) }),
    ],
    [
      'wrong issuer',
      async () => ({
        app: t,
        token: signed(claimsOf(alice, { iss: 'https://evil.example.test/' })),
      }),
    ],
    [
      'no issuer while JWT_ISSUER is set',
      async () => {
        const { iss: _iss, ...rest } = claimsOf(alice);
        return { app: t, token: signed(rest) };
      },
    ],
    [
      'wrong audience',
      async () => ({ app: t, token: signed(claimsOf(alice, { aud: 'another-service' })) }),
    ],
    [
      'no audience while JWT_AUDIENCE is set',
      async () => {
        const { aud: _aud, ...rest } = claimsOf(alice);
        return { app: t, token: signed(rest) };
      },
    ],
    [
      'no typ while an issuer is set',
      async () => {
        const { typ: _typ, ...rest } = claimsOf(alice);
        return { app: t, token: signed(rest) };
      },
    ],
    ['typ: refresh', async () => ({ app: t, token: signed(claimsOf(alice, { typ: 'refresh' })) })],
    [
      'tampered payload (the subject swapped, the signature kept)',
      async () => {
        const [header, , signature] = signed(claimsOf(alice)).split('.');
        const forged = Buffer.from(JSON.stringify(claimsOf(alice, { sub: bob.id }))).toString(
          'base64url',
        );
        return { app: t, token: `${header}.${forged}.${signature}` };
      },
    ],
    [
      'a refresh token used as an access token',
      async () => ({ app: t, token: alice.refreshToken }),
    ],
    ['not a JWT at all', async () => ({ app: t, token: 'Bearer-nonsense' })],
    [
      'a subject that is not a UUID',
      async () => ({ app: t, token: signed(claimsOf(alice, { sub: "x' OR '1'='1" })) }),
    ],
    [
      'a deleted user',
      async () => {
        const gone = await registerUser(t.baseUrl);
        expect((await request(t.baseUrl).delete('/api/users/me').set(bearer(gone))).status).toBe(
          204,
        );
        return { app: t, token: gone.accessToken };
      },
    ],
    [
      'a revoked login (logout)',
      async () => {
        const out = await registerUser(t.baseUrl);
        expect((await request(t.baseUrl).post('/api/auth/logout').set(bearer(out))).status).toBe(
          204,
        );
        return { app: t, token: out.accessToken };
      },
    ],
  ];

  it.each(probes)('refuses %s at every door', async (_name, make) => {
    const { app, token } = await make();
    for (const [door, isRefused] of Object.entries(DOORS)) {
      expect([door, await isRefused(app, token)]).toEqual([door, true]);
      refused += 1;
    }
  });

  it('gives a demoted admin’s still-valid token nothing of an admin’s, at once', async () => {
    const root = await registerUser(t.baseUrl, { email: ADMIN_EMAIL });
    const carol = await registerUser(t.baseUrl);
    await request(t.baseUrl)
      .put(`/api/users/${carol.id}/role`)
      .set(bearer(root))
      .send({ role: 'admin' });
    const socket = await connect(t.baseUrl, { token: carol.accessToken });
    await expect(socket.request('subscribe', { channel: 'system' })).resolves.toMatchObject({
      type: 'subscribed',
    });
    const demoted = await request(t.baseUrl)
      .put(`/api/users/${carol.id}/role`)
      .set(bearer(root))
      .send({ role: 'user' });
    expect(demoted.status).toBe(200);
    try {
      // The token is as valid as it was: what it may do was re-read.
      const asAdmin = [
        (
          await request(t.baseUrl)
            .post('/api/notifications')
            .set(bearer(carol))
            .send({ userId: bob.id, title: 't', body: 'b' })
        ).status,
        (
          await request(t.baseUrl)
            .post('/api/announcements')
            .set(bearer(carol))
            .send({ title: 't', body: 'b' })
        ).status,
        (await request(t.baseUrl).get('/api/channels/system/events').set(bearer(carol))).status,
        (await openSse(t.baseUrl, `/api/stream?channels=system&token=${carol.accessToken}`)).status,
      ];
      expect(asAdmin).toEqual([403, 403, 403, 403]);
      await expect(
        socket.next((f) => f.type === 'unsubscribed' && f.channel === 'system'),
      ).resolves.toMatchObject({ reason: 'revoked' });
      for (const type of ['stats'])
        await expect(socket.request(type)).resolves.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        socket.request('announcement.publish', { data: { title: 't', body: 'b' } }),
      ).resolves.toMatchObject({ code: 'FORBIDDEN' });
      refused += 7;
    } finally {
      socket.close();
    }
  });
});
