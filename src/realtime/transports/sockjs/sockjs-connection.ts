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
  private events: ConnectionEvents | null = null;
  private paused = false;
  private waiting: string[] = [];
  private closed = false;
  private firstWaiter: ((message: string | null) => void) | null = null;

  /** `ip`: the client's address (TRUST_PROXY applied to the request that opened the session). */
  constructor(
    private readonly conn: SockJsConn,
    readonly ip: string,
    private readonly maxMessageBytes: number,
  ) {
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
    // The typings say string; SockJS writes the code into its close frame as given.
    if (this.open) this.conn.close(code as unknown as string, reason);
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
