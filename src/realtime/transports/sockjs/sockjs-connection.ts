import type { Connection as SockJsConn } from 'sockjs';
import { CloseCode } from '../../session/close-codes.js';
import type { Connection, ConnectionEvents } from '../connection.js';

/**
 * A SockJS session (over any of its transports) as a connection. Messages that
 * arrive before the kernel binds it (while the token is checked) or while it is
 * paused wait here, in order. SockJS keeps the transport alive itself (its `h`
 * frames), so the kernel's liveness probe always passes.
 */
export class SockJsConnection implements Connection {
  readonly transport = 'sockjs' as const;
  readonly ip: string;
  private events: ConnectionEvents | null = null;
  private paused = false;
  private waiting: string[] = [];
  private closed = false;
  private firstWaiter: ((message: string | null) => void) | null = null;

  constructor(
    private readonly conn: SockJsConn,
    private readonly maxMessageBytes: number,
  ) {
    this.ip = conn.remoteAddress ?? 'unknown';
    conn.on('data', (message: string) => this.arrived(message));
    conn.on('close', () => {
      this.closed = true;
      this.wake(null);
      this.events?.close();
    });
  }

  get open(): boolean {
    return !this.closed && this.conn.readyState === 1;
  }

  sendText(text: string): void {
    if (this.open) this.conn.write(text);
  }

  sendUtf8(bytes: Buffer, text?: string): void {
    if (this.open) this.conn.write(text ?? bytes.toString('utf8'));
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    // The raw `/ws/websocket` transport closes through a browser-style API that
    // throws on codes other than 1000 and 3000-4999 (1001, 1009, 1011, STOMP's
    // 1002/1008), from inside a message handler: such a client gets 1000 with the
    // code in the reason. SockJS's own transports carry any code in their frame.
    const raw =
      this.conn.protocol === 'websocket-raw' && code !== 1000 && (code < 3000 || code > 4999);
    const [sentCode, sentReason] = raw ? [1000, `${code} ${reason}`.slice(0, 120)] : [code, reason];
    try {
      // The typings say string; SockJS writes the code into its close frame as given.
      this.conn.close(sentCode as unknown as string, sentReason);
    } catch {
      // Nothing else to do for a transport that refuses to close: its peer's
      // close or SockJS's own timeouts end it; a close must never throw.
    }
  }

  terminate(): void {
    this.close(CloseCode.GOING_AWAY, 'terminated');
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flush();
  }

  probe(): boolean {
    return true;
  }

  bind(events: ConnectionEvents): void {
    this.events = events;
    this.flush();
  }

  /**
   * The first message, without taking it (it picks the protocol; the session
   * reads it once bound), or null when the client left first.
   */
  firstMessage(): Promise<string | null> {
    if (this.waiting.length > 0) return Promise.resolve(this.waiting[0]);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.firstWaiter = resolve;
    });
  }

  private arrived(message: string): void {
    if (Buffer.byteLength(message) > this.maxMessageBytes) {
      this.close(CloseCode.TOO_LARGE, 'message too large');
      return;
    }
    this.waiting.push(message);
    this.wake(message);
    this.flush();
  }

  private wake(message: string | null): void {
    const waiter = this.firstWaiter;
    this.firstWaiter = null;
    waiter?.(message);
  }

  private flush(): void {
    while (this.events && !this.paused && !this.closed && this.waiting.length > 0)
      this.events.message(this.waiting.shift()!, false);
  }
}
