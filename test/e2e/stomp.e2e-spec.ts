import SockJS from 'sockjs-client';
import request from 'supertest';
import { accessTokenFor } from '../helpers/access-tokens.js';
import { createConversation, sendRest } from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { RawStomp } from '../helpers/stomp-client.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { refusedUpgrade } from '../helpers/ws-client.js';

const HEARTBEAT_MS = 300;

/** STOMP over the WebSocket at /ws, frame by frame (section 8 of the protocol). */
describe('STOMP over WebSocket', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  const open: RawStomp[] = [];
  const stomp = async (token?: string): Promise<RawStomp> => {
    const c = await RawStomp.open(t.baseUrl, { token });
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        WS_HEARTBEAT_MS: String(HEARTBEAT_MS),
        WS_RATE_LIMIT: '100000',
        HISTORY_MAX_EVENTS: '5',
      },
    });
    alice = await registerUser(t.baseUrl);
    bob = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await t?.close();
  });

  it('answers CONNECT with CONNECTED: version, heart-beat, session, server, user-name', async () => {
    const c = await stomp(alice.accessToken);
    expect(c.ws.protocol).toBe('v12.stomp');
    const connected = await c.connect({ 'heart-beat': '0,0' });
    expect(connected.command).toBe('CONNECTED');
    expect(connected.header('version')).toBe('1.2');
    expect(connected.header('heart-beat')).toBe(`${HEARTBEAT_MS},${HEARTBEAT_MS}`);
    expect(connected.header('session')).toMatch(/^[0-9a-f-]{36}$/);
    expect(connected.header('server')).toEqual(expect.any(String));
    expect(connected.header('user-name')).toBe(alice.id);
  });

  it('takes the token from CONNECT headers (Authorization or passcode), and refuses a bad one with ERROR then close', async () => {
    const byHeader = await stomp();
    await expect(
      byHeader.connect({ Authorization: `Bearer ${alice.accessToken}` }),
    ).resolves.toMatchObject({ command: 'CONNECTED' });
    expect(byHeader.frames[0].header('user-name')).toBe(alice.id);
    const byPasscode = await stomp();
    const viaPasscode = await byPasscode.connect({ login: 'x', passcode: bob.accessToken });
    expect(viaPasscode.header('user-name')).toBe(bob.id);
    const bad = await stomp();
    const error = await bad.connect({ Authorization: 'Bearer not-a-token' });
    expect(error.command).toBe('ERROR');
    expect(error.header('code')).toBe('UNAUTHORIZED');
    await expect(bad.closed).resolves.toMatchObject({ code: 4401 });
  });

  it('refuses a bad token in the handshake with 401 before any WebSocket exists', async () => {
    const refused = await refusedUpgrade(t.baseUrl, {
      token: 'not-a-token',
      protocols: ['v12.stomp'],
    });
    expect(refused.status).toBe(401);
  });

  it('delivers channel events as MESSAGE frames whose body is the event data', async () => {
    const conversation = await createConversation(t.baseUrl, alice, [bob]);
    const c = await stomp(bob.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', {
      id: 'sub-0',
      destination: `/topic/chat/${conversation.id}`,
      receipt: 'r-1',
    });
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'r-1');
    const sent = await sendRest(t.baseUrl, alice, conversation.id, 'hello over STOMP');
    const message = await c.next((f) => f.command === 'MESSAGE');
    expect(JSON.parse(message.bodyText())).toEqual(sent);
    expect(message.header('content-type')).toBe('application/json');
    expect(Number(message.header('content-length'))).toBe(message.body.length);
    expect(message.header('destination')).toBe(`/topic/chat/${conversation.id}`);
    expect(message.header('subscription')).toBe('sub-0');
    expect(message.header('event')).toBe('chat.message.created');
    expect(message.header('channel')).toBe(`chat:${conversation.id}`);
    expect(message.header('offset')).toBe('1');
    expect(message.header('message-id')).toEqual(expect.any(String));
  });

  it('resumes with `since` exactly once, in order, and says recovered: false past the history', async () => {
    const conversation = await createConversation(t.baseUrl, alice, [bob], 'resume');
    for (let i = 1; i <= 3; i++) await sendRest(t.baseUrl, alice, conversation.id, `m${i}`);
    const c = await stomp(bob.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', {
      id: 's',
      destination: `/topic/conversation/${conversation.id}`,
      since: '1',
      receipt: 'r',
    });
    const receipt = await c.next((f) => f.command === 'RECEIPT');
    expect(receipt.header('recovered')).toBeUndefined();
    await sendRest(t.baseUrl, alice, conversation.id, 'm4');
    await expectEventually(() => expect(c.messages('s')).toHaveLength(3));
    expect(c.messages('s').map((m) => Number(m.header('offset')))).toEqual([2, 3, 4]);
    // Past the retained history (HISTORY_MAX_EVENTS = 5): recovered false on the RECEIPT and the first MESSAGE.
    for (let i = 5; i <= 9; i++) await sendRest(t.baseUrl, alice, conversation.id, `m${i}`);
    const late = await stomp(bob.accessToken);
    await late.connect();
    late.frame('SUBSCRIBE', {
      id: 'l',
      destination: `/topic/chat/${conversation.id}`,
      since: '0',
      receipt: 'r2',
    });
    const lateReceipt = await late.next((f) => f.command === 'RECEIPT');
    expect(lateReceipt.header('recovered')).toBe('false');
    await expectEventually(() => expect(late.messages('l').length).toBeGreaterThan(0));
    expect(late.messages('l')[0].header('recovered')).toBe('false');
    expect(
      late
        .messages('l')
        .slice(1)
        .every((m) => m.header('recovered') === undefined),
    ).toBe(true);
  });

  it('refuses a SUBSCRIBE the policy refuses with ERROR (code, receipt-id) and closes', async () => {
    const theirs = await createConversation(t.baseUrl, alice, [bob], 'private');
    const carol = await registerUser(t.baseUrl);
    const c = await stomp(carol.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', { id: 'x', destination: `/topic/chat/${theirs.id}`, receipt: 'no' });
    const error = await c.next((f) => f.command === 'ERROR');
    expect(error.header('code')).toBe('FORBIDDEN');
    expect(error.header('receipt-id')).toBe('no');
    await expect(c.closed).resolves.toMatchObject({ code: 1008 });
    for (const [destination, code] of [
      ['/topic/nowhere/1', 'NOT_FOUND'],
      ['/queue/stuff', 'NOT_FOUND'],
      [`/user/${alice.id}/queue/messages`, 'FORBIDDEN'],
    ]) {
      const other = await stomp(carol.accessToken);
      await other.connect();
      other.frame('SUBSCRIBE', { id: 'y', destination });
      await expect(other.next((f) => f.command === 'ERROR')).resolves.toMatchObject({
        headers: expect.arrayContaining([['code', code]]) as unknown,
      });
    }
    const anonymous = await stomp();
    await anonymous.connect();
    anonymous.frame('SUBSCRIBE', { id: 'z', destination: '/user/queue/notifications' });
    const anonymousError = await anonymous.next((f) => f.command === 'ERROR');
    expect(anonymousError.header('code')).toBe('UNAUTHORIZED');
  });

  it('runs SEND /app/<command> and its aliases; RECEIPT after commit; a refused command goes to /user/queue/errors and the connection stays', async () => {
    const conversation = await createConversation(t.baseUrl, alice, [bob], 'send');
    const c = await stomp(alice.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', { id: 'errs', destination: '/user/queue/errors' });
    c.frame(
      'SEND',
      { destination: '/app/chat.send', receipt: 'ok-1', 'content-type': 'application/json' },
      JSON.stringify({ conversationId: conversation.id, content: 'via /app/chat.send' }),
    );
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'ok-1');
    const history = await request(t.baseUrl)
      .get(`/api/conversations/${conversation.id}/messages`)
      .set(bearer(bob));
    expect(history.body.items.map((m: { content: string }) => m.content)).toContain(
      'via /app/chat.send',
    );
    c.frame(
      'SEND',
      { destination: `/app/chat/${conversation.id}/send`, receipt: 'ok-2' },
      JSON.stringify({ content: 'via the alias' }),
    );
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'ok-2');
    const elsewhere = await createConversation(
      t.baseUrl,
      bob,
      [await registerUser(t.baseUrl)],
      'x',
    );
    c.frame(
      'SEND',
      { destination: '/app/chat.send', receipt: 'refused' },
      JSON.stringify({ conversationId: elsewhere.id, content: 'not mine' }),
    );
    const error = await c.next(
      (f) => f.command === 'MESSAGE' && f.header('subscription') === 'errs',
    );
    expect(error.header('code')).toBe('FORBIDDEN');
    expect(error.header('receipt-id')).toBe('refused');
    expect(JSON.parse(error.bodyText())).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    c.frame('SEND', { destination: '/app/heartbeat', receipt: 'after' });
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'after');
    expect(
      c.frames.some((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'refused'),
    ).toBe(false);
  });

  it('reads frames split over messages, several in one message, content-length with NUL, escaped headers', async () => {
    const c = await stomp(alice.accessToken);
    const connect = `CONNECT\naccept-version:1.2\nhost:x\n\n\0`;
    c.send(connect.slice(0, 5));
    c.send(connect.slice(5));
    await c.next((f) => f.command === 'CONNECTED');
    const body = 'a\0b';
    c.send(
      `SEND\ndestination:/app/heartbeat\nreceipt:one\\ctwo\ncontent-length:${Buffer.byteLength(body)}\n\n${body}\0` +
        `\nSEND\ndestination:/app/heartbeat\nreceipt:three\n\n\0`,
    );
    const first = await c.next(
      (f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'one:two',
    );
    expect(first.command).toBe('RECEIPT');
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'three');
    const receipts = c.frames
      .filter((f) => f.command === 'RECEIPT')
      .map((f) => f.header('receipt-id'));
    expect(receipts).toEqual(['one:two', 'three']);
  });

  it('answers a malformed frame with ERROR and closes', async () => {
    const c = await stomp(alice.accessToken);
    await c.connect();
    c.send('SEND\nno-colon-here\n\n\0');
    const error = await c.next((f) => f.command === 'ERROR');
    expect(error.header('code')).toBe('BAD_REQUEST');
    await expect(c.closed).resolves.toMatchObject({ code: 1002 });
  });

  it('beats both ways: the server sends heart-beats and a beating client is not idle', async () => {
    const c = await stomp(alice.accessToken);
    await c.connect({ 'heart-beat': `${HEARTBEAT_MS},${HEARTBEAT_MS}` });
    const beater = setInterval(() => c.send('\n'), HEARTBEAT_MS / 2);
    try {
      await expectEventually(() => expect(c.heartbeats).toBeGreaterThanOrEqual(3), {
        timeoutMs: HEARTBEAT_MS * 20,
      });
      expect(c.ws.readyState).toBe(c.ws.OPEN);
    } finally {
      clearInterval(beater);
    }
    // A client that stops beating is taken for dead after twice the period.
    await expect(c.closed).resolves.toMatchObject({ code: 4408 });
  });

  it('answers DISCONNECT with its RECEIPT, then closes', async () => {
    const c = await stomp(alice.accessToken);
    await c.connect();
    c.frame('DISCONNECT', { receipt: 'bye' });
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'bye');
    await expect(c.closed).resolves.toMatchObject({ code: 1000 });
  });
});

