import http from 'node:http';
import request from 'supertest';
import { openSse } from '../helpers/sse-client.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, refusedUpgrade } from '../helpers/ws-client.js';

const APP_ORIGIN = 'https://app.example.test';
const EVIL_ORIGIN = 'https://evil.example.test';
const METRICS_TOKEN = 'metrics-token-0123456789';

/** What a browser sends when a page opens a WebSocket (cookies would ride along too). */
function browserHandshake(origin: string): Record<string, string> {
  return {
    Origin: origin,
    'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36',
    Cookie: 'session=would-ride-along',
  };
}

/** A SockJS transport request as a browser page on `origin` would make it. */
function sockJsRequest(t: TestApp, path: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${t.baseUrl}${path}`, { headers: browserHandshake(origin) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/**
 * Cross-site WebSocket hijacking and CORS (the security issue): with
 * CORS_ORIGINS set, a page of another origin can open no socket, SockJS
 * session or stream with the visitor's credentials, and REST and SSE answers
 * carry no permissive CORS headers for it.
 */
describe('origins: cross-site WebSocket hijacking and CORS', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: APP_ORIGIN, WS_CONNECT_RATE_PER_IP: '100000' } });
    alice = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a browser-like handshake from another origin (403), whatever carries the token', async () => {
    for (const via of ['query', 'header', 'protocol'] as const) {
      const refused = await refusedUpgrade(t.baseUrl, {
        token: alice.accessToken,
        via,
        headers: browserHandshake(EVIL_ORIGIN),
      });
      expect([via, refused.status]).toEqual([via, 403]);
    }
    // Anonymous sockets too, and STOMP and SockJS's raw WebSocket.
    expect(
      (await refusedUpgrade(t.baseUrl, { headers: browserHandshake(EVIL_ORIGIN) })).status,
    ).toBe(403);
    expect(
      (
        await refusedUpgrade(t.baseUrl, {
          protocols: ['v12.stomp'],
          headers: browserHandshake(EVIL_ORIGIN),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await refusedUpgrade(t.baseUrl, {
          path: '/ws/websocket',
          headers: browserHandshake(EVIL_ORIGIN),
        })
      ).status,
    ).toBe(403);
    // The page of the application's own origin connects.
    const own = await connect(t.baseUrl, {
      token: alice.accessToken,
      headers: browserHandshake(APP_ORIGIN),
    });
    own.close();
  });

  it('refuses SockJS transport requests from another origin (403)', async () => {
    expect(await sockJsRequest(t, '/ws/info', EVIL_ORIGIN)).toBe(403);
    expect(await sockJsRequest(t, '/ws/123/abcdefgh/eventsource', EVIL_ORIGIN)).toBe(403);
    expect(await sockJsRequest(t, '/ws/info', APP_ORIGIN)).toBe(200);
  });

  it('sends no permissive CORS headers to an unknown origin, on REST, preflights and SSE', async () => {
    const rest = await request(t.baseUrl)
      .get('/api/users/me')
      .set(bearer(alice))
      .set('Origin', EVIL_ORIGIN);
    expect(rest.headers['access-control-allow-origin']).toBeUndefined();
    expect(rest.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await request(t.baseUrl)
      .options('/api/conversations')
      .set('Origin', EVIL_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    const sse = await openSse(t.baseUrl, `/api/notifications/stream?token=${alice.accessToken}`, {
      Origin: EVIL_ORIGIN,
    });
    sse.close();
    expect(sse.headers['access-control-allow-origin']).toBeUndefined();
    // The application's own origin gets exactly itself back, never `*`.
    const own = await request(t.baseUrl)
      .get('/api/users/me')
      .set(bearer(alice))
      .set('Origin', APP_ORIGIN);
    expect(own.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
  });
});

describe('without CORS_ORIGINS (not for production: see README)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends no CORS headers at all, so browsers keep other origins from reading answers', async () => {
    const alice = await registerUser(t.baseUrl);
    const rest = await request(t.baseUrl)
      .get('/api/users/me')
      .set(bearer(alice))
      .set('Origin', EVIL_ORIGIN);
    expect(rest.status).toBe(200);
    expect(rest.headers['access-control-allow-origin']).toBeUndefined();
    const sse = await openSse(t.baseUrl, `/api/notifications/stream?token=${alice.accessToken}`, {
      Origin: EVIL_ORIGIN,
    });
    sse.close();
    expect(sse.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('GET /metrics', () => {
  it('requires METRICS_TOKEN as a bearer token when it is set', async () => {
    const t = await startTestApp({ env: { METRICS_TOKEN } });
    try {
      expect((await request(t.baseUrl).get('/metrics')).status).toBe(403);
      expect(
        (await request(t.baseUrl).get('/metrics').set('Authorization', 'Bearer not-the-token'))
          .status,
      ).toBe(403);
      const ok = await request(t.baseUrl)
        .get('/metrics')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('rt_open_sockets');
    } finally {
      await t.close();
    }
  });

  it('is closed in production without METRICS_TOKEN', async () => {
    const t = await startTestApp({ env: { NODE_ENV: 'production' } });
    try {
      const res = await request(t.baseUrl).get('/metrics');
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
      expect(res.text).not.toContain('rt_open_sockets');
      expect(t.config.warnings).toContain(
        'METRICS_TOKEN is not set: GET /metrics answers 403 in production',
      );
    } finally {
      await t.close();
    }
  });
});
