import type { SharedText } from './shared-text.js';

/** What a transport tells the kernel about one connection. */
export interface ConnectionEvents {
  /** One transport message (a WebSocket frame, a SockJS message). */
  message(data: Buffer | string, isBinary: boolean): void;
  close(): void;
  /**
   * The frames sent and not yet taken by the client passed WS_MAX_BUFFERED_BYTES
   * (told once): the kernel ends the session, so that a client that stopped
   * reading costs a bounded amount of memory.
   */
  overflow(): void;
}

export type TransportName = 'ws' | 'sockjs';

/**
 * How bytes travel: one client connection of a transport (a `ws` WebSocket, a
 * SockJS session over any of its transports). It knows nothing of frames,
 * channels or users; a protocol session (JSON or STOMP) sits on top of it.
 */
export interface Connection {
  readonly transport: TransportName;
  /** The client's address, as the transport saw it. */
  readonly ip: string;
  readonly open: boolean;
  /** Sends one text message. */
  sendText(text: string): void;
  /** Sends UTF-8 text already encoded (a STOMP frame). */
  sendUtf8(bytes: Buffer): void;
  /** Sends a message many connections send unchanged (an event's frame), in its shared encoding. */
  sendShared(message: SharedText): void;
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake (a dead peer). */
  terminate(): void;
  /** Stops reading client messages until `resume` (the session is not greeted yet). */
  pause(): void;
  resume(): void;
  /**
   * Called by the kernel's heartbeat sweep: checks that the peer answered the
   * last liveness probe and sends the next one; false when it did not (dead).
   * Transports with their own liveness (SockJS) always answer true.
   */
  probe(): boolean;
  bind(events: ConnectionEvents): void;
}
