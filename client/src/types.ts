import type { BackoffOptions } from './backoff.js';
import type { RtError } from './errors.js';
import type { OffsetStorage } from './offsets.js';

/** Event name → payload type (the generated `EventMap` once merged). */
export type LooseEventMap = Record<string, unknown>;

/** Command name → `{ data; result }` (the generated `CommandMap` once merged). */
export type LooseCommandMap = Record<string, { data: unknown; result: unknown }>;

/** What a `CommandMap` must look like: every entry has `data` and `result`. */
export type CommandMapShape<C> = { [K in keyof C]: { data: unknown; result: unknown } };

/** One event of a channel, as the `event` frame carries it. */
export type ChannelEvent<E> = {
  [K in keyof E & string]: {
    channel: string;
    /** Absent for ephemeral events (typing, presence), which are never replayed. */
    offset?: number;
    event: K;
    data: E[K];
    ts: string;
  };
}[keyof E & string];

/** The user in the `connected` frame (null for an anonymous socket). */
export interface ConnectedUser {
  id: string;
  displayName: string;
  role: string;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';
export type TransportKind = 'websocket' | 'sse';

/** Why `getToken` is called. */
export type TokenReason =
  /** Before opening a connection. */
  | 'connect'
  /** Before expiry, to renew in-band (`auth` frame). */
  | 'renew'
  /** The server refused the last token (close 4401, HTTP 401), or it had expired: give a new one. */
  | 'rejected';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  transport: TransportKind;
  /** The close code that caused it, when one did. */
  code?: number;
  /** Delay before the next attempt, when reconnecting. */
  retryInMs?: number;
}

export interface OpenInfo {
  transport: TransportKind;
  /** The socket's connection id (WebSocket only). */
  connectionId?: string;
  user: ConnectedUser | null;
}

export interface RecoveryInfo {
  channel: string;
  /** False: events were lost for good (history expired, or the log was reset): reload over REST. */
  recovered: boolean;
  /** The offset the channel is followed from now. */
  offset: number;
}

export interface ClientEvents<E> {
  state: StateChange;
  connecting: StateChange;
  open: StateChange & OpenInfo;
  reconnecting: StateChange;
  offline: StateChange;
  closed: StateChange;
  /** Every channel event delivered, subscribed by the app or not (the user channel). */
  event: ChannelEvent<E>;
  /** Every resubscription's outcome; `recovered: false` means: reload that channel over REST. */
  recovery: RecoveryInfo;
  /** Errors nobody awaits: a refused subscription, a failed renewal, an unexpected frame. */
  error: RtError;
}

export interface SubscribeOptions {
  /** Start from this offset instead of the last one seen or stored. */
  since?: number;
  /** Each (re)subscription's outcome for this channel. */
  onRecovery?: (info: RecoveryInfo) => void;
  /** The server refused the subscription (FORBIDDEN, NOT_FOUND, …) or revoked it. */
  onError?: (err: RtError) => void;
}

export interface SubscribedInfo {
  channel: string;
  offset: number;
  recovered: boolean;
}

export interface Subscription {
  readonly channel: string;
  /** The last offset delivered on this channel. */
  readonly offset: number | undefined;
  /** Settles on the first `subscribed` reply, or rejects when refused. */
  readonly ready: Promise<SubscribedInfo>;
  unsubscribe(): void;
}

export interface RequestOptions {
  /**
   * How long to wait for the reply, queueing included; 0 waits as long as it
   * takes. Default `requestTimeoutMs` of the client (10 s).
   */
  timeoutMs?: number;
  /**
   * The command may be sent twice without harm (it carries its own dedupe key),
   * so it is resent after a drop instead of failing with CONNECTION_LOST.
   * Always true for `chat.send` (the client adds a `clientMsgId`).
   */
  idempotent?: boolean;
}

/**
 * A bivariant function type: platform sockets (DOM, `ws`) declare their own,
 * richer event types for these handlers, which a callback taking the few
 * fields used here must accept.
 */
export type Handler<T> = { bivarianceHack(event: T): void }['bivarianceHack'];

/** The part of a WebSocket the client uses (the DOM's and `ws`'s both have it). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The part of an EventSource the client uses. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
  addEventListener(type: string, listener: Handler<{ data: string; lastEventId?: string }>): void;
  close(): void;
}

export interface FetchResponseLike {
  readonly status: number;
  readonly ok: boolean;
  text(): Promise<string>;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<FetchResponseLike>;

export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;
export type EventSourceFactory = (url: string) => EventSourceLike;

/** Network reachability (browsers: `navigator.onLine` and the window's online/offline events). */
export interface NetworkMonitor {
  isOnline(): boolean;
  /** Calls back on every change; returns the function that stops it. */
  watch(onChange: (online: boolean) => void): () => void;
}

export interface ClientOptions {
  /**
   * The server's base URL (`https://api.example.com`, or `ws(s)://…`; a trailing
   * `/ws` is accepted). The socket is `/ws`, the stream `/api/stream`, REST `/api`.
   */
  url: string;
  /**
   * Gives the access token: at every connection attempt, before expiry (to
   * renew in-band) and after the server refused one. Return null for an
   * anonymous connection (public channels only).
   */
  getToken: (reason: TokenReason) => Promise<string | null> | string | null;
  /** Remembers offsets across page loads (e.g. over localStorage). */
  storage?: OffsetStorage;
  /** Default: the global WebSocket. In Node 20, e.g. `(u, p) => new WebSocket(u, p)` of `ws`. */
  WebSocket?: WebSocketFactory;
  /** Default: the global EventSource (Node 20 has none: pass one to use the fallback). */
  EventSource?: EventSourceFactory;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Default: the browser's `navigator.onLine` and online/offline events; always online elsewhere. */
  network?: NetworkMonitor;
  backoff?: BackoffOptions;
  /** Default 10000 ms. */
  requestTimeoutMs?: number;
  /** No `connected` frame within this time after starting to connect: give up the attempt. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Commands kept while disconnected. Default 1000. */
  maxQueue?: number;
  /**
   * SSE + REST fallback after this many WebSocket attempts in a row that never
   * opened (a proxy refusing upgrades). Default 2; 0 disables the fallback.
   */
  fallbackAfter?: number;
  /** While on the fallback, try the WebSocket again after this long. Default 300000 ms. */
  upgradeRetryMs?: number;
  /** Event names the SSE fallback listens to, besides the server's current ones. */
  eventNames?: readonly string[];
  /** For tests: the jitter's random source. */
  random?: () => number;
}
