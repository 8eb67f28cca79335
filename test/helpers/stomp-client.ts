import WebSocket from 'ws';
import { FrameRecorder } from './frame-recorder.js';
import { StompFrame } from '../../src/realtime/protocols/stomp/stomp-frame.js';
import { StompParser } from '../../src/realtime/protocols/stomp/stomp-parser.js';

export interface RawStompOptions {
  token?: string;
  /** Subprotocols offered (default: the three STOMP versions, as @stomp/stompjs offers them). */
  protocols?: string[];
}

/**
 * A bare STOMP client over a real `ws` WebSocket, for frame-level tests:
 * sends raw text, records every server frame and heart-beat. (The interop
 * tests use @stomp/stompjs and sockjs-client themselves.)
 */
export class RawStomp {
  private readonly recorder = new FrameRecorder<StompFrame>((recent) =>
    recent.map((f) => `${f.command} ${JSON.stringify(f.headers)} ${f.bodyText()}`).join(' | '),
  );
  readonly frames = this.recorder.frames;
  heartbeats = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly parser = new StompParser({ maxFrameSize: 1 << 22 });

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const r = this.parser.push(data);
      this.heartbeats += r.heartbeats;
      for (const f of r.frames) this.recorder.push(f);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(baseUrl: string, opts: RawStompOptions = {}): Promise<RawStomp> {
    const url = new URL('/ws', baseUrl.replace(/^http/, 'ws'));
    if (opts.token) url.searchParams.set('token', opts.token);
    const ws = new WebSocket(url, opts.protocols ?? ['v12.stomp', 'v11.stomp', 'v10.stomp']);
    const client = new RawStomp(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** Sends a frame; header values are written as given (escape them yourself). */
  frame(command: string, headers: Record<string, string> = {}, body = ''): void {
    const lines = Object.entries(headers).map(([k, v]) => `${k}:${v}`);
    this.send(`${command}\n${lines.join('\n')}${lines.length ? '\n' : ''}\n${body}\0`);
  }

  next(pred: (f: StompFrame) => boolean, timeoutMs = 5000): Promise<StompFrame> {
    return this.recorder.next(pred, timeoutMs);
  }

  /** CONNECT and wait for CONNECTED. */
  async connect(headers: Record<string, string> = {}): Promise<StompFrame> {
    this.frame('CONNECT', { 'accept-version': '1.2,1.1,1.0', host: 'localhost', ...headers });
    return this.next((f) => f.command === 'CONNECTED' || f.command === 'ERROR');
  }

  messages(subscription: string): StompFrame[] {
    return this.frames.filter(
      (f) => f.command === 'MESSAGE' && f.header('subscription') === subscription,
    );
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}
