import type { AuthUser } from '../../../auth/auth.types.js';
import type { OutboundEvent } from '../../bus/event-bus.js';
import { ReplyOrder, ReplySlot } from '../../session/reply-order.js';
import { SocketSession } from '../../session/socket-session.js';
import type { ServerFrame } from './frames.js';
import type { Connection } from '../../transports/connection.js';
import { SharedText } from '../../transports/shared-text.js';
import type { JsonProtocol } from './json-protocol.js';

/** A session speaking the JSON protocol (`rt.v1`) over a WebSocket or SockJS. */
export class JsonSession extends SocketSession {
  readonly protocol = 'rt.v1' as const;
  /** Replies in the order their frames were accepted; created on the first frame. */
  private replies: ReplyOrder<ServerFrame> | null = null;

  constructor(
    connection: Connection,
    user: AuthUser | null,
    private readonly handler: JsonProtocol,
  ) {
    super(connection, user);
  }

  /** Every subscriber gets the event's one `event` frame, encoded once. */
  sendEvent(e: OutboundEvent): void {
    this.connection.sendShared((e.shared ??= new SharedText(e.frame)));
  }

  /** The next place in this session's reply order (see ReplyOrder). */
  reserveReply(): ReplySlot<ServerFrame> {
    this.replies ??= new ReplyOrder<ServerFrame>((frame) => this.send(frame));
    return this.replies.reserve();
  }

  start(): void {
    this.handler.start(this);
  }

  receive(data: Buffer | string, isBinary: boolean): void {
    this.handler.receive(this, data, isBinary);
  }

  end(code: number, reason: string): void {
    this.close(code, reason);
  }
}
