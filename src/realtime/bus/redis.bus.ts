import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger as PinoLogger } from 'pino';
import { EventBus, OutboundEvent } from './event-bus.js';

const PREFIX = 'rt:ch:';
/** Each connection is asked for a PING this often... */
const WATCHDOG_MS = 1000;
/** ...and one that takes longer than this is taken for lost and reconnected. */
const PING_TIMEOUT_MS = 2000;
/** Readiness waits no longer than this for Redis. */
const READY_TIMEOUT_MS = 1000;

interface WireMessage {
  /** Origin node. */
  n: string;
  o?: number;
  e: string;
  f: string;
  x?: string;
  /** publishedAt */
  t?: number;
}

/**
 * Redis pub/sub, one Redis channel per realtime channel (`rt:ch:<channel>`), so a
 * node only receives the channels its sockets subscribe to. ioredis reconnects
 * and re-subscribes by itself; `onReconnect` lets the hub replay the gap from the
 * channel log.
 */
export class RedisBus implements EventBus {
  readonly nodeId = randomUUID();
  readonly kind = 'redis' as const;
  readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers: ((e: OutboundEvent) => void)[] = [];
  private readonly reconnectHandlers: (() => void)[] = [];
  private wasDisconnected = false;
  /**
   * Per channel, the newest persisted event this node could not publish. Sent
   * again when the publisher is back: a node that missed it sees the jump in
   * offsets and reads everything before it from the channel log. Without it, an
   * outage of this node's publisher alone (other nodes' subscribers stayed
   * connected, so they never resync) would hold those events back until the
   * channel's next event.
   */
  private readonly unsent = new Map<string, OutboundEvent>();
  reconnects = 0;
  dropped = 0;
  private readonly watchdog: NodeJS.Timeout;
  private readonly probing = new Set<Redis>();

  constructor(
    url: string,
    private readonly logger: PinoLogger,
  ) {
    const options = {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    };
    this.pub = new Redis(url, { ...options, connectionName: `rt-pub-${this.nodeId}` });
    this.sub = new Redis(url, {
      ...options,
      connectionName: `rt-sub-${this.nodeId}`,
      enableOfflineQueue: true,
    });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.receive(channel, message),
    );
    for (const conn of [this.pub, this.sub])
      conn.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'redis bus error'));
    this.sub.on('close', () => {
      this.wasDisconnected = true;
    });
    this.pub.on('ready', () => this.resendUnsent());
    this.sub.on('ready', () => {
      if (!this.wasDisconnected) return;
      this.wasDisconnected = false;
      this.reconnects += 1;
      this.logger.info('redis bus reconnected: repairing gaps from the channel log');
      for (const h of this.reconnectHandlers) h();
    });
    this.watchdog = setInterval(() => {
      for (const conn of [this.pub, this.sub]) void this.probe(conn);
    }, WATCHDOG_MS);
    this.watchdog.unref();
  }

  publish(event: OutboundEvent): void {
    if (this.pub.status !== 'ready') {
      this.drop(event);
      return;
    }
    const wire: WireMessage = { n: this.nodeId, e: event.event, f: event.frame };
    if (event.offset !== undefined) wire.o = event.offset;
    if (event.excludeUserId !== undefined) wire.x = event.excludeUserId;
    if (event.publishedAt !== undefined) wire.t = event.publishedAt;
    this.pub.publish(PREFIX + event.channel, JSON.stringify(wire)).catch(() => this.drop(event));
  }

  async subscribe(channel: string): Promise<void> {
    await this.sub.subscribe(PREFIX + channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (this.sub.status === 'ready') await this.sub.unsubscribe(PREFIX + channel);
  }

  onEvent(handler: (event: OutboundEvent) => void): void {
    this.handlers.push(handler);
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async ping(): Promise<void> {
    if (this.pub.status !== 'ready') throw new Error(`redis is ${this.pub.status}`);
    await withTimeout(this.pub.ping(), READY_TIMEOUT_MS, 'redis did not answer PING');
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    this.sub.disconnect();
    this.pub.disconnect();
  }

  /**
   * A connection can stay open while nothing gets through (a network
   * partition, a frozen server): ioredis would wait for ever, and the
   * subscriber would hear nothing without knowing. A PING that does not come
   * back in time drops the connection; ioredis reconnects when Redis can be
   * reached, and the reconnection repairs what was missed (`onReconnect`,
   * the unsent events).
   */
  private async probe(conn: Redis): Promise<void> {
    if (conn.status !== 'ready' || this.probing.has(conn)) return;
    this.probing.add(conn);
    try {
      await withTimeout(conn.ping(), PING_TIMEOUT_MS, 'no answer to PING');
    } catch (err) {
      if (conn.status === 'ready') {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'redis does not answer: reconnecting',
        );
        conn.disconnect(true);
      }
    } finally {
      this.probing.delete(conn);
    }
  }

  private drop(event: OutboundEvent): void {
    this.dropped += 1;
    if (event.offset === undefined) return;
    const kept = this.unsent.get(event.channel);
    if (!kept || kept.offset! < event.offset) this.unsent.set(event.channel, event);
  }

  private resendUnsent(): void {
    const events = [...this.unsent.values()];
    this.unsent.clear();
    if (events.length > 0)
      this.logger.info({ channels: events.length }, 'redis bus back: resending unsent events');
    for (const e of events) this.publish(e);
  }

  private receive(channel: Buffer, message: Buffer): void {
    let wire: WireMessage;
    try {
      wire = JSON.parse(message.toString('utf8')) as WireMessage;
    } catch {
      return;
    }
    if (wire.n === this.nodeId) return;
    const event: OutboundEvent = {
      channel: channel.toString('utf8').slice(PREFIX.length),
      offset: wire.o,
      event: wire.e,
      frame: wire.f,
      excludeUserId: wire.x,
      publishedAt: wire.t,
    };
    for (const h of this.handlers) h(event);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
