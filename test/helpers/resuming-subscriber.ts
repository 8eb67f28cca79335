import { connect as netConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { TcpProxy } from './tcp-proxy.js';

/** How a subscriber loses its connection. */
export type DropMode = 'close' | 'halfopen' | 'cut' | 'destroy';
export const DROP_MODES: readonly DropMode[] = ['close', 'halfopen', 'cut', 'destroy'];

interface Frame {
  type: string;
  id?: string;
  channel?: string;
  offset?: number;
  recovered?: boolean;
  code?: string | number;
}

/**
 * A client as the contract asks clients to be: it remembers the last offset
 * it got on each channel and, whenever its connection is lost (or dropped on
 * purpose, in one of the ways networks lose connections), connects again and
 * subscribes with `since`. It checks what arrives: each channel's offsets must
 * follow one another exactly (a repeat is a duplicate, a jump a gap).
 */
export class ResumingSubscriber {
  readonly last = new Map<string, number>();
  received = 0;
  duplicates = 0;
  gaps = 0;
  /** `subscribed` answers with `recovered: false` (history could not fill the gap). */
  notRecovered = 0;
  /** Connections after the first, whatever ended the previous one. */
  resumes = 0;
  /** Closes the subscriber did not ask for, by code (server shutdown, a dead node, 4503). */
  readonly unexpectedCloses = new Map<number, number>();
  readonly errors: string[] = [];
  private ws: WebSocket | null = null;
  private socket: Socket | null = null;
  /** Bumped at every drop: frames of an abandoned connection are not read. */
  private generation = 0;
  private stopped = false;
  private connecting: Promise<void> | null = null;
  private subscribedOnce = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    readonly channels: readonly string[],
    private readonly proxy?: TcpProxy,
  ) {
    for (const c of channels) this.last.set(c, 0);
  }

  /** Connects and subscribes (from the offsets it has); resolves once every channel answered. */
  start(): Promise<void> {
    this.connecting ??= this.connectUntilSubscribed().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  get connected(): boolean {
    return this.connecting === null && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Loses the connection the way `mode` says, then resumes. */
  async drop(mode: DropMode): Promise<void> {
    if (this.stopped || this.connecting) return;
    const ws = this.ws;
    const socket = this.socket;
    if (!ws || !socket) return;
    this.generation += 1;
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    switch (mode) {
      case 'close':
        ws.close(1000);
        break;
      case 'destroy':
        socket.destroy();
        break;
      case 'cut':
      case 'halfopen': {
        const pair = this.proxy?.connectionOf(socket.localPort ?? -1);
        if (!pair) {
          socket.destroy();
          break;
        }
        if (mode === 'cut') this.proxy?.cut(pair);
        else {
          // The client forgets the connection; the server is never told.
          this.proxy?.freeze(pair);
          socket.destroy();
        }
        break;
      }
    }
    await this.start();
  }

  /** True when every channel reached the offset given. */
  caughtUp(latest: ReadonlyMap<string, number>): boolean {
    return this.channels.every((c) => (this.last.get(c) ?? 0) >= (latest.get(c) ?? 0));
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.ws?.terminate();
  }

  private async connectUntilSubscribed(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.connectOnce();
        if (this.subscribedOnce) this.resumes += 1;
        this.subscribedOnce = true;
        return;
      } catch (err) {
        if (attempt >= 200) throw err;
        // A node that is down or draining: the proxy sends the retry elsewhere.
        await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private connectOnce(): Promise<void> {
    const generation = ++this.generation;
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/ws?token=${this.token}`, {
      createConnection: (opts: { port?: number | string | null; host?: string | null }) => {
        const s = netConnect(Number(opts.port), String(opts.host ?? '127.0.0.1'));
        this.socket = s;
        return s;
      },
    });
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      const pending = new Set(this.channels);
      const timer = setTimeout(() => fail(new Error('no subscription within 20 s')), 20_000);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      };
      ws.on('error', (err) => {
        if (pending.size > 0) fail(err);
      });
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        fail(new Error(`upgrade refused: ${res.statusCode}`));
      });
      ws.once('close', (code) => {
        if (pending.size > 0) {
          fail(new Error(`closed ${code} while subscribing`));
          return;
        }
        if (generation !== this.generation || this.stopped) return;
        this.unexpectedCloses.set(code, (this.unexpectedCloses.get(code) ?? 0) + 1);
        void this.start().catch((err: unknown) => this.errors.push(String(err)));
      });
      ws.on('message', (data: Buffer) => {
        if (generation !== this.generation) return;
        const f = JSON.parse(data.toString()) as Frame;
        if (f.type === 'event') this.onEvent(f);
        else if (f.type === 'connected') {
          for (const channel of this.channels)
            ws.send(
              JSON.stringify({
                type: 'subscribe',
                id: channel,
                channel,
                since: this.last.get(channel) ?? 0,
              }),
            );
        } else if (f.type === 'subscribed' && f.channel) {
          if (f.recovered === false) this.notRecovered += 1;
          pending.delete(f.channel);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        } else if (f.type === 'error') {
          this.errors.push(JSON.stringify(f));
          if (pending.size > 0) fail(new Error(`refused: ${JSON.stringify(f)}`));
        }
      });
    });
  }

  private onEvent(f: Frame): void {
    if (f.offset === undefined || f.channel === undefined || !this.last.has(f.channel)) return;
    this.received += 1;
    const last = this.last.get(f.channel) ?? 0;
    if (f.offset <= last) {
      this.duplicates += 1;
      return;
    }
    if (f.offset > last + 1) this.gaps += f.offset - last - 1;
    this.last.set(f.channel, f.offset);
  }
}
