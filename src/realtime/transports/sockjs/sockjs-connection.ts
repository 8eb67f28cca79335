import type { Connection as SockJsConn } from 'sockjs';
import { CloseCode } from '../../session/close-codes.js';
import type { Connection, ConnectionEvents } from '../connection.js';
import type { SharedText } from '../shared-text.js';

/** Something that buffers writes: the socket of a SockJS transport request. */
interface Buffering {
  writableLength: number;
}

/**
 * What sockjs keeps of a session beside its typings: the messages no transport
 * request has taken yet (between two polls), and the current request, whose
 * socket holds what was handed to it and not yet sent.
 */
interface SessionInternals {
  send_buffer?: unknown;
  recv?: { thingy?: unknown; connection?: unknown } | null;
}

function isBuffering(x: unknown): x is Buffering {
  return typeof x === 'object' && x !== null && typeof (x as Buffering).writableLength === 'number';
}

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
  private overflowed = false;
  /** Messages of sockjs's session buffer counted so far, and their size (kept up to date as we write). */
  private pendingCount = 0;
  private pendingBytes = 0;

  /** `ip`: the client's address (TRUST_PROXY applied to the request that opened the session). */
  constructor(
    private readonly conn: SockJsConn,
    readonly ip: string,
    private readonly maxMessageBytes: number,
    private readonly maxBufferedBytes: number,
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
    if (!this.open) return;
    this.conn.write(text);
    this.checkBuffer(text);
  }

  sendUtf8(bytes: Buffer): void {
    this.sendText(bytes.toString('utf8'));
  }

  /** SockJS sends strings (it escapes and wraps each message itself). */
  sendShared(message: SharedText): void {
    this.sendText(message.text);
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

  /**
   * What waits to be sent: messages no request has taken (a polling client
   * between polls) plus what the current request's socket holds. Past the bound
   * the session ends (4503), as a WebSocket's does.
   */
  private checkBuffer(written: string): void {
    if (this.overflowed) return;
    const session = (this.conn as unknown as { _session?: SessionInternals })._session;
    const queue = session?.send_buffer;
    if (!Array.isArray(queue) || queue.length === 0) {
      this.pendingCount = 0;
      this.pendingBytes = 0;
    } else if (queue.length === this.pendingCount + 1) {
      // The usual case between polls: our message joined the ones counted before.
      this.pendingCount += 1;
      this.pendingBytes += written.length;
    } else {
      this.pendingCount = queue.length;
      this.pendingBytes = queue.reduce((n: number, m: unknown) => n + String(m).length, 0);
    }
    const recv = session?.recv;
    const socket = recv ? (isBuffering(recv.thingy) ? recv.thingy : recv.connection) : undefined;
    const held = isBuffering(socket) ? socket.writableLength : 0;
    if (this.pendingBytes + held <= this.maxBufferedBytes) return;
    this.overflowed = true;
    this.events?.overflow();
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
