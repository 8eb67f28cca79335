import net from 'node:net';
import request from 'supertest';
import { ConnectionRegistry } from '../../src/realtime/session/connection-registry.js';
import { expectEventually } from '../helpers/eventually.js';
import { openSse, SseStream } from '../helpers/sse-client.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser } from '../helpers/users.js';
import { connect, refusedUpgrade } from '../helpers/ws-client.js';

/**
 * The security issue's "streams without limits": Server-Sent Event streams are
 * capped per user and per address, count against the connect rate, are
 * anonymous only on public channels (and not at all without
 * WS_ALLOW_ANONYMOUS), and end when the client stops reading.
 */
describe('event stream limits', () => {
  const streams: SseStream[] = [];
  const open = async (
    t: TestApp,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<SseStream> => {
    const s = await openSse(t.baseUrl, path, headers);
    streams.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  describe('caps and anonymity', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        env: { SSE_MAX_STREAMS_PER_USER: '2', SSE_MAX_STREAMS_PER_IP: '4' },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses a user’s stream past SSE_MAX_STREAMS_PER_USER (429), and takes one again once another closed', async () => {
      const alice = await registerUser(t.baseUrl);
      const first = await open(t, '/api/notifications/stream', bearer(alice));
      const second = await open(t, `/api/stream?channels=user:${alice.id}`, bearer(alice));
      expect([first.status, second.status]).toEqual([200, 200]);
      const refused = await request(t.baseUrl).get('/api/notifications/stream').set(bearer(alice));
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 5000 });
      expect(refused.headers['retry-after']).toBe('5');
      // Another user is not affected.
      const bob = await registerUser(t.baseUrl);
      expect((await open(t, '/api/notifications/stream', bearer(bob))).status).toBe(200);
      first.close();
      await expectEventually(async () =>
        expect((await open(t, '/api/notifications/stream', bearer(alice))).status).toBe(200),
      );
    });

    it('refuses streams past SSE_MAX_STREAMS_PER_IP from one address, anonymous ones included', async () => {
      const opened = [];
      for (let i = 0; i < 4; i++) opened.push(await open(t, '/api/stream?channels=announcements'));
      expect(opened.map((s) => s.status)).toEqual([200, 200, 200, 200]);
      const refused = await request(t.baseUrl).get('/api/stream?channels=announcements');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    });

    it('opens no anonymous stream of a private channel', async () => {
      for (const channels of ['presence', 'announcements,presence', 'system']) {
        const res = await request(t.baseUrl).get(`/api/stream?channels=${channels}`);
        expect(res.status).toBe(401);
      }
      expect((await request(t.baseUrl).get('/api/notifications/stream')).status).toBe(401);
    });
  });

  describe('the connect rate, and WS_ALLOW_ANONYMOUS=false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        env: { WS_CONNECT_RATE_PER_IP: '3', WS_ALLOW_ANONYMOUS: 'false' },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('counts streams against WS_CONNECT_RATE_PER_IP, with sockets, and refuses anonymous ones', async () => {
      const alice = await registerUser(t.baseUrl);
      // Refused anonymity spends the budget too: it is a connection attempt.
      const anonymous = await request(t.baseUrl).get('/api/stream?channels=announcements');
      expect(anonymous.status).toBe(401);
      const s = await open(t, '/api/notifications/stream', bearer(alice));
      expect(s.status).toBe(200);
      const ws = await connect(t.baseUrl, { token: alice.accessToken });
      ws.close();
      const refused = await request(t.baseUrl).get('/api/notifications/stream').set(bearer(alice));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await refusedUpgrade(t.baseUrl, { token: alice.accessToken })).status).toBe(429);
    });
  });

  describe('a client that stops reading', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        modules: [TestFeatureModule],
        env: {
          SSE_MAX_BUFFERED_BYTES: String(64 * 1024),
          WS_MAX_PAYLOAD: String(2 * 1024 * 1024),
          WS_COMMAND_MAX_BYTES: String(2 * 1024 * 1024),
          WS_RATE_LIMIT: '100000',
        },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('has its stream ended once SSE_MAX_BUFFERED_BYTES are waiting, not kept in memory', async () => {
      const alice = await registerUser(t.baseUrl);
      const registry = t.app.get(ConnectionRegistry);
      // A raw client that sends its request and then never reads a byte.
      const stalled = net.connect(t.port, '127.0.0.1');
      await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
      stalled.pause();
      stalled.write(
        `GET /api/stream?channels=test:open-stalled HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.accessToken}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      await expectEventually(() => expect(registry.size).toBe(1));
      const writer = await connect(t.baseUrl, { token: alice.accessToken });
      const text = 'x'.repeat(512 * 1024);
      let published = 0;
      // Loopback buffers hold a few megabytes: write until the server gives up on the stream.
      while (registry.size > 1 && published < 200) {
        const ack = await writer.request(
          'test.publish',
          { data: { room: 'open-stalled', text } },
          15_000,
        );
        expect(ack.type).toBe('ack');
        published += 1;
      }
      expect(registry.size).toBe(1);
      expect(published).toBeLessThan(200);
      writer.close();
      stalled.destroy();
    }, 60_000);
  });
});
