import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import { EVENT_BUS, type EventBus, OutboundEvent } from '../bus/event-bus.js';
import { ChannelLogService } from '../log/channel-log.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ChannelEvent, encodeEventFrame } from '../protocol/frames.js';
import { RtSession, Subscription } from '../session/session.js';
import { userChannel } from '../channels/channel-name.js';

/** How long an out-of-order event waits for the ones before it before the log is asked. */
const GAP_WAIT_MS = 150;

interface LocalChannel {
  name: string;
  subscribers: Set<RtSession>;
  /** The next offset to deliver; null until the log told us where the channel stands. */
  next: number | null;
  /** Events that arrived ahead of `next`, by offset (shared empty map until one does). */
  ahead: Map<number, OutboundEvent>;
  gapTimer: NodeJS.Timeout | null;
  ready: Promise<void>;
}

/**
 * Most channels never see an event out of order: they share this empty map
 * (never written: `deliver` swaps in a map of its own first) instead of one
 * each: a user channel per socket adds up.
 */
const NO_EVENTS = new Map<number, OutboundEvent>();

export type ControlHandler = (channel: string, data: unknown) => void;

export interface JoinResult {
  latest: number;
  recovered?: boolean;
  replayed: number;
}

/**
 * This node's channels and their local subscribers. Persisted events of a channel
 * are delivered strictly in offset order: an event that arrives early (another
 * node committed, two publishes raced, the bus lost one) waits briefly and the
 * missing ones are read back from the channel log.
 */
