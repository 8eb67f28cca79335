import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../../src/database/embedded-postgres.js';
import { TEST_JWT_SECRET } from './test-app.js';

const MAIN = path.resolve('dist/main.js');
/** USER_HZ: the unit of /proc/<pid>/stat times on Linux. */
const CLOCK_TICKS = 100;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** Extra environment (knobs); nothing else is inherited but PATH and HOME. */
  env?: Record<string, string>;
  /** Opens the V8 inspector, so the test can force a GC and read the heap (see `inspect`). */
  inspector?: boolean;
}

/** Heap and handle figures read inside a server process, after a full GC. */
export interface HeapFigures {
  heapUsed: number;
  /** Buffers live outside the V8 heap (what sockets hold waiting to be sent). */
  arrayBuffers: number;
  handles: number;
}

/**
 * The production build (`node dist/main.js`) in a process of its own, as it
 * runs in production: tests that kill, stall or count instances need real
 * processes, not two apps sharing one Jest process and its module state.
 */
export class ServerProcess {
  private out = '';
  readonly exited: Promise<ProcessExit>;
  private inspectorUrl: Promise<string> | null = null;

  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
    /** The database it was started on (as it reaches it: maybe through a proxy). */
    readonly databaseUrl: string,
  ) {
    proc.stdout?.on('data', (c: Buffer) => this.append(c));
    proc.stderr?.on('data', (c: Buffer) => this.append(c));
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  static async start(opts: ServerOptions, port?: number): Promise<ServerProcess> {
    const p = port ?? (await freePort());
    const proc = spawn(
      process.execPath,
      [...(opts.inspector ? ['--inspect=127.0.0.1:0'] : []), MAIN],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/root',
          NODE_ENV: 'test',
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          HOST: '127.0.0.1',
          PORT: String(p),
          JWT_SECRET: TEST_JWT_SECRET,
          DATABASE_URL: opts.databaseUrl,
          ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
          ...opts.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const server = new ServerProcess(proc, p, opts.databaseUrl);
    running.add(server);
    void server.exited.then(() => running.delete(server));
    if (opts.inspector)
      server.inspectorUrl = server.waitForOutput(/Debugger listening on (ws:\/\/\S+)/);
    await server.waitReady();
    return server;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  /** Polls /health/ready until it answers 200; fails early when the process exits. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`server exited before ready:\n${this.out.slice(-4000)}`);
      if ((await this.ready()) === 200) return;
      if (Date.now() > until) throw new Error(`not ready in ${timeoutMs} ms:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The status of /health/ready (0 when the server does not answer). */
  async ready(): Promise<number> {
    return (await this.readiness()).status;
  }

  async readiness(): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
      const res = await fetch(`${this.baseUrl}/health/ready`, {
        signal: AbortSignal.timeout(5000),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } catch {
      return { status: 0, body: {} };
    }
  }

  /** One metric's value from /metrics (the sum over the label sets matching `labels`). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const set = m[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`)))
        total += Number(m[3]);
    }
    return total;
  }

  /** Forces a full GC inside the process, then reads its heap and its active handles. */
  async inspect(): Promise<HeapFigures> {
    if (!this.inspectorUrl) throw new Error('started without the inspector');
    const url = await this.inspectorUrl;
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let seq = 0;
    const call = (method: string, params: object = {}): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        const onMessage = (data: WebSocket.RawData): void => {
          const msg = JSON.parse(data.toString()) as {
            id?: number;
            result?: Record<string, unknown>;
            error?: unknown;
          };
          if (msg.id !== id) return;
          ws.off('message', onMessage);
          if (msg.error) reject(new Error(JSON.stringify(msg.error)));
          else resolve(msg.result ?? {});
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, method, params }));
      });
    try {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const r = await call('Runtime.evaluate', {
        expression:
          '(() => { const m = process.memoryUsage(); return JSON.stringify({ heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, handles: process._getActiveHandles().length }); })()',
        returnByValue: true,
      });
      const value = (r.result as { value: string }).value;
      return JSON.parse(value) as HeapFigures;
    } finally {
      ws.close();
    }
  }

  /** CPU time the process has used so far (user + system), in ms (Linux: /proc). */
  cpuMs(): number {
    try {
      const stat = readFileSync(`/proc/${this.proc.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line (11 and 12 after the name).
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return 0;
    }
  }

  /** SIGTERM (drain) and wait for the exit. */
  async stop(timeoutMs = 20_000): Promise<ProcessExit> {
    if (!this.alive) return this.exited;
    this.proc.kill('SIGTERM');
    return within(this.exited, timeoutMs, 'exit after SIGTERM');
  }

  /** SIGKILL: no drain, no goodbye. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  private append(chunk: Buffer): void {
    this.out += chunk.toString();
    // Keep the tail: a long run logs a lot.
    if (this.out.length > 200_000) this.out = this.out.slice(-100_000);
  }

  private async waitForOutput(re: RegExp): Promise<string> {
    for (;;) {
      const m = re.exec(this.out);
      if (m) return m[1];
      if (!this.alive) throw new Error(`exited before printing ${re}:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const running = new Set<ServerProcess>();

/** Kills every server process still running (afterAll of a file whose test failed midway). */
export async function killAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.kill()));
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
