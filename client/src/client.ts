import { decideAfterClose, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Emitter, reportListenerError } from './emitter.js';
import { errorFromBody, isRecord, RtError } from './errors.js';
import { OffsetTracker } from './offsets.js';
import { CommandQueue } from './queue.js';
import { restCallFor, sendRest } from './rest.js';
import { SERVER_EVENT_NAMES, SseLink, streamUrl } from './sse.js';
import { isExpired, renewDelayMs, tokenExpiry } from './token.js';
import type {
  ChannelEvent,
  ClientEvents,
  ClientOptions,
  CommandMapShape,
  ConnectedUser,
  ConnectionState,
  EventSourceFactory,
  FetchLike,
  LooseCommandMap,
  LooseEventMap,
  NetworkMonitor,
  RecoveryInfo,
  RequestOptions,
  StateChange,
  SubscribedInfo,
  SubscribeOptions,
  Subscription,
  TokenReason,
  TransportKind,
  WebSocketFactory,
  WebSocketLike,
} from './types.js';

/** A command issued by the app, from `request` until its reply. */
interface Pending {
  id: string;
  type: string;
  data: unknown;
  idempotent: boolean;
  resolve(value: unknown): void;
  reject(err: RtError): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** One `subscribe` call of the app on a channel. */
interface Listener<E> {
  handler: (event: ChannelEvent<E>) => void;
  opts: SubscribeOptions;
  settle?: { resolve(info: SubscribedInfo): void; reject(err: RtError): void };
}

/** A channel the app follows, whatever the number of its listeners. */
interface ChannelSub<E> {
  channel: string;
  listeners: Set<Listener<E>>;
  /** The first listener's `since`, used by the first subscribe only. */
  since?: number;
  last?: SubscribedInfo;
}

/** Replies the client waits for, other than command acks. */
type Waiter =
  { kind: 'subscribe'; channel: string; since?: number } | { kind: 'auth'; token: string };

/** The client's own close codes (4000-4099 are free for applications). */
const HEARTBEAT_TIMEOUT = 4000;
const CONNECT_TIMEOUT = 4001;

/**
 * A connection to the server that outlives its sockets: it reconnects, resumes
 * every channel from the last offset it delivered, renews its token in-band,
 * queues commands while disconnected, and falls back to SSE + REST when the
 * WebSocket cannot connect.
 */
export class RealtimeClient<
  E extends object = LooseEventMap,
  C extends CommandMapShape<C> = LooseCommandMap,
> {
  private readonly emitter = new Emitter<ClientEvents<E>>();
  private readonly tracker: OffsetTracker;
  private readonly subs = new Map<string, ChannelSub<E>>();
  private readonly queue: CommandQueue<Pending>;
  private readonly inflight = new Map<string, Pending>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly backoff: Required<BackoffOptions>;
  private readonly wsUrl: string;
  private readonly apiBase: string;
  private readonly wsFactory?: WebSocketFactory;
  private readonly esFactory?: EventSourceFactory;
  private readonly fetchFn?: FetchLike;
  private readonly network: NetworkMonitor;
  private readonly unwatchNetwork: () => void;

  private current: ConnectionState = 'connecting';
  private kind: TransportKind = 'websocket';
  private socket: WebSocketLike | null = null;
  private sse: SseLink | null = null;
  /** Channel → the offset the open stream resumed it from. */
  private streamSince: Record<string, number> = {};
  /** The socket got `connected`, or the stream opened: commands go out. */
  private ready = false;
  private everOpen = false;
  private stopped = false;
  private token: string | null = null;
  private attempt = 0;
  /** WebSocket attempts in a row that never opened (for the fallback). */
  private failedOpens = 0;
  /** Bumped by every attempt: an async step of an older one then stands down. */
  private generation = 0;
  private alive = true;
  private seq = 0;
  private user: ConnectedUser | null = null;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private heartbeat?: ReturnType<typeof setInterval>;
  private streamRefresh = false;
  private readonly counters = { reconnects: 0, duplicatesDropped: 0, eventsDelivered: 0 };

  constructor(private readonly opts: ClientOptions) {
    const g = globalThis as {
      WebSocket?: new (url: string, protocols: string[]) => WebSocketLike;
      EventSource?: new (url: string) => ReturnType<EventSourceFactory>;
      fetch?: FetchLike;
    };
    const GlobalWs = g.WebSocket;
    const GlobalEs = g.EventSource;
    const globalFetch = g.fetch;
    this.wsFactory = opts.WebSocket ?? (GlobalWs && ((u, p) => new GlobalWs(u, p)));
    this.esFactory = opts.EventSource ?? (GlobalEs && ((u) => new GlobalEs(u)));
    // Called through a wrapper: browsers refuse a `fetch` detached from the window.
    this.fetchFn = opts.fetch ?? (globalFetch && ((u, i) => globalFetch(u, i)));
    if (!this.wsFactory && !this.esFactory)
      throw new Error('No WebSocket or EventSource: pass a WebSocket factory in the options');
    if (!this.wsFactory) this.kind = 'sse';
    ({ ws: this.wsUrl, api: this.apiBase } = endpoints(opts.url));
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.tracker = new OffsetTracker(opts.storage);
    this.queue = new CommandQueue(opts.maxQueue ?? 1000);
    this.network = opts.network ?? browserNetwork();
    this.unwatchNetwork = this.network.watch((online) => this.onNetwork(online));
    if (this.network.isOnline()) void this.connect('connect');
    else this.setState('offline', {});
  }

  get state(): ConnectionState {
    return this.current;
  }

  get transport(): TransportKind {
    return this.kind;
  }

  /** Figures for monitoring and tests. */
  get stats(): { reconnects: number; duplicatesDropped: number; eventsDelivered: number } {
    return { ...this.counters };
  }

  on<K extends keyof ClientEvents<E>>(
    name: K,
    listener: (value: ClientEvents<E>[K]) => void,
  ): () => void {
    return this.emitter.on(name, listener);
  }

  /**
   * Follows a channel: every event once, in order, across reconnects and page
   * loads (with `storage`). Resubscribes with `since` = the last offset seen;
   * when events were lost for good, `onRecovery`/`recovery` say `recovered: false`.
   */
  subscribe(
    channel: string,
    handler: (event: ChannelEvent<E>) => void,
    opts: SubscribeOptions = {},
  ): Subscription {
    const listener: Listener<E> = { handler, opts };
    const ready = new Promise<SubscribedInfo>((resolve, reject) => {
      listener.settle = { resolve, reject };
    });
    // Nobody has to await `ready`: a refusal is reported through onError and
    // the `error` event too, so it must not surface as an unhandled rejection.
    ready.catch(() => undefined);
    if (this.stopped) {
      listener.settle?.reject(new RtError('CLOSED', 'The client is closed'));
    } else {
      let sub = this.subs.get(channel);
      if (!sub) {
        sub = { channel, listeners: new Set(), since: opts.since };
        this.subs.set(channel, sub);
        this.sendSubscribe(sub);
      } else if (sub.last) {
        listener.settle?.resolve(sub.last);
        listener.settle = undefined;
      }
      sub.listeners.add(listener);
    }
    const tracker = this.tracker;
    return {
      channel,
      ready,
      get offset() {
        return tracker.get(channel);
      },
      unsubscribe: () => this.removeListener(channel, listener),
    };
  }

  /**
   * Sends a command and resolves with its `ack` data. Commands issued while
   * disconnected wait in a queue and go out once connected; one in flight
   * when the connection drops fails with CONNECTION_LOST, unless it is
   * idempotent (then it is resent). `chat.send` gets a `clientMsgId` when it
   * has none, which makes it idempotent: the server applies it once.
   */
  request<K extends keyof C & string>(
    type: K,
    data: C[K]['data'],
    opts: RequestOptions = {},
  ): Promise<C[K]['result']> {
    let payload: unknown = data;
    let idempotent = opts.idempotent ?? false;
    if (type === 'chat.send' && isRecord(payload)) {
      if (payload.clientMsgId === undefined) payload = { ...payload, clientMsgId: randomId() };
      idempotent = true;
    }
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = { id: this.nextId(), type, data: payload, idempotent, resolve, reject };
      if (this.stopped) return reject(new RtError('CLOSED', 'The client is closed'));
      const timeoutMs = opts.timeoutMs ?? this.opts.requestTimeoutMs ?? 10_000;
      if (timeoutMs > 0)
        p.timer = setTimeout(() => {
          this.queue.remove(p);
          this.inflight.delete(p.id);
          reject(new RtError('TIMEOUT', `${type}: no reply within ${timeoutMs} ms`));
        }, timeoutMs);
      // Behind anything still queued, so that commands go out in the order issued.
      if (this.ready && this.queue.size === 0) this.dispatch(p);
      else if (!this.queue.push(p))
        this.settle(p, new RtError('QUEUE_FULL', 'Too many queued commands'));
    }) as Promise<C[K]['result']>;
  }

  /** Closes for good: no reconnect; pending commands fail with CLOSED. */
  close(): void {
    this.stop(1000, 'closed by the client');
  }

  // ---- connection lifecycle -------------------------------------------------

  private async connect(reason: TokenReason, preset?: string | null): Promise<void> {
    const gen = ++this.generation;
    this.clearTimer('reconnect');
    this.setState(this.everOpen ? 'reconnecting' : 'connecting', {});
    let token: string | null | undefined;
    try {
      token = preset !== undefined ? preset : await this.obtainToken(reason);
    } catch (err) {
      if (gen !== this.generation || this.stopped) return;
      this.emitter.emit('error', asRtError(err, 'getToken failed'));
      this.retryLater(1006);
      return;
    }
    if (gen !== this.generation || this.stopped) return;
    if (token === undefined) {
      this.stop(4401, 'no valid token');
      return;
    }
    this.token = token;
    this.armTimer('connect', this.opts.connectTimeoutMs ?? 10_000, () =>
      this.lost(CONNECT_TIMEOUT, false),
    );
    if (this.kind === 'sse') await this.openStream(gen);
    else this.openSocket(token);
  }

  /** A token to connect with; undefined when none is valid (a stop, like 4401). */
  private async obtainToken(reason: TokenReason): Promise<string | null | undefined> {
    const token = await this.opts.getToken(reason);
    if (!token || !isExpired(token, Date.now())) return token;
    const next = await this.opts.getToken('rejected');
    return next && !isExpired(next, Date.now()) ? next : next === null ? null : undefined;
  }

  private openSocket(token: string | null): void {
    const protocols = ['rt.v1'];
    // Browsers cannot set headers on a WebSocket; a subprotocol keeps the token
    // out of URLs (and of the logs of proxies on the way).
    if (token) protocols.push(`token-${token}`);
    let ws: WebSocketLike;
    try {
      ws = this.wsFactory!(this.wsUrl, protocols);
    } catch (err) {
      this.emitter.emit('error', asRtError(err, 'WebSocket failed'));
      this.lost(1006, false);
      return;
    }
    this.socket = ws;
    this.alive = true;
    ws.onmessage = (ev) => {
      if (this.socket === ws && typeof ev.data === 'string') this.onText(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.socket === ws) this.lost(ev.code, this.ready);
    };
    // A close event always follows an error; it decides.
    ws.onerror = () => undefined;
  }

  private async openStream(gen: number): Promise<void> {
    const channels = [...this.subs.keys()];
    await Promise.all(channels.map((c) => this.tracker.resumePoint(c)));
    if (gen !== this.generation || this.stopped) return;
    if (!this.esFactory) return this.lost(1006, false);
    this.sse ??= new SseLink(
      this.esFactory,
      [...SERVER_EVENT_NAMES, ...(this.opts.eventNames ?? [])],
      {
        onOpen: () => this.onOpen(),
        onFrame: (frame) => this.onFrame(frame),
        onError: () => this.lost(1006, this.ready),
      },
    );
    this.streamSince = this.tracker.snapshot(channels);
    if (channels.length === 0) {
      // Nothing to stream: commands still go over REST.
      this.sse.close();
      this.onOpen();
      return;
    }
    this.sse.open(streamUrl(this.apiBase, channels, this.token, this.streamSince));
  }

  /** The socket's `connected` frame, or the stream's open: the connection is usable. */
  private onOpen(frame?: Record<string, unknown>): void {
    this.clearTimer('connect');
    this.ready = true;
    this.everOpen = true;
    this.attempt = 0;
    if (this.kind === 'websocket') this.failedOpens = 0;
    else this.armUpgradeRetry();
    if (frame) {
      this.user = isRecord(frame.user) ? (frame.user as unknown as ConnectedUser) : null;
      const hb = typeof frame.heartbeatMs === 'number' ? frame.heartbeatMs : 25_000;
      this.startHeartbeat(hb);
    }
    this.scheduleRenew(this.token ? tokenExpiry(this.token) : undefined);
    this.setState('open', {
      transport: this.kind,
      user: this.user,
      ...(typeof frame?.connectionId === 'string' ? { connectionId: frame.connectionId } : {}),
    });
    if (this.kind === 'websocket') void this.resubscribeAll(this.socket);
    else this.flushQueue();
  }

  /** Every channel again from its last offset, then the queued commands, in that order. */
  private async resubscribeAll(ws: WebSocketLike | null): Promise<void> {
    const subs = [...this.subs.values()];
    await Promise.all(subs.map((s) => this.tracker.resumePoint(s.channel)));
    if (ws !== this.socket || !this.ready) return;
    for (const sub of subs) if (this.subs.get(sub.channel) === sub) this.sendSubscribeNow(sub);
    this.flushQueue();
  }

  private sendSubscribe(sub: ChannelSub<E>): void {
    if (!this.ready) return;
    if (this.kind === 'sse') return this.refreshStream();
    const ws = this.socket;
    void this.tracker.resumePoint(sub.channel).then(() => {
      if (ws === this.socket && this.ready && this.subs.get(sub.channel) === sub)
        this.sendSubscribeNow(sub);
    });
  }

  private sendSubscribeNow(sub: ChannelSub<E>): void {
    const since = this.tracker.get(sub.channel) ?? sub.since;
    const id = this.nextId();
    this.waiters.set(id, { kind: 'subscribe', channel: sub.channel, since });
    this.send({
      type: 'subscribe',
      id,
      channel: sub.channel,
      ...(since !== undefined ? { since } : {}),
    });
  }

  /** The stream's channel list changed: reopen it (once per tick) with the new list. */
  private refreshStream(): void {
    if (this.streamRefresh) return;
    this.streamRefresh = true;
    queueMicrotask(() => {
      this.streamRefresh = false;
      if (this.kind === 'sse' && this.ready && !this.stopped) void this.openStream(this.generation);
    });
  }

  private removeListener(channel: string, listener: Listener<E>): void {
    const sub = this.subs.get(channel);
    if (!sub || !sub.listeners.delete(listener)) return;
    listener.settle?.reject(new RtError('CLOSED', 'Unsubscribed'));
    if (sub.listeners.size > 0) return;
    this.subs.delete(channel);
    if (!this.ready) return;
    if (this.kind === 'sse') this.refreshStream();
    else this.send({ type: 'unsubscribe', id: this.nextId(), channel });
  }

  /**
   * The connection ended (closed, timed out, or abandoned as dead). Decides,
   * by close code, whether and when to try again, and on which transport.
   */
  private lost(code: number, wasReady: boolean): void {
    const ws = this.socket;
    this.socket = null;
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      // A dead peer may never complete the close handshake: the socket is dropped
      // without waiting for it.
      try {
        ws.close(code >= 4000 && code < 5000 ? code : 1000);
      } catch {
        // Already closed.
      }
    }
    this.sse?.close();
    this.ready = false;
    this.generation++;
    this.clearTimer('connect');
    this.clearTimer('renew');
    this.clearTimer('upgrade');
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.waiters.clear();
    for (const sub of this.subs.values()) sub.last = undefined;
    const resend: Pending[] = [];
    for (const p of this.inflight.values()) {
      if (p.idempotent) resend.push(p);
      else
        this.settle(
          p,
          new RtError('CONNECTION_LOST', `${p.type}: the connection dropped before the reply`),
        );
    }
    this.inflight.clear();
    this.queue.requeueFirst(resend);
    if (this.stopped) return;
    if (wasReady) this.counters.reconnects++;
    else if (this.kind === 'websocket') this.failedOpens++;
    if (code === 4401) return void this.renewAfterRejection();
    void this.afterFailure(code, wasReady);
  }

  private async afterFailure(code: number, wasReady: boolean): Promise<void> {
    const gen = this.generation;
    const probe = wasReady ? 'reachable' : await this.probe();
    if (gen !== this.generation || this.stopped) return;
    if (probe === 'refused') return void this.renewAfterRejection();
    const fallbackAfter = this.opts.fallbackAfter ?? 2;
    if (
      probe === 'reachable' &&
      this.kind === 'websocket' &&
      this.esFactory &&
      fallbackAfter > 0 &&
      this.failedOpens >= fallbackAfter
    ) {
      this.kind = 'sse';
      void this.connect('connect');
      return;
    }
    this.retryLater(code);
  }

  /**
   * After an attempt that never opened, asks the REST API what went wrong: a
   * browser sees a refused handshake (401) and a blocked one (a proxy) alike.
   * 401 with a token: the token. Any other answer: the server is reachable but
   * its WebSocket is not (a reason to fall back). No answer: it is down (just retry).
   */
  private async probe(): Promise<'refused' | 'reachable' | 'unreachable'> {
    if (!this.fetchFn) return 'reachable';
    try {
      await sendRest(this.fetchFn, this.apiBase, { method: 'GET', path: '/users/me' }, this.token);
      return 'reachable';
    } catch (err) {
      if (!(err instanceof RtError) || err.status === undefined || err.status >= 500)
        return 'unreachable';
      return err.status === 401 && this.token ? 'refused' : 'reachable';
    }
  }

  /** 4401: a new token reconnects at once; none (or the same one) stops for good. */
  private async renewAfterRejection(): Promise<void> {
    const gen = this.generation;
    const rejected = this.token;
    let next: string | null = null;
    try {
      next = await this.opts.getToken('rejected');
    } catch (err) {
      this.emitter.emit('error', asRtError(err, 'getToken failed'));
    }
    if (gen !== this.generation || this.stopped) return;
    if (!next || next === rejected || isExpired(next, Date.now()))
      return this.stop(4401, 'the server refused the token and no new one was given');
    void this.connect('rejected', next);
  }

  private retryLater(code: number): void {
    if (!this.network.isOnline()) return this.setState('offline', { code });
    const decision = decideAfterClose(code, this.attempt, this.backoff, this.opts.random);
    const delay = decision.kind === 'retry' ? decision.delayMs : 0;
    this.attempt++;
    this.setState(this.everOpen ? 'reconnecting' : 'connecting', { code, retryInMs: delay });
    this.armTimer('reconnect', delay, () => void this.connect('connect'));
  }

  private onNetwork(online: boolean): void {
    if (this.stopped) return;
    if (!online) {
      this.clearTimer('reconnect');
      if (this.socket || this.sse?.isOpen || this.ready) this.lost(1006, this.ready);
      this.generation++;
      this.setState('offline', {});
    } else if (this.current === 'offline') {
      this.attempt = 0;
      void this.connect('connect');
    }
  }

  private stop(code: number, reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.lost(code, this.ready);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.unwatchNetwork();
    const err = new RtError('CLOSED', `The client stopped: ${reason}`);
    for (const p of this.queue.drain()) this.settle(p, err);
    for (const sub of this.subs.values())
      for (const l of sub.listeners) if (l.settle) l.settle.reject(err);
    this.setState('closed', { code });
  }

  // ---- frames ----------------------------------------------------------------

  private onText(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    this.onFrame(frame);
  }

  private onFrame(frame: unknown): void {
    if (!isRecord(frame)) return;
    this.alive = true;
    const id = typeof frame.id === 'string' ? frame.id : undefined;
    switch (frame.type) {
      case 'connected':
        return this.onOpen(frame);
      case 'event':
        return this.onEvent(frame);
      case 'ack': {
        const p = id !== undefined ? this.inflight.get(id) : undefined;
        if (p) this.settle(p, undefined, frame.data);
        return;
      }
      case 'subscribed':
        return this.onSubscribed(frame, id);
      case 'unsubscribed':
        if (frame.reason === 'revoked' && typeof frame.channel === 'string')
          this.onRevoked(frame.channel);
        return;
      case 'authenticated': {
        const w = id !== undefined ? this.waiters.get(id) : undefined;
        if (w?.kind !== 'auth') return;
        this.waiters.delete(id!);
        this.token = w.token;
        this.scheduleRenew(typeof frame.exp === 'number' ? frame.exp : tokenExpiry(w.token));
        return;
      }
      case 'error':
        return this.onError(frame, id);
    }
  }

  private onEvent(frame: Record<string, unknown>): void {
    const { channel, event } = frame;
    if (typeof channel !== 'string' || typeof event !== 'string') return;
    const offset = typeof frame.offset === 'number' ? frame.offset : undefined;
    if (!this.tracker.accept(channel, offset)) {
      this.counters.duplicatesDropped++;
      return;
    }
    this.counters.eventsDelivered++;
    const ev = {
      channel,
      ...(offset !== undefined ? { offset } : {}),
      event,
      data: frame.data,
      ts: typeof frame.ts === 'string' ? frame.ts : '',
    } as ChannelEvent<E>;
    const sub = this.subs.get(channel);
    if (sub)
      for (const l of [...sub.listeners]) {
        try {
          l.handler(ev);
        } catch (err) {
          reportListenerError(err);
        }
      }
    this.emitter.emit('event', ev);
  }

  private onSubscribed(frame: Record<string, unknown>, id: string | undefined): void {
    const channel = typeof frame.channel === 'string' ? frame.channel : undefined;
    if (channel === undefined || typeof frame.offset !== 'number') return;
    let since: number | undefined;
    if (this.kind === 'sse') since = this.streamSince[channel];
    else {
      const w = id !== undefined ? this.waiters.get(id) : undefined;
      if (w?.kind !== 'subscribe') return;
      this.waiters.delete(id!);
      since = w.since;
    }
    const sub = this.subs.get(channel);
    const outcome = this.tracker.subscribed(channel, since, {
      offset: frame.offset,
      recovered: typeof frame.recovered === 'boolean' ? frame.recovered : undefined,
    });
    if (!sub) return;
    const info: RecoveryInfo = { channel, ...outcome };
    sub.last = info;
    for (const l of sub.listeners) {
      l.settle?.resolve(info);
      l.settle = undefined;
      if (since !== undefined) l.opts.onRecovery?.(info);
    }
    if (since !== undefined) this.emitter.emit('recovery', info);
  }

  private onError(frame: Record<string, unknown>, id: string | undefined): void {
    const err = errorFromBody(frame, 'Server error');
    const p = id !== undefined ? this.inflight.get(id) : undefined;
    if (p) return this.settle(p, err);
    const w = id !== undefined ? this.waiters.get(id) : undefined;
    if (w) this.waiters.delete(id!);
    if (w?.kind === 'subscribe') {
      const sub = this.subs.get(w.channel);
      if (sub) this.dropSub(sub, err);
      return;
    }
    // A failed renewal (or an error without id): the app may want to know; a
    // refused token ends with 4401 at its expiry, which asks getToken again.
    this.emitter.emit('error', err);
  }

  private onRevoked(channel: string): void {
    const sub = this.subs.get(channel);
    if (sub) this.dropSub(sub, new RtError('FORBIDDEN', `Subscription to ${channel} revoked`));
  }

  /** The server refused or ended a subscription: it is not retried. */
  private dropSub(sub: ChannelSub<E>, err: RtError): void {
    this.subs.delete(sub.channel);
    for (const l of sub.listeners) {
      l.settle?.reject(err);
      l.opts.onError?.(err);
    }
    this.emitter.emit('error', err);
  }

  // ---- commands ---------------------------------------------------------------

  private dispatch(p: Pending): void {
    if (this.kind === 'websocket') {
      this.inflight.set(p.id, p);
      this.send({ type: p.type, id: p.id, data: p.data });
      return;
    }
    void this.dispatchRest(p, true);
  }

  private async dispatchRest(p: Pending, mayRenew: boolean): Promise<void> {
    try {
      if (!this.fetchFn) throw new RtError('UNSUPPORTED', 'No fetch: commands need the WebSocket');
      const call = restCallFor(p.type, p.data);
      this.settle(p, undefined, await sendRest(this.fetchFn, this.apiBase, call, this.token));
    } catch (err) {
      const e = asRtError(err, `${p.type} failed`);
      if (e.status === 401 && mayRenew) {
        // The access token expired between two renewals: one new try with a new one.
        const next = await this.opts.getToken('rejected');
        if (next && next !== this.token) {
          this.token = next;
          return this.dispatchRest(p, false);
        }
      }
      if (e.code === 'NETWORK' && p.idempotent && !this.stopped) {
        // The server did not answer: the stream is likely gone too. Reconnecting
        // flushes the queue once the stream is back, this command first.
        this.queue.requeueFirst([p]);
        if (this.ready && this.kind === 'sse') this.lost(1006, true);
        return;
      }
      this.settle(p, e);
    }
  }

  private flushQueue(): void {
    for (const p of this.queue.drain()) this.dispatch(p);
  }

  private settle(p: Pending, err: RtError | undefined, value?: unknown): void {
    if (p.timer) clearTimeout(p.timer);
    this.inflight.delete(p.id);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  // ---- heartbeat and token renewal ----------------------------------------------

  /**
   * A `ping` every `heartbeatMs` keeps the socket from the idle timeout; no
   * frame at all for a whole period means a dead peer (a cut the TCP stack has
   * not noticed): the socket is abandoned and the client reconnects.
   */
  private startHeartbeat(ms: number): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.alive = true;
    this.heartbeat = setInterval(() => {
      if (!this.alive) return this.lost(HEARTBEAT_TIMEOUT, true);
      this.alive = false;
      this.send({ type: 'ping' });
    }, ms);
  }

  private scheduleRenew(expSec: number | undefined): void {
    this.clearTimer('renew');
    if (expSec === undefined || !this.ready) return;
    this.armTimer('renew', renewDelayMs(expSec, Date.now()), () => void this.renew(expSec));
  }

  /**
   * Renews before expiry: an `auth` frame on the socket; on the stream (which
   * cannot take one) a reopen with the new token, which resumes from the offsets.
   */
  private async renew(expSec: number): Promise<void> {
    const gen = this.generation;
    let next: string | null = null;
    try {
      next = await this.opts.getToken('renew');
    } catch (err) {
      this.emitter.emit('error', asRtError(err, 'getToken failed'));
    }
    if (gen !== this.generation || !this.ready) return;
    if (!next || next === this.token) {
      // Nothing new yet: ask again a little later; the expiry close (4401) asks last.
      const left = expSec * 1000 - Date.now();
      if (left > 1000)
        this.armTimer('renew', Math.min(5000, left / 2), () => void this.renew(expSec));
      return;
    }
    if (this.kind === 'sse') {
      this.token = next;
      return void this.openStream(gen);
    }
    const id = this.nextId();
    this.waiters.set(id, { kind: 'auth', token: next });
    this.send({ type: 'auth', id, token: next });
  }

  private armUpgradeRetry(): void {
    const ms = this.opts.upgradeRetryMs ?? 300_000;
    if (!this.wsFactory || ms <= 0 || this.timers.has('upgrade')) return;
    this.armTimer('upgrade', ms, () => {
      // Back to the WebSocket: the subscriptions resume from their offsets there.
      this.kind = 'websocket';
      this.failedOpens = 0;
      this.sse?.close();
      this.ready = false;
      void this.connect('connect');
    });
  }

  // ---- plumbing -----------------------------------------------------------------

  private send(frame: Record<string, unknown>): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch {
      // The socket is closing; its close event reconnects.
    }
  }

  private setState(
    state: ConnectionState,
    extra: Partial<StateChange> & Record<string, unknown>,
  ): void {
    if (this.current === state) return;
    const change = { ...extra, state, previous: this.current, transport: this.kind };
    this.current = state;
    this.emitter.emit('state', change);
    this.emitter.emit(state, change as ClientEvents<E>['open']);
  }

  private armTimer(name: string, ms: number, fn: () => void): void {
    this.clearTimer(name);
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        fn();
      }, ms),
    );
  }

  private clearTimer(name: string): void {
    const t = this.timers.get(name);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(name);
  }

  private nextId(): string {
    return `c-${++this.seq}`;
  }
}

