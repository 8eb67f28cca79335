import { connect as tcpConnect, type Socket } from 'node:net';
import request from 'supertest';
import { SessionKernel } from '../../src/realtime/kernel/session-kernel.js';
import { expectEventually } from '../helpers/eventually.js';
import { openSse, SseStream } from '../helpers/sse-client.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, refusedUpgrade, TestSocket } from '../helpers/ws-client.js';

/** The value of one Prometheus sample (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * A WebSocket client that completes the handshake and then never answers
 * anything, not even the server's close frame: it holds a draining server open.
 */
function unresponsivePeer(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.write(
        [
          'GET /ws HTTP/1.1',
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('realtime metrics and readiness', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let s: TestSocket;

  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule], env: { WS_RATE_LIMIT: '3' } });
    alice = await registerUser(t.baseUrl);
    s = await connect(t.baseUrl, { token: alice.accessToken });
  });
  afterAll(async () => {
    s?.close();
    await t?.close();
  });

  it('exposes the kernel metrics on GET /metrics', async () => {
    await s.request('subscribe', { channel: 'test:open-metrics' });
    await s.request('test.publish', { data: { room: 'open-metrics', n: 1 } });
    await s.waitEvents('test:open-metrics', 1);
    await s.request('ping');
    await expect(s.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    const res = await request(t.baseUrl).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(sample(text, 'rt_open_sockets{transport="ws"}')).toBe(1);
    expect(sample(text, 'rt_frames_in_total{type="ping"}')).toBe(2);
    expect(sample(text, 'rt_frames_in_total{type="subscribe"}')).toBe(1);
    expect(sample(text, 'rt_events_published_total{kind="persisted"}')).toBe(1);
    expect(sample(text, 'rt_rate_limit_rejections_total{transport="ws"}')).toBe(1);
    expect(sample(text, 'rt_fanout_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rt_delivery_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rt_delivery_latency_seconds_sum')).toBeLessThan(10);
    expect(sample(text, 'rt_bus_reconnects_total')).toBe(0);
    expect(text).toMatch(/^# TYPE rt_delivery_latency_seconds histogram$/m);
    // Every frame sent, by type: the greeting, replies, the refusal and the event.
    expect(sample(text, 'rt_frames_out_total{type="connected"}')).toBe(1);
    expect(sample(text, 'rt_frames_out_total{type="subscribed"}')).toBe(1);
    expect(sample(text, 'rt_frames_out_total{type="ack"}')).toBe(1);
    expect(sample(text, 'rt_frames_out_total{type="pong"}')).toBe(1);
    expect(sample(text, 'rt_frames_out_total{type="error"}')).toBe(1);
    expect(sample(text, 'rt_frames_out_total{type="event"}')).toBe(1);
    expect(sample(text, 'rt_channels')).toBe(2);
    expect(sample(text, 'rt_subscriptions')).toBe(2);
  });

  it('times HTTP requests by method, route pattern and status', async () => {
    await request(t.baseUrl).get('/api/channels/test:open-metrics/events').set(bearer(alice));
    await request(t.baseUrl).get('/api/nowhere');
    const text = (await request(t.baseUrl).get('/metrics')).text;
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="/api/channels/:channel/events",status="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}',
      ),
    ).toBe(1);
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  });

  it('reports readiness of the database, and no Redis check without REDIS_URL', async () => {
    const res = await request(t.baseUrl).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    expect(res.body.info.redis).toBeUndefined();
  });

  it('counts SSE streams as open sessions', async () => {
    const sse = await openSse(t.baseUrl, '/api/stream?channels=announcements', bearer(alice));
    try {
      await sse.until((ms) => ms.some((m) => m.event === 'subscribed'));
      const res = await request(t.baseUrl).get('/metrics');
      expect(sample(res.text, 'rt_open_sockets{transport="sse"}')).toBe(1);
    } finally {
      sse.close();
    }
    await expectEventually(async () => {
      const res = await request(t.baseUrl).get('/metrics');
      expect(sample(res.text, 'rt_open_sockets{transport="sse"}')).toBe(0);
    });
  });
});

describe('realtime graceful shutdown', () => {
  it('closes sockets with 1001, ends event streams and refuses upgrades while draining', async () => {
    const t: TestApp = await startTestApp({
      modules: [TestFeatureModule],
      env: { SHUTDOWN_TIMEOUT_MS: '4000' },
    });
    const alice = await registerUser(t.baseUrl);
    const user = await connect(t.baseUrl, { token: alice.accessToken });
    const anon = await connect(t.baseUrl);
    let sse: SseStream | undefined;
    let stuck: Socket | undefined;
    try {
      sse = await openSse(t.baseUrl, '/api/stream?channels=announcements', bearer(alice));
      await sse.until((ms) => ms.some((m) => m.event === 'subscribed'));
      stuck = await unresponsivePeer(t.port);
      const kernel = t.app.get(SessionKernel);
      await expectEventually(() => expect(kernel.openSessions).toBe(3));

      const closing = t.close();
      await expectEventually(() => expect(kernel.draining).toBe(true), { intervalMs: 5 });
      for (const s of [user, anon])
        await expect(s.closed).resolves.toEqual({ code: 1001, reason: 'server shutting down' });
      await sse.ended;
      // The unresponsive peer holds the drain open: new upgrades are refused meanwhile.
      const refused = await refusedUpgrade(t.baseUrl, { token: alice.accessToken });
      expect(refused.status).toBe(503);
      await closing;
      await expect(connect(t.baseUrl)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      stuck?.destroy();
      sse?.close();
      user.close();
      anon.close();
    }
  }, 30_000);
});