@Injectable()
export class ChannelHub implements OnModuleDestroy {
  private readonly channels = new Map<string, LocalChannel>();
  private readonly controlHandlers = new Map<string, ControlHandler>();
  /** Told when a session's subscription to its own user channel went live (see ConnectionRegistry). */
  onUserChannelJoined: (session: RtSession) => void = () => undefined;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly log: ChannelLogService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
  ) {
    bus.onEvent((e) => this.fromBus(e));
    bus.onReconnect(() => void this.resync());
    metrics.reportHubFigures(() => ({
      channels: this.channels.size,
      subscriptions: this.subscriptionCount(),
    }));
  }

  get channelCount(): number {
    return this.channels.size;
  }

  subscriptionCount(): number {
    let n = 0;
    for (const ch of this.channels.values()) n += ch.subscribers.size;
    return n;
  }

  /** Publishes a committed (or ephemeral) event: this node's sockets now, other nodes through the bus. */
  publish(e: ChannelEvent, excludeUserId?: string): void {
    const out: OutboundEvent = {
      channel: e.channel,
      offset: e.offset,
      event: e.event,
      frame: encodeEventFrame(e),
      excludeUserId,
      publishedAt: Date.now(),
    };
    this.metrics.eventsPublished.inc({ kind: e.offset === undefined ? 'ephemeral' : 'persisted' });
    this.deliver(out);
    this.bus.publish(out);
  }

  /**
   * Node-to-node control messages (e.g. `system.revoke`): sent to the other nodes
   * that have subscribers on `channel`, handled there by `onControl`, never sent to
   * clients.
   */
  publishControl(channel: string, event: string, data: unknown): void {
    const e: ChannelEvent = { channel, event, data, ts: new Date().toISOString() };
    this.bus.publish({ channel, event, frame: encodeEventFrame(e) });
  }

  onControl(event: string, handler: ControlHandler): void {
    this.controlHandlers.set(event, handler);
  }

  /**
   * Subscribes a session. With `since`, the missed events are sent after the
   * `subscribed` reply (sent by `reply`), and live events that arrive meanwhile
   * are queued and sent after them, each exactly once. `turn`, when given,
   * holds the reply and the replay back until it resolves (the session's
   * earlier replies have gone out); live events queue meanwhile.
   */
  async join(
    session: RtSession,
    channel: string,
    since: number | undefined,
    reply?: (r: JoinResult) => void,
    turn?: () => Promise<void>,
  ): Promise<JoinResult> {
    if (session.closed) return { latest: 0, replayed: 0 };
    // Registered before anything is awaited: the subscription is listed at once (the
    // user channel "at connect"), and events that arrive while the channel opens and
    // the log is read are queued in `replay`, not lost.
    const sub: Subscription = { pos: 0, replay: [] };
    session.subs.set(channel, sub);
    const ch = this.open(channel);
    ch.subscribers.add(session);
    try {
      await ch.ready;
      let result: JoinResult;
      let events: ChannelEvent[] = [];
      if (since === undefined) {
        const latest = await this.log.latest(channel);
        sub.pos = latest;
        result = { latest, replayed: 0 };
      } else {
        const read = await this.log.readSince(channel, since, this.config.history.maxEvents);
        events = read.events;
        // A position beyond the log (another database, a client bug) resumes from its end.
        sub.pos = Math.min(since, read.latest);
        result = { latest: read.latest, recovered: read.recovered, replayed: events.length };
      }
      if (session.closed || session.subs.get(channel) !== sub) return result;
      await turn?.();
      if (session.closed || session.subs.get(channel) !== sub) return result;
      reply?.(result);
      let sent = 0;
      for (const e of events) {
        if (e.offset! <= sub.pos) continue;
        // Position first: the SSE transport writes it into the event's `id:` cursor.
        sub.pos = e.offset!;
        session.sendEvent(encodeEventFrame(e), e.event, channel, e.offset);
        sent += 1;
      }
      sent += this.flushReplayQueue(session, channel, sub);
      session.meter.sent('event', sent);
      if (session.user !== null && channel === userChannel(session.user.id))
        this.onUserChannelJoined(session);
      return result;
    } catch (err) {
      if (session.subs.get(channel) === sub) this.leave(session, channel);
      throw err;
    }
  }

  leave(session: RtSession, channel: string): boolean {
    const had = session.subs.delete(channel);
    const ch = this.channels.get(channel);
    if (!ch) return had;
    ch.subscribers.delete(session);
    if (ch.subscribers.size === 0) this.closeChannel(ch);
    return had;
  }

  leaveAll(session: RtSession): void {
    for (const channel of [...session.subs.keys()]) this.leave(session, channel);
  }

  /** Local subscribers of a channel (for revocation). */
  subscribersOf(channel: string): ReadonlySet<RtSession> {
    return this.channels.get(channel)?.subscribers ?? new Set();
  }

  onModuleDestroy(): void {
    for (const ch of this.channels.values()) if (ch.gapTimer) clearTimeout(ch.gapTimer);
  }

  private fromBus(e: OutboundEvent): void {
    const control = this.controlHandlers.get(e.event);
    if (!control) return this.deliver(e);
    try {
      control(e.channel, (JSON.parse(e.frame) as { data: unknown }).data);
    } catch (err) {
      this.logger.warn({ err, channel: e.channel, event: e.event }, 'control message failed');
    }
  }

  /** Entry point of every event, local or from the bus. */
  deliver(e: OutboundEvent): void {
    const ch = this.channels.get(e.channel);
    if (!ch) return;
    if (e.offset === undefined) {
      this.fanOut(ch, e);
      return;
    }
    if (ch.next === null || e.offset > ch.next) {
      if (ch.ahead === NO_EVENTS) ch.ahead = new Map();
      ch.ahead.set(e.offset, e);
      if (ch.next !== null) this.scheduleGapRepair(ch);
      return;
    }
    if (e.offset < ch.next) return;
    this.fanOut(ch, e);
    ch.next = e.offset + 1;
    this.drainAhead(ch);
  }

  private fanOut(ch: LocalChannel, e: OutboundEvent): void {
    const started = performance.now();
    let sent = 0;
    // Serialised once by the publisher, encoded once here, for every subscriber.
    const bytes = (e.bytes ??= Buffer.from(e.frame, 'utf8'));
    for (const s of ch.subscribers) {
      if (e.excludeUserId !== undefined && s.user?.id === e.excludeUserId) continue;
      const sub = s.subs.get(ch.name);
      if (!sub) continue;
      if (sub.replay) {
        sub.replay.push(e);
        continue;
      }
      if (e.offset !== undefined) {
        if (e.offset <= sub.pos) continue;
        sub.pos = e.offset;
      }
      s.sendEvent(e.frame, e.event, ch.name, e.offset, bytes);
      sent += 1;
    }
    if (sent > 0) this.metrics.observeFanOut(sent, performance.now() - started, e.publishedAt);
  }

  /** Sends what queued while the subscription replayed; returns how many were sent. */
  private flushReplayQueue(session: RtSession, channel: string, sub: Subscription): number {
    const queued = sub.replay ?? [];
    sub.replay = null;
    let sent = 0;
    for (const e of queued) {
      if (e.offset !== undefined) {
        if (e.offset <= sub.pos) continue;
        sub.pos = e.offset;
      }
      session.sendEvent(e.frame, e.event, channel, e.offset, e.bytes);
      sent += 1;
    }
    return sent;
  }

  /** The local channel, opening it (bus subscription, then its position in the log) when new. */
  private open(channel: string): LocalChannel {
    const existing = this.channels.get(channel);
    if (existing) return existing;
    const ch: LocalChannel = {
      name: channel,
      subscribers: new Set(),
      next: null,
      ahead: NO_EVENTS,
      gapTimer: null,
      ready: Promise.resolve(),
    };
    ch.ready = (async () => {
      await this.bus.subscribe(channel);
      // Subscribed first, then read: an event committed in between is either in
      // the read (and dropped when it also arrives) or arrives ahead (and waits).
      const latest = await this.log.latest(channel);
      ch.next = latest + 1;
      for (const offset of [...ch.ahead.keys()]) if (offset <= latest) ch.ahead.delete(offset);
      this.drainAhead(ch);
      if (ch.ahead.size > 0) this.scheduleGapRepair(ch);
    })();
    this.channels.set(channel, ch);
    ch.ready.catch(() => {
      if (this.channels.get(channel) === ch) this.channels.delete(channel);
    });
    return ch;
  }

  private closeChannel(ch: LocalChannel): void {
    if (this.channels.get(ch.name) !== ch) return;
    this.channels.delete(ch.name);
    if (ch.gapTimer) clearTimeout(ch.gapTimer);
    this.bus.unsubscribe(ch.name).catch(() => undefined);
  }

  private drainAhead(ch: LocalChannel): void {
    while (ch.next !== null && ch.ahead.has(ch.next)) {
      const e = ch.ahead.get(ch.next)!;
      ch.ahead.delete(ch.next);
      this.fanOut(ch, e);
      ch.next += 1;
    }
  }

  private scheduleGapRepair(ch: LocalChannel): void {
    if (ch.gapTimer || ch.ahead.size === 0) return;
    ch.gapTimer = setTimeout(() => {
      ch.gapTimer = null;
      void this.repairGap(ch);
    }, GAP_WAIT_MS);
    ch.gapTimer.unref();
  }

  private async repairGap(ch: LocalChannel): Promise<void> {
    if (ch.next === null || ch.ahead.size === 0 || this.channels.get(ch.name) !== ch) return;
    const firstAhead = Math.min(...ch.ahead.keys());
    try {
      const missing = await this.log.readRange(ch.name, ch.next, firstAhead);
      this.metrics.gapRepairs.inc();
      for (const e of missing)
        this.deliver({
          channel: ch.name,
          offset: e.offset,
          event: e.event,
          frame: encodeEventFrame(e),
        });
      // Whatever the log no longer has is gone for live delivery; clients see the
      // jump in offsets and can reload.
      if (ch.next !== null && ch.next < firstAhead) {
        ch.next = firstAhead;
        this.drainAhead(ch);
      }
    } catch (err) {
      this.logger.warn({ err, channel: ch.name }, 'gap repair failed; retrying');
      this.scheduleGapRepair(ch);
    }
  }

  /** After a bus outage: read what every open channel missed from the log. */
  async resync(): Promise<void> {
    for (const ch of [...this.channels.values()]) {
      if (ch.next === null) continue;
      try {
        // The bus re-subscribes by itself; waiting for this (idempotent) subscription
        // makes sure it is in place before the read, so nothing falls in between.
        await this.bus.subscribe(ch.name);
        const read = await this.log.readSince(ch.name, ch.next - 1, this.config.history.maxEvents);
        for (const e of read.events)
          this.deliver({
            channel: ch.name,
            offset: e.offset,
            event: e.event,
            frame: encodeEventFrame(e),
          });
      } catch (err) {
        this.logger.warn({ err, channel: ch.name }, 'resync failed');
      }
    }
  }
}