/** The kernel's limits and closes apply to STOMP sessions as they do to JSON ones. */
describe('STOMP sessions under the kernel: channels, acks, limits, expiry, shutdown', () => {
  const LIMIT = 12;
  const MAX_PAYLOAD = 2048;
  const ADMIN = 'stomp-limits-admin@example.test';
  let t: TestApp;
  let alice: RegisteredUser;
  let admin: RegisteredUser;
  const open: RawStomp[] = [];
  const stomp = async (token?: string): Promise<RawStomp> => {
    const c = await RawStomp.open(t.baseUrl, { token });
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        WS_RATE_LIMIT: String(LIMIT),
        WS_RATE_WINDOW_MS: '600000',
        WS_ABUSE_THRESHOLD: '2',
        WS_MAX_PAYLOAD: String(MAX_PAYLOAD),
        ADMIN_EMAILS: ADMIN,
      },
    });
    alice = await registerUser(t.baseUrl);
    admin = await registerUser(t.baseUrl, { email: ADMIN });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await t?.close();
  });

  it('applies the channel policies: announcements for anyone, presence for users, system for admins', async () => {
    const anonymous = await stomp();
    await anonymous.connect();
    anonymous.frame('SUBSCRIBE', { id: 'a', destination: '/topic/announcements', receipt: 'a' });
    await anonymous.next((f) => f.command === 'RECEIPT');
    const published = await request(t.baseUrl)
      .post('/api/announcements')
      .set(bearer(admin))
      .send({ title: 'Hello', body: 'Everyone' });
    expect(published.status).toBe(201);
    const message = await anonymous.next((f) => f.command === 'MESSAGE');
    expect(JSON.parse(message.bodyText())).toMatchObject({ title: 'Hello' });
    const anonymousPresence = await stomp();
    await anonymousPresence.connect();
    anonymousPresence.frame('SUBSCRIBE', { id: 'p', destination: '/topic/presence' });
    await expect(anonymousPresence.next((f) => f.command === 'ERROR')).resolves.toMatchObject({
      headers: expect.arrayContaining([['code', 'UNAUTHORIZED']]) as unknown,
    });
    const user = await stomp(alice.accessToken);
    await user.connect();
    user.frame('SUBSCRIBE', { id: 's', destination: '/topic/system' });
    await expect(user.next((f) => f.command === 'ERROR')).resolves.toMatchObject({
      headers: expect.arrayContaining([['code', 'FORBIDDEN']]) as unknown,
    });
    const boss = await stomp(admin.accessToken);
    await boss.connect();
    boss.frame('SUBSCRIBE', { id: 's', destination: '/topic/system', receipt: 'ok' });
    await expect(boss.next((f) => f.command === 'RECEIPT')).resolves.toBeDefined();
  });

  it('delivers board events on /topic/board/{id} and every user-channel event on /user/queue/events', async () => {
    const board = await request(t.baseUrl)
      .post('/api/boards')
      .set(bearer(alice))
      .send({ name: 'STOMP board' });
    expect(board.status).toBe(201);
    const c = await stomp(alice.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', { id: 'b', destination: `/topic/board/${board.body.id}` });
    c.frame('SUBSCRIBE', { id: 'e', destination: '/user/queue/events', receipt: 'both' });
    await c.next((f) => f.command === 'RECEIPT');
    await request(t.baseUrl)
      .post(`/api/boards/${board.body.id}/columns`)
      .set(bearer(alice))
      .send({ title: 'To do' });
    const column = await c.next((f) => f.command === 'MESSAGE' && f.header('subscription') === 'b');
    expect(column.header('event')).toBe('board.column.created');
    await request(t.baseUrl)
      .post('/api/notifications')
      .set(bearer(admin))
      .send({ userId: alice.id, title: 'For you', body: '!' });
    const note = await c.next((f) => f.command === 'MESSAGE' && f.header('subscription') === 'e');
    expect(note.header('event')).toBe('notification.created');
  });

  it('acknowledges cumulatively in client mode; NACK acknowledges nothing', async () => {
    const user = await registerUser(t.baseUrl);
    const c = await stomp(user.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', {
      id: 'n',
      destination: '/user/queue/notifications',
      ack: 'client',
      receipt: 'r',
    });
    await c.next((f) => f.command === 'RECEIPT');
    const ids: string[] = [];
    for (const title of ['one', 'two', 'three']) {
      const res = await request(t.baseUrl)
        .post('/api/notifications')
        .set(bearer(admin))
        .send({ userId: user.id, title, body: title });
      ids.push(res.body.id as string);
    }
    await expectEventually(() => expect(c.messages('n')).toHaveLength(3));
    const [first, , third] = c.messages('n');
    // NACK the first (client mode is cumulative: up to it, so only it), then ACK the third: two and three.
    c.frame('NACK', { id: first.header('ack')!, receipt: 'nack' });
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'nack');
    c.frame('ACK', { id: third.header('ack')!, receipt: 'ack' });
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'ack');
    const list = await request(t.baseUrl).get('/api/notifications').set(bearer(user));
    const acked = Object.fromEntries(
      (list.body.items as { id: string; ackedAt: string | null }[]).map((n) => [n.id, n.ackedAt]),
    );
    expect(acked[ids[0]]).toBeNull();
    expect([acked[ids[1]], acked[ids[2]]]).toEqual([expect.any(String), expect.any(String)]);
  });

  it('counts STOMP frames (not heart-beats) against the rate limit; refusals go to /user/queue/errors, abuse is ERROR and 4429', async () => {
    const user = await registerUser(t.baseUrl);
    const c = await stomp(user.accessToken);
    await c.connect();
    c.frame('SUBSCRIBE', { id: 'errs', destination: '/user/queue/errors' });
    for (let i = 0; i < 50; i++) c.send('\n');
    for (let i = 0; i < LIMIT - 2; i++)
      c.frame('SEND', { destination: '/app/heartbeat', receipt: `ok-${i}` });
    await c.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === `ok-${LIMIT - 3}`);
    c.frame('SEND', { destination: '/app/heartbeat', receipt: 'over' });
    const refused = await c.next(
      (f) => f.command === 'MESSAGE' && f.header('subscription') === 'errs',
    );
    expect(refused.header('code')).toBe('RATE_LIMITED');
    expect(refused.header('receipt-id')).toBe('over');
    c.frame('SEND', { destination: '/app/heartbeat' });
    c.frame('SEND', { destination: '/app/heartbeat' });
    const error = await c.next((f) => f.command === 'ERROR');
    expect(error.header('code')).toBe('RATE_LIMITED');
    await expect(c.closed).resolves.toMatchObject({ code: 4429 });
  });

  it('refuses a frame larger than the limit even when it arrives in pieces: ERROR and 1009', async () => {
    const c = await stomp(alice.accessToken);
    await c.connect();
    const body = 'x'.repeat(MAX_PAYLOAD);
    const frame = `SEND\ndestination:/app/heartbeat\ncontent-length:${body.length}\n\n${body}\0`;
    c.send(frame.slice(0, MAX_PAYLOAD - 100));
    c.send(frame.slice(MAX_PAYLOAD - 100));
    const error = await c.next((f) => f.command === 'ERROR');
    expect(error.header('code')).toBe('TOO_LARGE');
    await expect(c.closed).resolves.toMatchObject({ code: 1009 });
  });

  it('ends a session whose token expires: ERROR UNAUTHORIZED, then 4401', async () => {
    const c = await stomp();
    await c.connect({ Authorization: `Bearer ${accessTokenFor(alice, { expiresInSec: 2 })}` });
    const error = await c.next((f) => f.command === 'ERROR', 10_000);
    expect(error.header('code')).toBe('UNAUTHORIZED');
    await expect(c.closed).resolves.toMatchObject({ code: 4401 });
  });

  it('counts SockJS sessions in the metrics, and closes every session with 1001 on shutdown', async () => {
    const own = await startTestApp({ env: { SHUTDOWN_TIMEOUT_MS: '3000' } });
    const user = await registerUser(own.baseUrl);
    const c = await RawStomp.open(own.baseUrl, { token: user.accessToken });
    await c.connect();
    const socket = new SockJS(`${own.baseUrl}/ws?token=${user.accessToken}`);
    const sockjsClosed = new Promise<number>((resolve) => {
      socket.onclose = (e: { code: number }) => resolve(e.code);
    });
    await new Promise<void>((resolve) => {
      socket.onopen = () => resolve();
    });
    socket.send(JSON.stringify({ type: 'ping', id: 'p' }));
    await expectEventually(async () => {
      const text = (await request(own.baseUrl).get('/metrics')).text;
      expect(text).toMatch(/^rt_open_sockets\{transport="sockjs"\} 1$/m);
      expect(text).toMatch(/^rt_open_sockets\{transport="ws"\} 1$/m);
    });
    await own.close();
    await expect(c.closed).resolves.toMatchObject({ code: 1001 });
    await expect(sockjsClosed).resolves.toBe(1001);
  });
});
