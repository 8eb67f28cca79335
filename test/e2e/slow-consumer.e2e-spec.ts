import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MetricsService } from '../../src/realtime/metrics/metrics.service.js';
import { expectEventually } from '../helpers/eventually.js';
import { RawStomp } from '../helpers/stomp-client.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const BOUND = 64 * 1024;
/** Big events fill a socket that is not read quickly; the kernel's own buffers take megabytes first. */
const TEXT = 'x'.repeat(12 * 1024);
/** Enough to pass the kernel's socket buffers and the bound several times over. */
const MAX_EVENTS = 3000;

async function closesWith(t: TestApp, code: number): Promise<number> {
  const metric = await t.app.get(MetricsService).closes.get();
  return metric.values.find((v) => v.labels.code === String(code))?.value ?? 0;
}

/**
 * A client that stops reading: its unsent frames are bounded by
 * WS_MAX_BUFFERED_BYTES, it is closed with 4503 through the kernel (STOMP gets
 * its ERROR first), counted in rt_socket_closes_total, and the other
 * subscribers of the channel keep receiving everything, in order.
 */
describe('slow consumers (WS_MAX_BUFFERED_BYTES)', () => {
  let t: TestApp;
  let user: RegisteredUser;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: { WS_MAX_BUFFERED_BYTES: String(BOUND), WS_RATE_LIMIT: '1000000' },
    });
    user = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('closes a WebSocket that stopped reading with 4503 (STOMP: ERROR first), while the others get every event in order', async () => {
    const room = `open-slow-${randomBytes(4).toString('hex')}`;
    const channel = `test:${room}`;
    const fast = await connect(t.baseUrl, { token: user.accessToken });
    const slowJson = await connect(t.baseUrl, { token: user.accessToken });
    const slowStomp = await RawStomp.open(t.baseUrl, { token: user.accessToken });
    const writer = await connect(t.baseUrl, { token: user.accessToken });
    open.push(fast, slowJson, writer);
    await slowStomp.connect();
    slowStomp.frame('SUBSCRIBE', { id: 's', destination: `/topic/test/${room}`, receipt: 'r' });
    const subscribed = await slowStomp.next(
      (f) => f.command === 'RECEIPT' || f.command === 'ERROR',
    );
    expect(subscribed.command).toBe('RECEIPT');
    for (const s of [fast, slowJson])
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({
        type: 'subscribed',
      });
    const before = await closesWith(t, 4503);
    slowJson.ws.pause();
    slowStomp.ws.pause();

    let written = 0;
    while ((await closesWith(t, 4503)) < before + 2) {
      if (written >= MAX_EVENTS) throw new Error(`no 4503 after ${written} events`);
      const batch = Array.from({ length: 20 }, () =>
        writer.request('test.publish', { data: { room, n: ++written, text: TEXT } }, 30_000),
      );
      for (const ack of await Promise.all(batch)) expect(ack.type).toBe('ack');
    }
    const offsets = (await fast.waitEvents(channel, written, 30_000)).map((e) => e.offset);
    expect(offsets).toEqual(Array.from({ length: written }, (_, i) => i + 1));

    slowJson.ws.resume();
    await expect(slowJson.closed).resolves.toEqual({ code: 4503, reason: 'slow consumer' });
    // What it got before the close is a prefix of the channel, in order: it resumes with `since`.
    const got = slowJson.events(channel).map((e) => e.offset);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(got.length).toBeLessThan(written);

    slowStomp.ws.resume();
    await expect(slowStomp.closed).resolves.toMatchObject({ code: 4503 });
    const error = slowStomp.frames.find((f) => f.command === 'ERROR');
    expect(error?.header('message')).toBe('slow consumer');
    expect(slowStomp.frames[slowStomp.frames.length - 1].command).toBe('ERROR');

    const metrics = await request(t.baseUrl).get('/metrics');
    expect(metrics.text).toMatch(/^rt_socket_closes_total\{code="4503"\} [1-9]/m);
    // The writer and the fast reader were never in danger.
    await expect(fast.request('ping')).resolves.toMatchObject({ type: 'pong' });
  }, 120_000);

  it('closes a SockJS session whose client stopped polling with 4503', async () => {
    const room = `open-slow-${randomBytes(4).toString('hex')}`;
    const channel = `test:${room}`;
    const base = `/ws/000/${randomBytes(6).toString('hex')}`;
    const q = `?token=${user.accessToken}`;
    const poll = async (): Promise<string> =>
      (await fetch(`${t.baseUrl}${base}/xhr${q}`, { method: 'POST' })).text();
    expect(await poll()).toBe('o\n');
    const sent = await request(t.baseUrl)
      .post(`${base}/xhr_send${q}`)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify([JSON.stringify({ type: 'subscribe', id: 's1', channel })]));
    expect(sent.status).toBe(204);
    await expectEventually(async () => expect(await poll()).toContain('subscribed'));

    // No more polls: events pile up in the session until the bound.
    const writer = await connect(t.baseUrl, { token: user.accessToken });
    open.push(writer);
    const before = await closesWith(t, 4503);
    for (let n = 1; (await closesWith(t, 4503)) === before; n++) {
      if (n > 100) throw new Error('no 4503 after 100 events');
      await writer.request('test.publish', { data: { room, n, text: TEXT } });
    }
    await expectEventually(async () => expect(await poll()).toContain('c[4503,"slow consumer"]'));
  }, 60_000);
});
