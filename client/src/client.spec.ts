import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { RealtimeClient } from './client.js';
import { RtError } from './errors.js';
import {
  FakeEventSource,
  fakeFetch,
  fakeJwt,
  type FetchCall,
  type Frame,
  manualNetwork,
  socketFactory,
} from './fakes.spec-helper.js';
import { connect } from './index.js';
import type { ClientOptions, ConnectionState, RecoveryInfo, TokenReason } from './types.js';

// Local stand-ins for the generated maps (client/src/generated/protocol.ts).
type Events = {
  'chat.message.created': { id: string; content: string };
  'chat.typing': { userId: string; typing: boolean };
};
type Commands = {
  'chat.send': {
    data: { conversationId: string; content: string; clientMsgId?: string };
    result: { id: string; content: string };
  };
  'chat.typing': { data: { conversationId: string; typing: boolean }; result: unknown };
  'board.card.create': { data: { boardId: string; title: string }; result: { id: string } };
};

const nowSec = (): number => Math.floor(Date.now() / 1000);
const tick = (ms = 0): Promise<void> => jest.advanceTimersByTimeAsync(ms);

function setup(over: Partial<ClientOptions> = {}, tokenLifetimeSec = 900) {
  const ws = socketFactory();
  const http = fakeFetch();
  const network = manualNetwork();
  const tokens = {
    current: fakeJwt({ sub: 'u1', exp: nowSec() + tokenLifetimeSec }) as string | null,
  };
  const reasons: TokenReason[] = [];
  const getToken = (reason: TokenReason): Promise<string | null> => {
    reasons.push(reason);
    return Promise.resolve(tokens.current);
  };
  const client: RealtimeClient<Events, Commands> = connect<Events, Commands>({
    url: 'http://example.test',
    getToken,
    WebSocket: ws.factory,
    fetch: http.fetch,
    network,
    random: () => 0.5,
    ...over,
  });
  const states: ConnectionState[] = [];
  client.on('state', (s) => states.push(s.state));
  return { client, ws, http, network, tokens, reasons, states };
}

function event(channel: string, offset: number): Frame {
  return {
    type: 'event',
    channel,
    offset,
    event: 'chat.message.created',
    data: { id: `m${offset}`, content: `#${offset}` },
    ts: '2025-01-01T00:00:00.000Z',
  };
}

/** Answers the socket's pending `subscribe` of `channel`. */
function confirm(
  socket: { sentOf(t: string): Frame[]; receive(f: Frame): void },
  channel: string,
  offset: number,
  recovered?: boolean,
): Frame {
  const frame = socket
    .sentOf('subscribe')
    .filter((f) => f.channel === channel)
    .at(-1);
  if (!frame) throw new Error(`no subscribe of ${channel}`);
  socket.receive({
    type: 'subscribed',
    id: frame.id,
    channel,
    offset,
    ...(recovered !== undefined ? { recovered } : {}),
  });
  return frame;
}

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('connecting', () => {
  it('offers the token as a subprotocol and is open once the server greets', async () => {
    const { client, ws, tokens, states } = setup();
    await tick();
    expect(ws.last().url).toBe('ws://example.test/ws');
    expect(ws.last().protocols).toEqual(['rt.v1', `token-${tokens.current}`]);
    expect(client.state).toBe('connecting');
    ws.last().greet();
    expect(client.state).toBe('open');
    expect(states).toEqual(['open']);
    client.close();
    expect(client.state).toBe('closed');
  });

  it('connects anonymously when getToken gives null', async () => {
    const { ws, tokens } = setup({ getToken: () => null });
    expect(tokens.current).not.toBeNull();
    await tick();
    expect(ws.last().protocols).toEqual(['rt.v1']);
  });
});

