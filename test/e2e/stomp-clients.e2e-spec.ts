import { Client, IMessage, Stomp, StompSubscription } from '@stomp/stompjs';
import SockJS from 'sockjs-client';
import request from 'supertest';
import WebSocket from 'ws';
import { createConversation, sendRest } from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';

const ADMIN_EMAIL = 'stomp-admin@example.test';

/** A STOMP client (stompjs) over a WebSocket, as an SPA would open it. */
function wsClient(baseUrl: string, connectHeaders: Record<string, string>): Client {
  const url = new URL('/ws', baseUrl.replace(/^http/, 'ws')).toString();
  return new Client({
    webSocketFactory: () => new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
    connectHeaders,
    reconnectDelay: 0,
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    debug: () => undefined,
  });
}

/** Activates a client and resolves once it is connected. */
function activate(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    client.onConnect = () => resolve();
    client.onStompError = (frame) => reject(new Error(`STOMP error: ${frame.headers.message}`));
    client.onWebSocketError = () => reject(new Error('WebSocket error'));
    client.activate();
  });
}

/** Subscribes and collects the parsed bodies of the messages. */
function collect(
  client: Client,
  destination: string,
  headers: Record<string, string> = {},
): { bodies: unknown[]; messages: IMessage[]; sub: StompSubscription } {
  const bodies: unknown[] = [];
  const messages: IMessage[] = [];
  const sub = client.subscribe(
    destination,
    (m) => {
      messages.push(m);
      bodies.push(JSON.parse(m.body));
    },
    headers,
  );
  return { bodies, messages, sub };
}

/** Waits for the RECEIPT of a frame sent with `receipt`. */
function receiptOf(client: Client, id: string): Promise<void> {
  return new Promise((resolve) => client.watchForReceipt(id, () => resolve()));
}

