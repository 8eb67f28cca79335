import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../../auth/auth.types.js';
import type { AuthCarrier } from '../../auth/guards/auth-context.js';
import type { OutboundEvent } from '../bus/event-bus.js';
import { FrameMeter, NO_FRAME_METER } from '../metrics/frame-meter.js';
import type { ServerFrame } from '../protocols/json/frames.js';

/**
 * One subscription of a session to a channel, and its position. While `replay`
 * is set, live events queue there.
 */
export interface Subscription {
  readonly session: RtSession;
  readonly channel: string;
  /** Its key in `session.subs`: the channel, or a protocol's own (STOMP). */
  readonly key: string;
  /** Protocol data given at join (the STOMP subscription this channel feeds). */
  readonly tag: unknown;
  /** Offset of the last persisted event this subscription was sent. */
  pos: number;
  replay: OutboundEvent[] | null;
}

/** What feature modules see of a subscription (the kernel's user-channel hook). */
export interface RealtimeSubscription {
  readonly session: RealtimeSession;
  readonly channel: string;
}

/**
 * What feature modules see of a client connection (in the kernel's hooks):
 * who it is and whether it is still open, never the socket itself.
 */
export interface RealtimeSession {
  readonly id: string;
  readonly user: AuthUser | null;
  readonly transport: SessionTransport;
  readonly closed: boolean;
}

/** How a session's bytes travel: a WebSocket, a SockJS session, or an SSE stream. */
export type SessionTransport = 'ws' | 'sockjs' | 'sse';

/**
 * A client connection, whatever carries it (WebSocket, SockJS, SSE) and
 * whatever it speaks (the JSON protocol, STOMP). The hub and the registry only
 * know this class.
 */
export abstract class RtSession implements AuthCarrier, RealtimeSession {
  readonly id = randomUUID();
  /** Subscriptions by key (the channel, for the JSON protocol and SSE). */
  readonly subs = new Map<string, Subscription>();
  readonly openedAt = Date.now();
  lastActivity = Date.now();
  closed = false;
  /** Counts the frames sent (set by the kernel that accepts the session). */
  meter: FrameMeter = NO_FRAME_METER;
  /**
   * The last subscribe/unsubscribe of each channel still running (they run in
   * order); created on first use, most sockets never need it.
   */
  channelOps: Map<string, Promise<void>> | null = null;
  /** Ends the session when its token expires (armed by the kernel). */
  expiryTimer: NodeJS.Timeout | null = null;
  /** Rate-limit refusals in the current window, for abuse detection. */
  strikes = 0;
  strikesWindowStart = Date.now();

  abstract readonly transport: SessionTransport;

  constructor(
    public user: AuthUser | null,
    readonly ip: string,
  ) {}

  /** Key of the rate-limit budget: the user, or the IP for anonymous sessions. */
  get rateKey(): string {
    return this.user ? `u:${this.user.id}` : `ip:${this.ip}`;
  }

  /** Sends one already-serialised frame. */
  abstract sendText(text: string): void;
  /**
   * Sends a persisted or ephemeral event that reached this session through
   * `sub` (none: a re-send addressed to the session, e.g. waiting
   * notifications). Each protocol frames it its own way.
   */
  abstract sendEvent(e: OutboundEvent, sub?: Subscription): void;

  /** A subscription ended by a membership change: the JSON protocol says so with `unsubscribed`. */
  revoked(sub: Subscription): void {
    this.send({ type: 'unsubscribed', channel: sub.channel, reason: 'revoked' });
  }

  send(frame: ServerFrame): void {
    this.meter.sent(frame.type);
    this.sendText(JSON.stringify(frame));
  }
  abstract close(code: number, reason: string): void;
  /**
   * The server ends the session for a reason of its own (token expired, login
   * revoked, shutdown): each protocol tells the client its way (a close code,
   * a STOMP ERROR first, an SSE comment) and closes.
   */
  abstract end(code: number, reason: string): void;
}