describe('subscriptions across reconnects', () => {
  it('resubscribes from the last offset and delivers every event once', async () => {
    const { client, ws } = setup();
    const got: number[] = [];
    const recoveries: RecoveryInfo[] = [];
    client.on('recovery', (r) => recoveries.push(r));
    client.subscribe('chat:1', (e) => got.push(e.offset ?? -1));
    await tick();
    const s1 = ws.last();
    s1.greet();
    await tick();
    expect(confirm(s1, 'chat:1', 0).since).toBeUndefined();
    s1.receive(event('chat:1', 1));
    s1.receive(event('chat:1', 2));

    s1.drop(1006);
    expect(client.state).toBe('reconnecting');
    await tick(500); // full jitter: 0.5 of the first ceiling (1000 ms)
    expect(ws.sockets).toHaveLength(2);
    const s2 = ws.last();
    s2.greet();
    await tick();
    expect(confirm(s2, 'chat:1', 4, true).since).toBe(2);
    // The replay overlaps what was delivered; and a repeated frame.
    for (const o of [2, 3, 3, 4]) s2.receive(event('chat:1', o));

    expect(got).toEqual([1, 2, 3, 4]);
    expect(client.stats).toEqual({ reconnects: 1, duplicatesDropped: 2, eventsDelivered: 4 });
    expect(recoveries).toEqual([{ channel: 'chat:1', recovered: true, offset: 2 }]);
  });

  it('tells the app when events were lost for good (recovered: false)', async () => {
    const { client, ws } = setup();
    const onRecovery = jest.fn();
    const sub = client.subscribe('chat:1', () => undefined, { onRecovery, since: 10 });
    await tick();
    ws.last().greet();
    await tick();
    expect(confirm(ws.last(), 'chat:1', 5000, false).since).toBe(10);
    await expect(sub.ready).resolves.toEqual({ channel: 'chat:1', recovered: false, offset: 10 });
    expect(onRecovery).toHaveBeenCalledWith({ channel: 'chat:1', recovered: false, offset: 10 });
  });

  it('resumes from the storage hook after a page load', async () => {
    const set = jest.fn();
    const { client, ws } = setup({ storage: { get: (c) => (c === 'board:7' ? 41 : null), set } });
    client.subscribe('board:7', () => undefined);
    await tick();
    ws.last().greet();
    await tick();
    expect(confirm(ws.last(), 'board:7', 42, true).since).toBe(41);
    ws.last().receive(event('board:7', 42));
    expect(set).toHaveBeenCalledWith('board:7', 42);
  });

  it('reports a refused subscription and does not retry it', async () => {
    const { client, ws } = setup();
    const onError = jest.fn();
    const sub = client.subscribe('chat:9', () => undefined, { onError });
    await tick();
    ws.last().greet();
    await tick();
    const frame = ws.last().sentOf('subscribe')[0];
    ws.last().receive({ type: 'error', id: frame.id, code: 'FORBIDDEN', message: 'no' });
    await expect(sub.ready).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(onError).toHaveBeenCalledTimes(1);
    ws.last().drop(1006);
    await tick(500);
    ws.last().greet();
    await tick();
    expect(ws.last().sentOf('subscribe')).toEqual([]);
  });
});

