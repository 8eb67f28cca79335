import request from 'supertest';
import WebSocket from 'ws';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const MAX_PAYLOAD = 4096;

interface Closed {
  code: number;
  reason: string;
}

/** A client of SockJS's raw WebSocket transport (`/ws/websocket`), as Spring's raw clients use it. */
async function rawSockJs(
  t: TestApp,
  token?: string,
): Promise<{ ws: WebSocket; closed: Promise<Closed> }> {
  const ws = new WebSocket(
    `${t.baseUrl.replace('http', 'ws')}/ws/websocket${token ? `?token=${token}` : ''}`,
  );
  const closed = new Promise<Closed>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}

/**
 * The security issue's "an upgrade can crash the node", on SockJS's raw
 * transport: its close throws on the contract's 1xxx codes, from inside a
 * message handler (an uncaught exception ends the process, and fails this test).
 */
describe('SockJS raw WebSocket closes never throw', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WS_MAX_PAYLOAD: String(MAX_PAYLOAD) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('closes on a message over WS_MAX_PAYLOAD (1000, "1009 …") and goes on serving', async () => {
    const { ws, closed } = await rawSockJs(t);
    ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(MAX_PAYLOAD) }));
    await expect(closed).resolves.toEqual({ code: 1000, reason: '1009 message too large' });
    expect((await request(t.baseUrl).get('/health/live')).status).toBe(200);
  });

  it('closes a malformed STOMP session (ERROR, then 1000 "1002 …") and goes on serving', async () => {
    const alice = await registerUser(t.baseUrl);
    const { ws, closed } = await rawSockJs(t, alice.accessToken);
    const frames: string[] = [];
    ws.on('message', (m: Buffer) => frames.push(m.toString()));
    ws.send('CONNECT\naccept-version:1.2\n\n\0');
    ws.send('SUBSCRIBE\nid\n\n\0');
    const { code, reason } = await closed;
    expect(code).toBe(1000);
    expect(reason).toMatch(/^1002 /);
    expect(frames.some((f) => f.startsWith('ERROR'))).toBe(true);
    expect((await request(t.baseUrl).get('/health/live')).status).toBe(200);
  });
});
