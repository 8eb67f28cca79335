import { accessTokenFor } from '../helpers/access-tokens.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp, TEST_JWT_SECRET } from '../helpers/test-app.js';
import { decodePayload, hmacToken, nowSec, unsignedToken } from '../helpers/tokens.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, refusedUpgrade, TestSocket } from '../helpers/ws-client.js';

const ALLOWED_ORIGIN = 'http://allowed.test';

describe('realtime handshake (docs/protocol.md: connecting)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  const open: TestSocket[] = [];
  const track = (s: TestSocket): TestSocket => (open.push(s), s);

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: { CORS_ORIGINS: `${ALLOWED_ORIGIN},http://other.test` },
    });
    [alice, bob] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  describe('token places', () => {
    it('accepts a token in the query string', async () => {
      const s = track(await connect(t.baseUrl, { token: alice.accessToken, via: 'query' }));
      expect(s.frames[0]).toMatchObject({
        type: 'connected',
        user: { id: alice.id, displayName: alice.displayName, role: 'user' },
      });
      expect(s.ws.protocol).toBe('');
    });

    it('accepts a token in the Authorization header', async () => {
      const s = track(await connect(t.baseUrl, { token: alice.accessToken, via: 'header' }));
      expect(s.frames[0]).toMatchObject({ type: 'connected', user: { id: alice.id } });
    });

    it('accepts a token-<JWT> subprotocol and answers rt.v1 when it was offered too', async () => {
      const s = track(
        await connect(t.baseUrl, {
          token: alice.accessToken,
          via: 'protocol',
          protocols: ['rt.v1'],
        }),
      );
      expect(s.ws.protocol).toBe('rt.v1');
      expect(s.frames[0]).toMatchObject({ type: 'connected', user: { id: alice.id } });
    });

    it('echoes the token entry when rt.v1 was not offered', async () => {
      const s = track(await connect(t.baseUrl, { token: bob.accessToken, via: 'protocol' }));
      expect(s.ws.protocol).toBe(`token-${bob.accessToken}`);
      expect(s.frames[0]).toMatchObject({ type: 'connected', user: { id: bob.id } });
    });

    it('answers rt.v1 to an anonymous client that offers it', async () => {
      const s = track(await connect(t.baseUrl, { protocols: ['rt.v1'] }));
      expect(s.ws.protocol).toBe('rt.v1');
      expect(s.frames[0]).toMatchObject({ type: 'connected', user: null });
    });

    it('takes the first place that holds a token: query before header before subprotocol', async () => {
      const q = track(
        await connect(t.baseUrl, {
          token: alice.accessToken,
          via: 'query',
          headers: { Authorization: `Bearer ${bob.accessToken}` },
        }),
      );
      expect(q.frames[0]).toMatchObject({ user: { id: alice.id } });
      const h = track(
        await connect(t.baseUrl, {
          token: bob.accessToken,
          via: 'header',
          protocols: [`token-${alice.accessToken}`],
        }),
      );
      expect(h.frames[0]).toMatchObject({ user: { id: bob.id } });
      // The first place is valid: a broken token in a later place does not matter.
      const later = track(
        await connect(t.baseUrl, {
          token: alice.accessToken,
          via: 'query',
          headers: { Authorization: 'Bearer not-a-jwt' },
        }),
      );
      expect(later.frames[0]).toMatchObject({ user: { id: alice.id } });
    });
  });

  describe('refused with HTTP 401 before any WebSocket exists', () => {
    const badTokens: [string, () => string][] = [
      ['garbage', () => 'not-a-jwt'],
      ['an empty token', () => ''],
      ['an expired token', () => accessTokenFor(alice, { expiresInSec: -30 })],
      [
        'a token signed with another key',
        () => accessTokenFor(alice, { secret: 'another-secret-0123456789-abcdefghijklmnop' }),
      ],
      ['an unsigned (alg none) token', () => unsignedToken(decodePayload(alice.accessToken))],
      [
        'a token of another algorithm (HS512, same secret)',
        () =>
          hmacToken(
            { ...decodePayload(alice.accessToken), exp: nowSec() + 600 },
            TEST_JWT_SECRET,
            'HS512',
          ),
      ],
      [
        'a tampered token',
        () => {
          const [h, , sig] = alice.accessToken.split('.');
          const payload = { ...decodePayload(alice.accessToken), sub: bob.id };
          return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
        },
      ],
    ];

    it.each(badTokens)('%s in the query string', async (_name, token) => {
      const r = await refusedUpgrade(t.baseUrl, { token: token(), via: 'query' });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    });

    it('an invalid token in the Authorization header', async () => {
      const r = await refusedUpgrade(t.baseUrl, {
        token: accessTokenFor(alice, { expiresInSec: -30 }),
        via: 'header',
      });
      expect(r.status).toBe(401);
    });

    it('an invalid token-<JWT> subprotocol (rt.v1 offered too)', async () => {
      const r = await refusedUpgrade(t.baseUrl, {
        token: unsignedToken(decodePayload(alice.accessToken)),
        via: 'protocol',
        protocols: ['rt.v1'],
      });
      expect(r.status).toBe(401);
    });

    it('an invalid token in the first place, even when a later place holds a valid one', async () => {
      const viaQuery = await refusedUpgrade(t.baseUrl, {
        token: 'not-a-jwt',
        via: 'query',
        headers: { Authorization: `Bearer ${alice.accessToken}` },
      });
      expect(viaQuery.status).toBe(401);
      const viaHeader = await refusedUpgrade(t.baseUrl, {
        token: accessTokenFor(alice, { expiresInSec: -30 }),
        via: 'header',
        protocols: [`token-${alice.accessToken}`],
      });
      expect(viaHeader.status).toBe(401);
    });
  });

  describe('anonymous sockets', () => {
    let anon: TestSocket;
    beforeAll(async () => {
      anon = track(await connect(t.baseUrl));
    });

    it('connect with user null', () => {
      expect(anon.frames[0]).toMatchObject({ type: 'connected', user: null });
      expect(typeof anon.frames[0].connectionId).toBe('string');
    });

    it('may subscribe to announcements', async () => {
      await expect(anon.request('subscribe', { channel: 'announcements' })).resolves.toMatchObject({
        type: 'subscribed',
        channel: 'announcements',
        offset: 0,
      });
    });

    it.each(['presence', 'test:open-x'])('get UNAUTHORIZED on %s', async (channel) => {
      await expect(anon.request('subscribe', { channel })).resolves.toMatchObject({
        type: 'error',
        code: 'UNAUTHORIZED',
      });
    });

    it('get UNAUTHORIZED on a module command, and nothing is written', async () => {
      await expect(
        anon.request('test.publish', { data: { room: 'open-anon', n: 1 } }),
      ).resolves.toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
      const s = track(await connect(t.baseUrl, { token: alice.accessToken }));
      await expect(s.request('subscribe', { channel: 'test:open-anon' })).resolves.toMatchObject({
        type: 'subscribed',
        offset: 0,
      });
    });

    it('have no user channel and stay open after refusals', async () => {
      const reply = await anon.request('list_channels');
      expect(reply).toMatchObject({ type: 'channels', subscribed: ['announcements'] });
      await expect(anon.request('ping')).resolves.toMatchObject({ type: 'pong' });
    });
  });

  describe('Origin', () => {
    it('refuses an origin that is not in CORS_ORIGINS with 403', async () => {
      const r = await refusedUpgrade(t.baseUrl, {
        token: alice.accessToken,
        headers: { Origin: 'http://evil.test' },
      });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('accepts a listed origin', async () => {
      const s = track(
        await connect(t.baseUrl, { token: alice.accessToken, headers: { Origin: ALLOWED_ORIGIN } }),
      );
      expect(s.frames[0]).toMatchObject({ type: 'connected', user: { id: alice.id } });
    });

    it('accepts a request without Origin (not a browser)', async () => {
      const s = track(await connect(t.baseUrl, { token: alice.accessToken }));
      expect(s.frames[0]).toMatchObject({ type: 'connected' });
    });
  });
});

describe('realtime handshake with WS_ALLOW_ANONYMOUS=false', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { WS_ALLOW_ANONYMOUS: 'false' } });
    alice = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a handshake without a token with 401', async () => {
    const r = await refusedUpgrade(t.baseUrl);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('still accepts a valid token', async () => {
    const s = await connect(t.baseUrl, { token: alice.accessToken });
    expect(s.frames[0]).toMatchObject({ user: { id: alice.id } });
    s.close();
    await s.closed;
  });
});

describe('realtime handshake rate per IP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WS_CONNECT_RATE_PER_IP: '3' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses connection attempts beyond WS_CONNECT_RATE_PER_IP with 429', async () => {
    for (let i = 0; i < 3; i++) {
      const s = await connect(t.baseUrl);
      s.close();
      await s.closed;
    }
    const r = await refusedUpgrade(t.baseUrl);
    expect(r.status).toBe(429);
    const body = JSON.parse(r.body) as { code: string; retryAfterMs: number };
    expect(body.code).toBe('RATE_LIMITED');
    expect(body.retryAfterMs).toBeGreaterThan(0);
  });
});