describe('commands', () => {
  it('queues commands while disconnected and sends them once connected, after the resubscriptions', async () => {
    const { client, ws } = setup();
    await tick();
    const card = client.request('board.card.create', { boardId: 'b1', title: 'T' });
    const msg = client.request('chat.send', { conversationId: 'c1', content: 'hi' });
    client.subscribe('chat:1', () => undefined);
    expect(ws.last().sent).toEqual([]);
    ws.last().greet();
    await tick();
    const s = ws.last();
    expect(s.sent.map((f) => f.type)).toEqual(['subscribe', 'board.card.create', 'chat.send']);
    const send = s.sentOf('chat.send')[0];
    expect(send.data).toMatchObject({ conversationId: 'c1', content: 'hi' });
    expect(typeof (send.data as { clientMsgId?: unknown }).clientMsgId).toBe('string');
    s.receive({ type: 'ack', id: s.sentOf('board.card.create')[0].id, data: { id: 'card1' } });
    s.receive({ type: 'ack', id: send.id, data: { id: 'm1', content: 'hi' } });
    await expect(card).resolves.toEqual({ id: 'card1' });
    await expect(msg).resolves.toEqual({ id: 'm1', content: 'hi' });
  });

  it('keeps the order of commands issued while the resubscriptions read storage', async () => {
    let release: (offset: number) => void = () => undefined;
    const stored = new Promise<number>((resolve) => (release = resolve));
    const { client, ws } = setup({ storage: { get: () => stored, set: () => undefined } });
    client.subscribe('chat:1', () => undefined);
    await tick();
    void client.request('chat.send', { conversationId: 'c1', content: 'first' }).catch(() => 0);
    ws.last().greet();
    void client.request('chat.send', { conversationId: 'c1', content: 'second' }).catch(() => 0);
    expect(ws.last().sent).toEqual([]);
    release(7);
    await tick();
    const s = ws.last();
    expect(s.sent.map((f) => f.type)).toEqual(['subscribe', 'chat.send', 'chat.send']);
    expect(s.sent[0].since).toBe(7);
    expect(s.sentOf('chat.send').map((f) => (f.data as { content: string }).content)).toEqual([
      'first',
      'second',
    ]);
    client.close();
  });

  it('resends an in-flight chat.send with the same clientMsgId; fails other in-flight commands', async () => {
    const { client, ws } = setup();
    await tick();
    ws.last().greet();
    const msg = client.request('chat.send', { conversationId: 'c1', content: 'once' });
    const card = client.request('board.card.create', { boardId: 'b1', title: 'T' });
    const first = ws.last().sentOf('chat.send')[0];
    ws.last().drop(1006);
    await expect(card).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    await tick(500);
    ws.last().greet();
    await tick();
    const again = ws.last().sentOf('chat.send');
    expect(again).toHaveLength(1);
    expect(again[0].data).toEqual(first.data);
    expect(ws.last().sentOf('board.card.create')).toEqual([]);
    ws.last().receive({ type: 'ack', id: again[0].id, data: { id: 'm1', content: 'once' } });
    await expect(msg).resolves.toEqual({ id: 'm1', content: 'once' });
  });

  it('rejects with the typed error of the error frame', async () => {
    const { client, ws } = setup();
    await tick();
    ws.last().greet();
    const p = client.request('board.card.create', { boardId: 'b1', title: 'T' });
    ws.last().receive({
      type: 'error',
      id: ws.last().sentOf('board.card.create')[0].id,
      code: 'RATE_LIMITED',
      reason: 'WS_RATE',
      message: 'Too many requests',
      details: { x: 1 },
      retryAfterMs: 250,
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RtError);
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      reason: 'WS_RATE',
      details: { x: 1 },
      retryAfterMs: 250,
      message: 'Too many requests',
    });
  });

  it('times out, queue time included, and never sends a command that timed out', async () => {
    const { client, ws } = setup();
    const p = client.request('board.card.create', { boardId: 'b1', title: 'T' }, { timeoutMs: 50 });
    const settled = p.catch((e: unknown) => e);
    await tick(50);
    await expect(settled).resolves.toMatchObject({ code: 'TIMEOUT' });
    ws.last().greet();
    await tick();
    expect(ws.last().sentOf('board.card.create')).toEqual([]);
  });

  it('fails queued commands with CLOSED when the app closes', async () => {
    const { client } = setup();
    const p = client.request('board.card.create', { boardId: 'b1', title: 'T' });
    client.close();
    await expect(p).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('token renewal', () => {
  it('renews in-band before expiry, again after each renewal, without reconnecting', async () => {
    // A whole second, so that the token's exp (in seconds) falls where the spec expects.
    jest.setSystemTime(Math.ceil(Date.now() / 1000) * 1000);
    const { client, ws, tokens, reasons } = setup({}, 8);
    await tick();
    ws.last().greet();
    const second = fakeJwt({ sub: 'u1', exp: nowSec() + 16, n: 2 });
    tokens.current = second;
    await tick(5999);
    expect(ws.last().sentOf('auth')).toEqual([]);
    await tick(1);
    const auth = ws.last().sentOf('auth');
    expect(auth).toEqual([{ type: 'auth', id: auth[0].id, token: second }]);
    ws.last().receive({ type: 'authenticated', id: auth[0].id, exp: nowSec() + 10 });
    tokens.current = fakeJwt({ sub: 'u1', exp: nowSec() + 30, n: 3 });
    await tick(7500);
    expect(ws.last().sentOf('auth')).toHaveLength(2);
    expect(ws.sockets).toHaveLength(1);
    expect(reasons).toEqual(['connect', 'renew', 'renew']);
    expect(client.state).toBe('open');
  });

  it('after 4401, reconnects at once with a new token', async () => {
    const { ws, tokens, reasons } = setup();
    await tick();
    ws.last().greet();
    tokens.current = fakeJwt({ sub: 'u1', exp: nowSec() + 900, n: 2 });
    ws.last().drop(4401);
    await tick();
    expect(reasons).toEqual(['connect', 'rejected']);
    expect(ws.sockets).toHaveLength(2);
    expect(ws.last().protocols[1]).toBe(`token-${tokens.current}`);
  });

  it('after 4401, stops for good when getToken gives no new token', async () => {
    const { client, ws, states } = setup();
    await tick();
    ws.last().greet();
    ws.last().drop(4401);
    await tick(60_000);
    expect(client.state).toBe('closed');
    expect(states).toEqual(['open', 'closed']);
    expect(ws.sockets).toHaveLength(1);
  });

  it('asks for a new token when the REST API refuses the one a handshake failed with', async () => {
    const { client, ws } = setup({
      fetch: fakeFetch(() => ({ status: 401, body: { code: 'UNAUTHORIZED' } })).fetch,
    });
    await tick();
    ws.last().drop(1006);
    await tick();
    expect(client.state).toBe('closed');
    expect(ws.sockets).toHaveLength(1);
  });
});

describe('reconnect policy', () => {
  it('reconnects at once after 1001', async () => {
    const { ws } = setup();
    await tick();
    ws.last().greet();
    ws.last().drop(1001);
    await tick();
    expect(ws.sockets).toHaveLength(2);
  });

  it('waits at least abuseMs after 4429', async () => {
    const { ws } = setup({ backoff: { abuseMs: 30_000 } });
    await tick();
    ws.last().greet();
    ws.last().drop(4429);
    await tick(30_499);
    expect(ws.sockets).toHaveLength(1);
    await tick(1);
    expect(ws.sockets).toHaveLength(2);
  });

  it('backs off exponentially while attempts fail', async () => {
    const { ws, states } = setup({ fallbackAfter: 0 });
    await tick();
    const opened: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = Date.now();
      ws.last().drop(1006);
      const n = ws.sockets.length;
      while (ws.sockets.length === n) await tick(10);
      opened.push(Date.now() - before);
    }
    // 0.5 of 1000, 2000, 4000, 8000 ms (the random source is fixed at 0.5).
    expect(opened).toEqual([500, 1000, 2000, 4000]);
    expect(states).toEqual([]);
  });

  it('never reconnects after the app closed it', async () => {
    const { client, ws } = setup();
    await tick();
    ws.last().greet();
    client.close();
    expect(ws.sockets[0].closedWith).toBe(1000);
    await tick(120_000);
    expect(ws.sockets).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('abandons a socket that stays silent for a heartbeat period, and reconnects', async () => {
    const { ws } = setup();
    await tick();
    ws.last().greet({ heartbeatMs: 1000 });
    await tick(1000);
    expect(ws.last().sentOf('ping')).toHaveLength(1);
    ws.last().receive({ type: 'pong', ts: 1 });
    await tick(1000);
    expect(ws.last().sentOf('ping')).toHaveLength(2);
    await tick(1000);
    expect(ws.sockets[0].closedWith).toBe(4000);
    await tick(500);
    expect(ws.sockets).toHaveLength(2);
  });

  it('waits offline while the network is down, and reconnects when it is back', async () => {
    const { client, ws, network, states } = setup();
    await tick();
    ws.last().greet();
    network.set(false);
    expect(client.state).toBe('offline');
    await tick(120_000);
    expect(ws.sockets).toHaveLength(1);
    network.set(true);
    await tick();
    expect(ws.sockets).toHaveLength(2);
    ws.last().greet();
    expect(states).toEqual(['open', 'offline', 'reconnecting', 'open']);
  });
});

describe('SSE + REST fallback', () => {
  function setupFallback() {
    const sources: FakeEventSource[] = [];
    const http = fakeFetch((call: FetchCall) =>
      call.url.endsWith('/users/me')
        ? { status: 200, body: { id: 'u1' } }
        : { status: 201, body: { id: 'm1', echo: call.body } },
    );
    const env = setup({
      fetch: http.fetch,
      EventSource: (url) => {
        const s = new FakeEventSource(url);
        sources.push(s);
        return s;
      },
    });
    return { ...env, http, sources };
  }

  it('falls back after two upgrades that never opened while the REST API answers', async () => {
    const { client, ws, sources, tokens, http } = setupFallback();
    const got: number[] = [];
    client.subscribe('chat:1', (e) => got.push(e.offset ?? -1), { since: 3 });
    await tick();
    ws.last().drop(1006);
    await tick(500);
    ws.last().drop(1006);
    await tick();
    expect(http.calls.filter((c) => c.url.endsWith('/users/me'))).toHaveLength(2);
    expect(client.transport).toBe('sse');
    expect(sources).toHaveLength(1);
    const url = new URL(sources[0].url);
    expect(url.pathname).toBe('/api/stream');
    expect(url.searchParams.get('channels')).toBe('chat:1');
    expect(url.searchParams.get('token')).toBe(tokens.current);
    expect(url.searchParams.get('lastEventId')).toBeNull();
    sources[0].open();
    expect(client.state).toBe('open');
    sources[0].emit('subscribed', { type: 'subscribed', channel: 'chat:1', offset: 5 });
    sources[0].emit('chat.message.created', event('chat:1', 6));
    sources[0].emit('chat.message.created', event('chat:1', 6));
    expect(got).toEqual([6]);

    // The stream drops: it reopens with a cursor of the offsets delivered.
    sources[0].fail();
    await tick(500);
    expect(sources).toHaveLength(2);
    const cursor = new URL(sources[1].url).searchParams.get('lastEventId');
    expect(JSON.parse(atob(cursor!.replace(/-/g, '+').replace(/_/g, '/')))).toEqual({
      'chat:1': 6,
    });
  });

  it('sends commands over REST, and refuses those without a REST equivalent', async () => {
    const { client, ws, sources, http } = setupFallback();
    await tick();
    ws.last().drop(1006);
    await tick(500);
    ws.last().drop(1006);
    await tick();
    // No channel to stream: commands are usable at once.
    expect(sources).toHaveLength(0);
    expect(client.state).toBe('open');
    const sent = await client.request('chat.send', { conversationId: 'c 1', content: 'hi' });
    const post = http.calls.at(-1)!;
    expect(post.method).toBe('POST');
    expect(post.url).toBe('http://example.test/api/conversations/c%201/messages');
    expect(post.headers.Authorization).toMatch(/^Bearer /);
    const body = JSON.parse(post.body!) as Record<string, unknown>;
    expect(body).toEqual({ content: 'hi', clientMsgId: body.clientMsgId });
    expect(typeof body.clientMsgId).toBe('string');
    expect(sent).toMatchObject({ id: 'm1' });
    await expect(
      client.request('chat.typing', { conversationId: 'c1', typing: true }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('does not fall back while the server is unreachable (it is down, not blocked)', async () => {
    const { client, ws } = setup({
      fetch: () => Promise.reject(new TypeError('fetch failed')),
      EventSource: (url) => new FakeEventSource(url),
    });
    await tick();
    for (let i = 0; i < 4; i++) {
      const n = ws.sockets.length;
      ws.last().drop(1006);
      while (ws.sockets.length === n) await tick(100);
    }
    expect(client.transport).toBe('websocket');
  });
});