describe('Spring-era clients: @stomp/stompjs over WebSocket and SockJS', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let admin: RegisteredUser;
  const clients: Client[] = [];
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_EMAILS: ADMIN_EMAIL, WS_RATE_LIMIT: '100000' } });
    alice = await registerUser(t.baseUrl);
    bob = await registerUser(t.baseUrl);
    admin = await registerUser(t.baseUrl, { email: ADMIN_EMAIL });
  });
  afterAll(async () => {
    for (const c of clients) await c.deactivate();
    for (const close of closers) close();
    await t?.close();
  });

  it("runs a Spring guide's client code as written: SockJS with the token in the URL, Stomp.over, /user/queue/messages", async () => {
    const before = await createConversation(t.baseUrl, alice, [bob]);
    const socket = new SockJS(`${t.baseUrl}/ws?token=${bob.accessToken}`);
    const stompClient = Stomp.over(() => socket);
    stompClient.debug = () => undefined;
    stompClient.reconnect_delay = 0;
    const received: { content: string; conversationId: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      stompClient.connect(
        {},
        () => {
          stompClient.subscribe('/user/queue/messages', (message) => {
            received.push(JSON.parse(message.body) as { content: string; conversationId: string });
          });
          resolve();
        },
        (frame: unknown) => reject(new Error(`connect failed: ${JSON.stringify(frame)}`)),
      );
    });
    closers.push(() => stompClient.disconnect());
    // Let the SUBSCRIBE reach the server (a heartbeat SEND with a receipt comes after it).
    await new Promise<void>((resolve) => {
      stompClient.watchForReceipt('settled', () => resolve());
      stompClient.send('/app/heartbeat', { receipt: 'settled' }, '');
    });
    await sendRest(t.baseUrl, alice, before.id, 'over REST, to a conversation Bob was in');
    // A conversation Bob joins after subscribing is followed too, its first message included.
    const carol = await registerUser(t.baseUrl);
    const after = await createConversation(t.baseUrl, carol, [bob]);
    await sendRest(t.baseUrl, carol, after.id, 'in a conversation created later');
    await expectEventually(() =>
      expect(received.map((m) => m.content)).toEqual([
        'over REST, to a conversation Bob was in',
        'in a conversation created later',
      ]),
    );
    expect(received.map((m) => m.conversationId)).toEqual([before.id, after.id]);
  });

  it('receives /user/queue/notifications over SockJS with the token in CONNECT; a client-individual ACK acknowledges it', async () => {
    const client = new Client({
      webSocketFactory: () => new SockJS(`${t.baseUrl}/ws`),
      connectHeaders: { Authorization: `Bearer ${bob.accessToken}` },
      reconnectDelay: 0,
      debug: () => undefined,
    });
    clients.push(client);
    await activate(client);
    const inbox = collect(client, '/user/queue/notifications', { ack: 'client-individual' });
    const created = await request(t.baseUrl)
      .post('/api/notifications')
      .set(bearer(admin))
      .send({ userId: bob.id, title: 'Deploy', body: 'Tonight at 9' });
    expect(created.status).toBe(201);
    await expectEventually(() => expect(inbox.messages).toHaveLength(1));
    expect(inbox.bodies[0]).toMatchObject({ id: created.body.id, title: 'Deploy' });
    expect(inbox.messages[0].headers.event).toBe('notification.created');
    const acked = receiptOf(client, 'ack-1');
    inbox.messages[0].ack({ receipt: 'ack-1' });
    await acked;
    const state = await request(t.baseUrl).get('/api/notifications').set(bearer(bob));
    const stored = (state.body.items as { id: string; ackedAt: string | null }[]).find(
      (n) => n.id === created.body.id,
    );
    expect(stored?.ackedAt).toEqual(expect.any(String));
    // A notification not acknowledged is pushed again to the next session; an acknowledged one is not.
    const unacked = await request(t.baseUrl)
      .post('/api/notifications')
      .set(bearer(admin))
      .send({ userId: bob.id, title: 'Second', body: 'Not acked' });
    // notification.* events: the ack's notification.read too, then the second notification.
    await expectEventually(() =>
      expect(inbox.messages.map((m) => m.headers.event)).toEqual([
        'notification.created',
        'notification.read',
        'notification.created',
      ]),
    );
    const next = wsClient(t.baseUrl, { Authorization: `Bearer ${bob.accessToken}` });
    clients.push(next);
    await activate(next);
    const replay = collect(next, '/user/queue/notifications', { ack: 'client' });
    await expectEventually(() =>
      expect(replay.bodies.map((b) => (b as { id: string }).id)).toContain(unacked.body.id),
    );
    expect(replay.bodies.map((b) => (b as { id: string }).id)).not.toContain(created.body.id);
  });

  it('delivers the same events to xhr-streaming, xhr-polling and WebSocket clients', async () => {
    const conversation = await createConversation(t.baseUrl, alice, [bob], 'transports');
    const transports = ['xhr-streaming', 'xhr-polling'] as const;
    const viaSockJs = await Promise.all(
      transports.map(async (transport) => {
        const client = new Client({
          webSocketFactory: () =>
            new SockJS(`${t.baseUrl}/ws?token=${bob.accessToken}`, undefined, {
              transports: [transport],
            }),
          reconnectDelay: 0,
          debug: () => undefined,
        });
        clients.push(client);
        await activate(client);
        return collect(client, `/topic/chat/${conversation.id}`);
      }),
    );
    const ws = wsClient(t.baseUrl, { passcode: bob.accessToken });
    clients.push(ws);
    await activate(ws);
    const viaWs = collect(ws, `/topic/chat/${conversation.id}`);
    // Each SUBSCRIBE is in place once a later frame of the same client has its receipt.
    for (const c of clients.slice(-3)) {
      const settled = receiptOf(c, `settle-${clients.indexOf(c)}`);
      c.publish({
        destination: '/app/heartbeat',
        headers: { receipt: `settle-${clients.indexOf(c)}` },
      });
      await settled;
    }
    for (let i = 1; i <= 3; i++) await sendRest(t.baseUrl, alice, conversation.id, `m${i}`);
    const expected = ['m1', 'm2', 'm3'];
    for (const inbox of [...viaSockJs, viaWs])
      await expectEventually(() =>
        expect(inbox.bodies.map((b) => (b as { content: string }).content)).toEqual(expected),
      );
    expect(viaSockJs[0].messages.map((m) => m.headers.offset)).toEqual(['1', '2', '3']);
  });

  it('resumes after a drop with `since` on SUBSCRIBE: every later message once, in order', async () => {
    const conversation = await createConversation(t.baseUrl, alice, [bob], 'drop');
    const first = wsClient(t.baseUrl, { Authorization: `Bearer ${bob.accessToken}` });
    await activate(first);
    const before = collect(first, `/topic/chat/${conversation.id}`);
    await sendRest(t.baseUrl, alice, conversation.id, 'one');
    await expectEventually(() => expect(before.messages).toHaveLength(1));
    const lastOffset = before.messages[0].headers.offset;
    await first.forceDisconnect();
    await first.deactivate();
    await sendRest(t.baseUrl, alice, conversation.id, 'two');
    await sendRest(t.baseUrl, alice, conversation.id, 'three');
    const again = wsClient(t.baseUrl, { Authorization: `Bearer ${bob.accessToken}` });
    clients.push(again);
    await activate(again);
    const after = collect(again, `/topic/chat/${conversation.id}`, { since: lastOffset });
    await sendRest(t.baseUrl, alice, conversation.id, 'four');
    await expectEventually(() =>
      expect(after.bodies.map((b) => (b as { content: string }).content)).toEqual([
        'two',
        'three',
        'four',
      ]),
    );
    expect(after.messages.map((m) => m.headers.offset)).toEqual(['2', '3', '4']);
  });

  it('speaks the JSON protocol over SockJS: `connected` after the first frame, then its reply', async () => {
    const conversation = await createConversation(t.baseUrl, alice, [bob], 'json over sockjs');
    const socket = new SockJS(`${t.baseUrl}/ws?token=${bob.accessToken}`);
    closers.push(() => socket.close());
    const frames: { type: string; [k: string]: unknown }[] = [];
    socket.onmessage = (m: { data: string }) => frames.push(JSON.parse(m.data));
    await new Promise<void>((resolve) => {
      socket.onopen = () => resolve();
    });
    socket.send(
      JSON.stringify({ type: 'subscribe', id: 's1', channel: `chat:${conversation.id}` }),
    );
    // Events of Bob's own channel (a waiting notification) may come between: replies are in order.
    const replies = (): { type: string }[] => frames.filter((f) => f.type !== 'event');
    await expectEventually(() =>
      expect(replies().map((f) => f.type)).toEqual(['connected', 'subscribed']),
    );
    expect(frames[0]).toMatchObject({ type: 'connected', user: { id: bob.id } });
    expect(replies()[1]).toMatchObject({ id: 's1', channel: `chat:${conversation.id}` });
    await sendRest(t.baseUrl, alice, conversation.id, 'to the JSON session');
    await expectEventually(() =>
      expect(
        frames.find((f) => f.type === 'event' && f.channel !== `user:${bob.id}`),
      ).toMatchObject({
        event: 'chat.message.created',
        data: { content: 'to the JSON session' },
      }),
    );
  });

  it('answers GET /ws/info like Spring does, and refuses a bad token on SockJS transport requests', async () => {
    const info = await request(t.baseUrl).get('/ws/info');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ websocket: true });
    const refused = await request(t.baseUrl).get('/ws/info?token=not-a-token');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'UNAUTHORIZED' });
    const jsonp = await request(t.baseUrl).get('/ws/000/abcdef/jsonp?c=x');
    expect(jsonp.status).toBe(404);
  });
});