/** The socket, and the REST prefix, of a server base URL. */
export function endpoints(url: string): { ws: string; api: string } {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  const u = new URL(url, here);
  const scheme = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
  const path = u.pathname.replace(/\/+$/, '').replace(/\/ws$/, '');
  const base = `${scheme}//${u.host}${path}`;
  return { ws: `${base.replace(/^http/, 'ws')}/ws`, api: `${base}/api` };
}

function browserNetwork(): NetworkMonitor {
  const g = globalThis as {
    navigator?: { onLine?: boolean };
    addEventListener?: (type: string, fn: () => void) => void;
    removeEventListener?: (type: string, fn: () => void) => void;
  };
  return {
    isOnline: () => g.navigator?.onLine !== false,
    watch(onChange) {
      const add = g.addEventListener;
      const remove = g.removeEventListener;
      if (!add || !remove) return () => undefined;
      const on = (): void => onChange(true);
      const off = (): void => onChange(false);
      add.call(globalThis, 'online', on);
      add.call(globalThis, 'offline', off);
      return () => {
        remove.call(globalThis, 'online', on);
        remove.call(globalThis, 'offline', off);
      };
    },
  };
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

function asRtError(err: unknown, message: string): RtError {
  return err instanceof RtError ? err : new RtError('INTERNAL', `${message}: ${String(err)}`);
}
