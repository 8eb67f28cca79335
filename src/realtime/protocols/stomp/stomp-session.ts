import type { AuthUser } from '../../../auth/auth.types.js';
import type { OutboundEvent } from '../../bus/event-bus.js';
import { ReplyOrder, ReplySlot } from '../../session/reply-order.js';
import type { Subscription } from '../../session/session.js';
import { SocketSession } from '../../session/socket-session.js';
import type { Connection } from '../../transports/connection.js';
import type { StompFrame, StompVersion } from './stomp-frame.js';
import { StompParser } from './stomp-parser.js';
import type { StompProtocol } from './stomp-protocol.js';

export type AckMode = 'auto' | 'client' | 'client-individual';

/** One SUBSCRIBE of a STOMP session, fed by one or more hub subscriptions. */
export interface StompSubscription {
  readonly id: string;
  readonly destination: string;
  readonly ack: AckMode;
  /** Only events whose name starts with it (`notification.` for `/user/queue/notifications`). */
  readonly eventPrefix?: string;
  /** Keys of the hub subscriptions that feed it. */
  readonly keys: Set<string>;
  /** A resume that history could not serve: the first MESSAGE carries `recovered: false`. */
  notRecovered: boolean;
  /** In client modes, the notifications delivered and not acknowledged: ack id → notification id. */
  readonly unacked: Map<string, string>;
  ackSeq: number;
}

/** The tag of a hub subscription to the user's channel that follows a family for a SUBSCRIBE. */
export interface FollowTag {
  follows: StompSubscription;
  family: string;
  eventPrefix: string;
}

/** A session speaking STOMP 1.2 (1.1, 1.0) over a WebSocket or SockJS. */
export class StompSession extends SocketSession {
  readonly protocol = 'stomp' as const;
  readonly parser: StompParser;
  connected = false;
  /** Frames that arrived while CONNECT was being handled (null otherwise). */
  queued: StompFrame[] | null = null;
  readonly subscriptions = new Map<string, StompSubscription>();
  /** `/user/queue/errors`, where refused SENDs are reported. */
  errors: StompSubscription | null = null;
  /** Negotiated heart-beats (0: off): how often we send, how often we expect to hear. */
  outgoingBeatMs = 0;
  incomingBeatMs = 0;
  lastBeatAt = Date.now();
  /** RECEIPTs and error MESSAGEs go out in the order their frames were accepted. */
  private readonly replies = new ReplyOrder<Buffer>((frame) => this.connection.sendUtf8(frame));

  constructor(
    connection: Connection,
    user: AuthUser | null,
    public version: StompVersion,
    maxFrameSize: number,
    private readonly handler: StompProtocol,
    /** Over a WebSocket the subprotocol fixed the version; over SockJS CONNECT negotiates it. */
    readonly versionFixed: boolean,
  ) {
    super(connection, user);
    this.parser = new StompParser({
      maxFrameSize,
      version,
      ...(versionFixed ? {} : { versions: ['1.2', '1.1', '1.0'] }),
    });
  }

  reserveReply(): ReplySlot<Buffer> {
    return this.replies.reserve();
  }

  sendEvent(e: OutboundEvent, sub?: Subscription): void {
    this.handler.deliver(this, e, sub);
  }

  start(): void {
    // The client speaks first (CONNECT); the idle timeout ends a silent one.
  }

  receive(data: Buffer | string, isBinary: boolean): void {
    this.handler.receive(this, data, isBinary);
  }

  end(code: number, reason: string): void {
    this.handler.end(this, code, reason);
  }

  override revoked(sub: Subscription): void {
    this.handler.revoked(this, sub);
  }
}
