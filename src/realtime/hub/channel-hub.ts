import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import { EVENT_BUS, type EventBus, OutboundEvent } from '../bus/event-bus.js';
import { ChannelLogService } from '../log/channel-log.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ChannelEvent, encodeEventFrame } from '../events/channel-event.js';
import { RtSession, Subscription } from '../session/session.js';
import { userChannel } from '../channels/channel-name.js';

/** How long an out-of-order event waits for the ones before it before the log is asked. */
const GAP_WAIT_MS = 150;
/** How long a socket's upgrade waits for its user channel to open on this node (see `hold`). */
const HOLD_WAIT_MS = 250;

interface LocalChannel {
  name: string;
  subscribers: Set<Subscription>;
  /** The next offset to deliver; null until the log told us where the channel stands. */
  next: number | null;
  /** Events that arrived ahead of `next`, by offset (shared empty map until one does). */
  ahead: Map<number, OutboundEvent>;
  gapTimer: NodeJS.Timeout | null;
  ready: Promise<void>;
  /** Holds of sockets still upgrading (see `hold`): the channel stays open while any is left. */
  holds: number;
}

/** A channel kept open on this node for a subscription still to come (see ChannelHub.hold). */
export interface ChannelHold {
  /** Where the channel stood once open here: the subscription starts from it. */
  readonly position: number;
  /** Lets the channel close again if no subscription took it; a second call does nothing. */
  release(): void;
}

/**
 * Most channels never see an event out of order: they share this empty map
 * (never written: `deliver` swaps in a map of its own first) instead of one
 * each: a user channel per socket adds up.
 */
const NO_EVENTS = new Map<number, OutboundEvent>();

export type ControlHandler = (channel: string, data: unknown) => void;

