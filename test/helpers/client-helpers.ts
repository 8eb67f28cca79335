import net from 'node:net';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { connect, type ClientOptions, type RealtimeClient } from '../../client/src/index.js';
import { ConnectionRegistry } from '../../src/realtime/session/connection-registry.js';
import type { TestApp } from './test-app.js';

/** The events and commands these specs use (the generated maps will replace them). */
export type ChatEvents = {
  'chat.message.created': { id: string; content: string; clientMsgId?: string };
  'chat.typing': { userId: string; typing: boolean };
};
export type ChatCommands = {
  'chat.send': {
    data: { conversationId: string; content: string; clientMsgId?: string };
    result: { id: string; content: string; clientMsgId?: string };
  };
  'chat.typing': { data: { conversationId: string; typing: boolean }; result: unknown };
  'presence.set': { data: { status: 'online' | 'away' | 'dnd' }; result: { status: string } };
};
export type ChatClient = RealtimeClient<ChatEvents, ChatCommands>;

/**
 * A TCP proxy in front of the app that a spec can cut (both sockets destroyed,
 * as a dropped connection), blackhole (bytes silently dropped both ways, as a
 * dead peer the TCP stack has not noticed) or make refuse new connections (as
 * a server that is unreachable).
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private blackholed = false;
  /** Bytes from the server are dropped (replies lost), bytes to it still pass. */
  deaf = false;
  refusing = false;
  /** Connections accepted, and refused while `refusing`, for asserting attempts. */
  accepted = 0;
  refused = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client, targetPort));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private accept(client: net.Socket, targetPort: number): void {
    if (this.refusing) {
      this.refused += 1;
      client.destroy();
      return;
    }
    this.accepted += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('data', (d) => {
      if (!this.blackholed) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!this.blackholed && !this.deaf) client.write(d);
    });
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  /** Destroys every open connection (the client sees the TCP connection go). */
  cut(): void {
    for (const { client, upstream } of [...this.pairs]) {
      client.destroy();
      upstream.destroy();
    }
  }

  /** Stops forwarding bytes on the open connections, without closing them. */
  blackhole(): void {
    this.blackholed = true;
  }

  /** Forgets the blackholed connections (destroyed) and forwards again. */
  restore(): void {
    this.cut();
    this.blackholed = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The `ws` sockets a client opened, to close them from the spec. */
export interface SocketLog {
  sockets: WebSocket[];
  /** Attempts refused by the factory (the WebSocket "cannot connect"). */
  refused: number;
}

/** A client on Node: `ws` as its WebSocket, `eventsource` as its EventSource, fast backoff. */
export function nodeClient(
  options: Partial<ClientOptions> & Pick<ClientOptions, 'url' | 'getToken'>,
  log: SocketLog = { sockets: [], refused: 0 },
): ChatClient {
  return connect<ChatEvents, ChatCommands>({
    WebSocket: (url, protocols) => {
      const ws = new WebSocket(url, protocols);
      log.sockets.push(ws);
      return ws;
    },
    EventSource: (url) => new EventSource(url),
    backoff: { baseMs: 50, maxMs: 400, abuseMs: 1000 },
    ...options,
  });
}

/** Closes every socket of `userId` from the server side with `code`. */
export function closeServerSockets(app: TestApp, userId: string, code: number): number {
  const sessions = [...app.app.get(ConnectionRegistry).sessionsOf(userId)];
  for (const s of sessions) s.close(code, 'closed by the test');
  return sessions.length;
}

/** Resolves with the client's next `open`. */
export function nextOpen(client: ChatClient, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no open within ${timeoutMs} ms (state ${client.state})`));
    }, timeoutMs);
    const off = client.on('open', () => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}
