import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Connection, ConnectionEvents } from '../connection.js';
import type { SharedText } from '../shared-text.js';

const TEXT_FRAME = { binary: false };

/**
 * What `ws` keeps of a socket beside its typings: the sender that frames and
 * writes each message. With no extension negotiated (permessage-deflate is
 * off) and nothing queued, it writes a frame straight to the TCP socket, so a
 * frame built once can go to every socket as it is.
 */
interface WsInternals {
  _sender?: { _state?: number; _queue?: unknown[]; sendFrame?(list: Buffer[]): void };
}

/**
 * A `ws` WebSocket as a connection: text frames, protocol-level pings for
 * liveness, and a bound on what waits to be sent (`maxBufferedBytes`).
 */
export class WsConnection implements Connection {
  readonly transport = 'ws' as const;
  /** Set by a pong; cleared by each probe. */
  private alive = true;
  private events: ConnectionEvents | null = null;
  private overflowed = false;

  /**
   * @param corked the upgraded TCP socket, corked before the 101 response was
   *   written: released after the first frame, or at the end of this turn of
   *   the event loop when no frame was ready by then.
   */
  constructor(
    readonly socket: WebSocket,
    readonly ip: string,
    private readonly maxBufferedBytes: number,
    private corked: Duplex | null = null,
  ) {
    if (corked) setImmediate(() => this.uncork());
  }

  get open(): boolean {
    return this.socket.readyState === 1;
  }

  sendText(text: string): void {
    if (this.socket.readyState !== 1) return;
    this.socket.send(text);
    this.uncork();
    this.checkBuffer();
  }

  /** The bytes, not the text: `ws` would otherwise encode the same text again for every socket. */
  sendUtf8(bytes: Buffer): void {
    if (this.socket.readyState !== 1) return;
    this.socket.send(bytes, TEXT_FRAME);
    this.checkBuffer();
  }

  /**
   * The frame built once for every subscriber, one write per socket (`ws`
   * would frame the message again for each one, in two writes). Whenever the
   * sender is busy, or its insides are not what this version of `ws` has,
   * the message goes through `send` as any other.
   */
  sendShared(message: SharedText): void {
    if (this.socket.readyState !== 1) return;
    const sender = (this.socket as unknown as WsInternals)._sender;
    if (sender?._state === 0 && sender._queue?.length === 0 && sender.sendFrame)
      sender.sendFrame([message.webSocketFrame]);
    else this.socket.send(message.bytes, TEXT_FRAME);
    this.checkBuffer();
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === 0 || this.socket.readyState === 1)
      this.socket.close(code, reason);
    this.uncork();
  }

  terminate(): void {
    this.socket.terminate();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  probe(): boolean {
    if (!this.alive) return false;
    this.alive = false;
    if (this.socket.readyState === 1) this.socket.ping();
    return true;
  }

  bind(events: ConnectionEvents): void {
    this.events = events;
    this.socket.on('pong', () => {
      this.alive = true;
    });
    this.socket.on('message', (data: RawData, isBinary: boolean) =>
      events.message(toBuffer(data), isBinary),
    );
    this.socket.on('error', () => undefined);
    this.socket.once('close', () => events.close());
  }

  private uncork(): void {
    const corked = this.corked;
    if (!corked) return;
    this.corked = null;
    corked.uncork();
  }

  /**
   * `bufferedAmount` is what `ws` and the socket hold that the network has not
   * taken yet (two lengths: cheap after every send). Past the bound the session
   * ends; frames already queued still go out before the close frame.
   */
  private checkBuffer(): void {
    if (this.overflowed || this.socket.bufferedAmount <= this.maxBufferedBytes) return;
    this.overflowed = true;
    this.events?.overflow();
  }
}

/** `ws` hands frames over as a Buffer (binaryType nodebuffer); fragments arrive as a list. */
function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
