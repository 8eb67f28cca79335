import { connect, createServer, type Server, type Socket } from 'node:net';

/** One client connection and the upstream connection it was paired with. */
export interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
  /** The upstream port this connection went to. */
  readonly target: number;
  frozen: boolean;
}

/**
 * A TCP proxy for fault tests, on loopback: a load balancer in front of
 * server processes (new connections go round-robin to the upstreams that
 * accept them) or a path to a dependency (PostgreSQL, Redis) that a test can
 * break. Breaks are those a network makes: `refuse` (the target is down:
 * every connection is reset, new ones too), `blackhole` (the target is
 * unreachable: connections stay open and nothing flows either way, until
 * `heal`; bytes wait, as TCP retransmits them, and are never lost or
 * reordered), and per connection `cut` (both sides dropped without a
 * goodbye) and `freeze` (half-open: the peer vanished without a FIN).
 */
export class TcpProxy {
  private readonly pairs = new Set<ProxiedConnection>();
  private mode: 'open' | 'refuse' | 'blackhole' = 'open';
  private next = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private upstreams: number[],
  ) {}

  static async start(upstreams: number[]): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const proxy = new TcpProxy(server, port, upstreams);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where new connections go (open ones stay where they are). */
  setUpstreams(ports: number[]): void {
    this.upstreams = ports;
  }

  /** Open connections, in no particular order. */
  connections(): ProxiedConnection[] {
    return [...this.pairs];
  }

  /** The connection whose client side is the socket bound to `clientPort` (its local port). */
  connectionOf(clientPort: number): ProxiedConnection | undefined {
    return [...this.pairs].find((p) => p.client.remotePort === clientPort);
  }

  /** The target is down: every open connection is reset, and new ones are refused. */
  refuse(): void {
    this.mode = 'refuse';
    for (const p of [...this.pairs]) this.cut(p);
  }

  /** The target is unreachable: nothing flows on open or new connections until `heal`. */
  blackhole(): void {
    this.mode = 'blackhole';
    for (const p of this.pairs) pause(p);
  }

  heal(): void {
    this.mode = 'open';
    for (const p of this.pairs) if (!p.frozen) resume(p);
  }

  /** Drops both sides at once, without a closing handshake of any protocol. */
  cut(p: ProxiedConnection): void {
    this.pairs.delete(p);
    p.client.destroy();
    p.upstream.destroy();
  }

  /**
   * Half-open: nothing flows any more and neither side is told. After
   * `releaseAfterMs` the sockets are dropped, as a peer's TCP stack finally gives up.
   */
  freeze(p: ProxiedConnection, releaseAfterMs = 30_000): void {
    p.frozen = true;
    pause(p);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.cut(p);
    }, releaseAfterMs);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const p of [...this.pairs]) this.cut(p);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'refuse' || this.upstreams.length === 0) {
      client.destroy();
      return;
    }
    client.pause();
    this.dial(client, 0);
  }

  /**
   * Copies `from` to `to` with backpressure, by hand rather than `pipe`: a pipe
   * resumes its source on `drain`, which would undo a blackhole or a freeze.
   */
  private forward(p: ProxiedConnection, from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => {
        if (this.flowing(p)) from.resume();
      });
    });
    from.once('end', () => to.end());
  }

  private flowing(p: ProxiedConnection): boolean {
    return this.mode === 'open' && !p.frozen && this.pairs.has(p);
  }

  /** Round-robin over the upstreams; one that refuses is skipped (a dead instance). */
  private dial(client: Socket, attempt: number): void {
    if (client.destroyed) return;
    if (attempt >= this.upstreams.length || this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const target = this.upstreams[this.next++ % this.upstreams.length];
    const upstream = connect(target, '127.0.0.1');
    upstream.once('error', () => {
      if (!pair.connected) this.dial(client, attempt + 1);
      else this.cut(pair.p);
    });
    const pair = { connected: false, p: { client, upstream, target, frozen: false } };
    upstream.once('connect', () => {
      pair.connected = true;
      if (client.destroyed || this.mode === 'refuse') {
        upstream.destroy();
        client.destroy();
        return;
      }
      const p = pair.p;
      this.pairs.add(p);
      this.forward(p, client, upstream);
      this.forward(p, upstream, client);
      const drop = (): void => {
        if (!this.pairs.delete(p)) return;
        client.destroy();
        upstream.destroy();
      };
      client.once('close', drop);
      upstream.once('close', drop);
      if (this.mode === 'blackhole') pause(p);
      else client.resume();
    });
  }
}

function pause(p: ProxiedConnection): void {
  p.client.pause();
  p.upstream.pause();
}

function resume(p: ProxiedConnection): void {
  p.client.resume();
  p.upstream.resume();
}