export interface JoinOptions {
  /** The subscription's key in the session (default: the channel). */
  key?: string;
  /** Protocol data handed back with each event (e.g. the STOMP subscription it feeds). */
  tag?: unknown;
  /** Sends the protocol's reply once the position is known (before any replayed event). */
  reply?: (r: JoinResult) => void;
  /** Resolves when the reply may go (the session's earlier replies have gone out). */
  turn?: () => Promise<void>;
  /** False: joining the user channel this way does not count as receiving it (internal use). */
  userChannelReady?: boolean;
}

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
  onUserChannelJoined: (sub: Subscription) => void = () => undefined;

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
   * Opens `channel` on this node for a subscription that cannot exist yet (a
   * socket's user channel, while the socket is upgrading) and answers where the
   * channel stands. Opening subscribes to the bus first and then reads the log,
   * so every event after that position reaches this node; a `join` from it
   * therefore needs no read of its own (or reads just what came meanwhile).
   * One read per connect instead of two: the upgrade's and the channel's.
   *
   * A socket never waits on the bus for this: when the channel is not open
   * within HOLD_WAIT_MS (Redis away or slow), the position is read alone and
   * the channel opens with its subscription, as it would without a hold.
   */
  async hold(channel: string): Promise<ChannelHold> {
    const ch = this.open(channel);
    ch.holds += 1;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      ch.holds -= 1;
      if (ch.holds === 0 && ch.subscribers.size === 0) this.closeChannel(ch);
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const opened = await Promise.race([
        ch.ready.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), HOLD_WAIT_MS);
        }),
      ]);
      if (opened) return { position: ch.next! - 1, release };
    } catch (err) {
      release();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    release();
    return { position: await this.log.latest(channel), release: () => undefined };
  }

  /**
   * Subscribes a session. With `since`, the missed events are sent after the
   * `subscribed` reply (sent by `opts.reply`), and live events that arrive
   * meanwhile are queued and sent after them, each exactly once. `opts.turn`,
   * when given, holds the reply and the replay back until it resolves (the
   * session's earlier replies have gone out); live events queue meanwhile.
   *
   * A session holds one subscription per key: the channel itself for the JSON
   * protocol and SSE; a STOMP session may feed several of its subscriptions
   * from one channel, each under its own key and with its own position.
   */
  async join(
    session: RtSession,
    channel: string,
    since: number | undefined,
    opts: JoinOptions = {},
  ): Promise<JoinResult> {
    if (session.closed) return { latest: 0, replayed: 0 };
    // Registered before anything is awaited: the subscription is listed at once (the
    // user channel "at connect"), and events that arrive while the channel opens and
    // the log is read are queued in `replay`, not lost.
    const key = opts.key ?? channel;
    const previous = session.subs.get(key);
    if (previous) this.remove(previous);
    const sub: Subscription = { session, channel, key, tag: opts.tag, pos: 0, replay: [] };
    session.subs.set(key, sub);
    const ch = this.open(channel);
    ch.subscribers.add(sub);
    try {
      await ch.ready;
      let result: JoinResult;
      let events: ChannelEvent[] = [];
      if (since === undefined) {
        const latest = await this.log.latest(channel);
        sub.pos = latest;
        result = { latest, replayed: 0 };
      } else if (ch.next !== null && since === ch.next - 1) {
        // Already where this node's channel stands (a socket joining its user
        // channel from the position read at its upgrade): everything after it
        // reaches the subscription through the channel, no read needed.
        sub.pos = since;
        result = { latest: since, recovered: true, replayed: 0 };
      } else {
        const read = await this.log.readSince(channel, since, this.config.history.maxEvents);
        events = read.events;
        // A position beyond the log (another database, a client bug) resumes from its end.
        sub.pos = Math.min(since, read.latest);
        result = { latest: read.latest, recovered: read.recovered, replayed: events.length };
      }
      if (session.closed || session.subs.get(key) !== sub) return result;
      await opts.turn?.();
      if (session.closed || session.subs.get(key) !== sub) return result;
      opts.reply?.(result);
      let sent = 0;
      for (const e of events) {
        if (e.offset! <= sub.pos) continue;
        // Position first: the SSE transport writes it into the event's `id:` cursor.
        sub.pos = e.offset!;
        session.sendEvent(toOutbound(e), sub);
        sent += 1;
      }
      sent += this.flushReplayQueue(sub);
      session.meter.sent('event', sent);
      if (
        opts.userChannelReady !== false &&
        session.user !== null &&
        channel === userChannel(session.user.id)
      )
        this.onUserChannelJoined(sub);
      return result;
    } catch (err) {
      if (session.subs.get(key) === sub) this.remove(sub);
      throw err;
    }
  }

  /** Ends the session's subscription under `key` (the channel, for the JSON protocol). */
  leave(session: RtSession, key: string): boolean {
    const sub = session.subs.get(key);
    if (!sub) return false;
    this.remove(sub);
    return true;
  }

  /** Ends every subscription of the session to `channel` (revocation); returns them. */
  leaveChannel(session: RtSession, channel: string): Subscription[] {
    const gone: Subscription[] = [];
    for (const sub of session.subs.values()) if (sub.channel === channel) gone.push(sub);
    for (const sub of gone) this.remove(sub);
    return gone;
  }

  leaveAll(session: RtSession): void {
    for (const sub of [...session.subs.values()]) this.remove(sub);
  }

  private remove(sub: Subscription): void {
    if (sub.session.subs.get(sub.key) === sub) sub.session.subs.delete(sub.key);
    const ch = this.channels.get(sub.channel);
    if (!ch) return;
    ch.subscribers.delete(sub);
    if (ch.subscribers.size === 0 && ch.holds === 0) this.closeChannel(ch);
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
    const excluded = e.excludeUserId;
    for (const sub of ch.subscribers) {
      if (excluded !== undefined && sub.session.user?.id === excluded) continue;
      if (sub.replay) {
        sub.replay.push(e);
        continue;
      }
      if (e.offset !== undefined) {
        if (e.offset <= sub.pos) continue;
        sub.pos = e.offset;
      }
      sub.session.sendEvent(e, sub);
      sent += 1;
    }
    if (sent > 0) this.metrics.observeFanOut(sent, performance.now() - started, e.publishedAt);
  }

  /** Sends what queued while the subscription replayed; returns how many were sent. */
  private flushReplayQueue(sub: Subscription): number {
    const queued = sub.replay ?? [];
    sub.replay = null;
    let sent = 0;
    for (const e of queued) {
      if (e.offset !== undefined) {
        if (e.offset <= sub.pos) continue;
        sub.pos = e.offset;
      }
      sub.session.sendEvent(e, sub);
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
      holds: 0,
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
      for (const e of missing) this.deliver(toOutbound(e));
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
        for (const e of read.events) this.deliver(toOutbound(e));
      } catch (err) {
        this.logger.warn({ err, channel: ch.name }, 'resync failed');
      }
    }
  }
}

/** An event read from the log, in the shape the hub delivers. */
function toOutbound(e: ChannelEvent): OutboundEvent {
  return { channel: e.channel, offset: e.offset, event: e.event, frame: encodeEventFrame(e) };
}
