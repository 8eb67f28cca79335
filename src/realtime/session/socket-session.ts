import type { AuthUser } from '../../auth/auth.types.js';
import type { ChannelHold } from '../hub/channel-hub.js';
import type { Connection, TransportName } from '../transports/connection.js';
import { RtSession } from './session.js';

export type ProtocolName = 'rt.v1' | 'stomp';

/**
 * A session over a two-way connection: one transport (WebSocket or SockJS)
 * plus one protocol (the JSON protocol or STOMP). The kernel owns its
 * lifecycle (limits, idle timeout, token expiry, shutdown); the protocol
 * subclass turns transport messages into kernel calls and events into frames.
 */
export abstract class SocketSession extends RtSession {
  readonly transport: TransportName;
  abstract readonly protocol: ProtocolName;
  /** Closing for abuse (4429) once the replies already owed have gone out. */
  closing = false;
  /**
   * Frames still waiting for their rate decision (a round trip to the shared
   * budget): later frames are decided behind them, so they run in order.
   */
  admissions: Promise<void> | null = null;
  /**
   * The user channel, opened on this node at the upgrade: the automatic
   * subscription starts where it stood then. Released once that subscription
   * is in place, or when the session ends first.
   */
  userChannelHold: ChannelHold | null = null;

  constructor(
    readonly connection: Connection,
    user: AuthUser | null,
  ) {
    super(user, connection.ip);
    this.transport = connection.transport;
  }

  sendText(text: string): void {
    this.connection.sendText(text);
  }

  close(code: number, reason: string): void {
    this.connection.close(code, reason);
  }

  /** The session was attached by the kernel: greet the client, or wait for its first frame. */
  abstract start(): void;
  /** One message of the transport. */
  abstract receive(data: Buffer | string, isBinary: boolean): void;
  /**
   * The kernel ends the session (token expired, idle, abuse, shutdown): the
   * JSON protocol closes with the code; STOMP sends an ERROR frame first.
   */
  abstract override end(code: number, reason: string): void;
}
