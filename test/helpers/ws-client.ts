import WebSocket from 'ws';
import { FrameRecorder } from './frame-recorder.js';

export interface Frame {
  type: string;
  id?: string;
  [k: string]: unknown;
}

export interface WsOptions {
  token?: string;
  via?: 'query' | 'header' | 'protocol';
  protocols?: string[];
  headers?: Record<string, string>;
  path?: string;
}

/** A real `ws` client that records every frame, for awaiting and asserting. */
export class TestSocket {
  private readonly recorder = new FrameRecorder<Frame>((recent) => JSON.stringify(recent));
  readonly frames = this.recorder.frames;
  private seq = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.recorder.push(JSON.parse(data.toString()) as Frame));
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** The first frame (already received or to come) matching `pred`. */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return this.recorder.next(pred, timeoutMs);
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a fresh id and resolves with the reply carrying that id. */
  request(type: string, fields: Record<string, unknown> = {}, timeoutMs = 5000): Promise<Frame> {
    const id = `c-${++this.seq}`;
    this.send({ type, id, ...fields });
    return this.next((f) => f.id === id, timeoutMs);
  }

  /** Events of a channel received so far, in arrival order. */
  events(channel: string): Frame[] {
    return this.frames.filter((f) => f.type === 'event' && f.channel === channel);
  }

  /** Resolves once `n` events of `channel` have arrived. */
  async waitEvents(channel: string, n: number, timeoutMs = 10000): Promise<Frame[]> {
    const until = Date.now() + timeoutMs;
    while (this.events(channel).length < n) {
      if (Date.now() > until)
        throw new Error(`only ${this.events(channel).length}/${n} events on ${channel}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.events(channel);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(1000);
  }
}

function target(
  baseUrl: string,
  opts: WsOptions,
): { url: string; protocols: string[]; headers: Record<string, string> } {
  const url = new URL(opts.path ?? '/ws', baseUrl.replace(/^http/, 'ws'));
  const headers: Record<string, string> = { ...opts.headers };
  const protocols = [...(opts.protocols ?? [])];
  if (opts.token !== undefined) {
    const via = opts.via ?? 'query';
    if (via === 'query') url.searchParams.set('token', opts.token);
    if (via === 'header') headers.Authorization = `Bearer ${opts.token}`;
    if (via === 'protocol') protocols.push(`token-${opts.token}`);
  }
  return { url: url.toString(), protocols, headers };
}

/** Opens a socket and waits for its `connected` frame. */
export async function connect(baseUrl: string, opts: WsOptions = {}): Promise<TestSocket> {
  const t = target(baseUrl, opts);
  const ws = new WebSocket(t.url, t.protocols, { headers: t.headers });
  const socket = new TestSocket(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
  await socket.next((f) => f.type === 'connected');
  return socket;
}

/** Attempts an upgrade that should be refused; resolves with the HTTP status and body. */
export function refusedUpgrade(
  baseUrl: string,
  opts: WsOptions = {},
): Promise<{ status: number; body: string }> {
  const t = target(baseUrl, opts);
  const ws = new WebSocket(t.url, t.protocols, { headers: t.headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // No HTTP answer at all (e.g. the server is gone): fail instead of hanging.
    ws.once('error', reject);
  });
}
