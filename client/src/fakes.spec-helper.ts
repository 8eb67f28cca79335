// Test doubles for the client's unit specs: a socket, an event source, fetch
// and the network, driven by the spec as the server and the platform would.
import type {
  EventSourceLike,
  FetchLike,
  Handler,
  NetworkMonitor,
  WebSocketLike,
} from './types.js';

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An unsigned JWT with the given claims (the client never verifies signatures). */
export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.signature`;
}

export interface Frame {
  type: string;
  id?: string;
  [field: string]: unknown;
}

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  protocol = 'rt.v1';
  onopen: Handler<unknown> | null = null;
  onmessage: Handler<{ data: unknown }> | null = null;
  onclose: Handler<{ code: number; reason: string }> | null = null;
  onerror: Handler<unknown> | null = null;
  readonly sent: Frame[] = [];
  closedWith?: number;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Frame);
  }

  close(code = 1000): void {
    this.closedWith ??= code;
  }

  /** The frames the client sent, of one type. */
  sentOf(type: string): Frame[] {
    return this.sent.filter((f) => f.type === type);
  }

  receive(frame: Frame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The server's greeting. */
  greet(extra: Partial<Frame> = {}): void {
    this.readyState = 1;
    this.onopen?.({});
    this.receive({
      type: 'connected',
      connectionId: 'conn-1',
      user: { id: 'u1', displayName: 'U', role: 'user' },
      heartbeatMs: 25_000,
      ...extra,
    });
  }

  /** The server (or the network) closes the socket. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

/** Records every socket the client opens. */
export function socketFactory(): {
  sockets: FakeSocket[];
  factory: (url: string, protocols: string[]) => FakeSocket;
  last(): FakeSocket;
} {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    last: () => {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket was opened');
      return s;
    },
  };
}

export class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: Handler<unknown> | null = null;
  onerror: Handler<unknown> | null = null;
  closed = false;
  readonly listeners = new Map<string, Handler<{ data: string }>>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Handler<{ data: string }>): void {
    this.listeners.set(type, listener);
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** One SSE message: `event:` name, `data:` the frame. */
  emit(name: string, frame: Frame): void {
    this.listeners.get(name)?.({ data: JSON.stringify(frame) });
  }

  fail(): void {
    this.onerror?.({});
  }
}

export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch answering from `respond` (default: 200 with `{}`), recording each call. */
export function fakeFetch(
  respond: (call: FetchCall) => { status: number; body?: unknown } = () => ({
    status: 200,
    body: {},
  }),
): { calls: FetchCall[]; fetch: FetchLike } {
  const calls: FetchCall[] = [];
  return {
    calls,
    fetch: (url, init) => {
      const call = { url, ...init };
      calls.push(call);
      const r = respond(call);
      const text = r.body === undefined ? '' : JSON.stringify(r.body);
      return Promise.resolve({
        status: r.status,
        ok: r.status >= 200 && r.status < 300,
        text: () => Promise.resolve(text),
      });
    },
  };
}

/** A network the spec turns off and on. */
export function manualNetwork(): NetworkMonitor & { set(online: boolean): void } {
  let online = true;
  const watchers = new Set<(online: boolean) => void>();
  return {
    isOnline: () => online,
    watch(fn) {
      watchers.add(fn);
      return () => watchers.delete(fn);
    },
    set(value) {
      online = value;
      for (const w of watchers) w(value);
    },
  };
}
