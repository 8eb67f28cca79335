import { ChildProcess, spawn } from 'node:child_process';
import { access, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase } from '../helpers/databases.js';
import { TEST_JWT_SECRET } from '../helpers/test-app.js';

const MAIN = path.resolve('dist/main.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Server {
  proc: ChildProcess;
  port: number;
  output(): string;
  /** Resolves when the process exits; never rejects. */
  exited: Promise<Exit>;
}

const children: ChildProcess[] = [];
const dataDirs: string[] = [];

/** Runs the production build with exactly this environment (nothing inherited but PATH and HOME). */
function runMain(env: Record<string, string>, nodeArgs: string[] = []): Server {
  const proc = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<Exit>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, port: Number(env.PORT ?? 0), output: () => out, exited };
}

/** Runs the build to its end; resolves with its exit code and stderr. */
async function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  return { code, stderr };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface HttpResult {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A plain HTTP call on a fresh connection (no keep-alive agent). With `beforeBody`, the
 * headers go first with `Expect: 100-continue`; once the server has answered 100 (it has
 * read them: the request is in flight), `beforeBody` runs, then the body is sent.
 */
function call(
  port: number,
  method: string,
  urlPath: string,
  body?: unknown,
  beforeBody?: () => Promise<void>,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(beforeBody ? { expect: '100-continue' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    if (beforeBody) {
      req.on('continue', () => {
        beforeBody().then(() => req.end(payload), reject);
      });
      req.flushHeaders();
    } else {
      req.end(payload);
    }
  });
}

/** Polls /health/ready until it answers 200; fails early when the process exits. */
async function waitReady(server: Server, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited: Exit | undefined;
  void server.exited.then((e) => (exited = e));
  for (;;) {
    if (exited) {
      throw new Error(
        `server exited (${JSON.stringify(exited)}) before ready:\n${server.output()}`,
      );
    }
    try {
      const res = await call(server.port, 'GET', '/health/ready');
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      throw new Error(`not ready within ${timeoutMs} ms:\n${server.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves once the process has printed `text`. */
async function waitForOutput(server: Server, text: string): Promise<void> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (!server.output().includes(text)) {
    if (server.proc.exitCode !== null || Date.now() > until) {
      throw new Error(`never printed "${text}":\n${server.output()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pathGone(file: string, timeoutMs = STOP_TIMEOUT_MS): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await access(file);
    } catch {
      return true;
    }
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(server: Server): Promise<Exit> {
  server.proc.kill('SIGTERM');
  return within(server.exited, STOP_TIMEOUT_MS, 'exit after SIGTERM');
}

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rt-process-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach <dir>/pg.
  await chmod(dir, 0o755);
  dataDirs.push(dir);
  return dir;
}

/** Kills what a failed test may have left: our children, then the PostgreSQL they started. */
async function cleanUp(): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dataDirs) {
    try {
      const pid = Number(
        (await readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      if (pid > 0) process.kill(pid, 'SIGQUIT');
      await new Promise((r) => setTimeout(r, 500));
    } catch {
      // no PostgreSQL left running there
    }
    await rm(dir, { recursive: true, force: true });
  }
}

function productionEnv(port: number, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
  };
}

afterAll(async () => {
  await cleanUp();
});

describe('the production build refuses a bad configuration', () => {
  it('exits 1 naming JWT_SECRET when production has no JWT key', async () => {
    const res = await runToExit({ NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: '0' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Invalid configuration');
    expect(res.stderr).toContain('JWT_SECRET');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 naming PORT when PORT is not a number', async () => {
    const res = await runToExit({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: 'abc',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/PORT: must be an integer, got "abc"/);
    expect(res.stderr).not.toContain('JWT_SECRET');
  });
});

describe('the production build on the embedded PostgreSQL', () => {
  const user = {
    email: 'process-user@example.test',
    password: 'correct horse battery',
    displayName: 'Process',
  };

  it(
    'starts without DATABASE_URL, keeps its data across restarts, exits 0 on SIGTERM',
    async () => {
      const dataDir = await freshDataDir();
      const first = runMain(productionEnv(await freePort(), dataDir));
      await waitReady(first);
      const reg = await call(first.port, 'POST', '/api/auth/register', user);
      expect(reg.status).toBe(201);
      expect(await stop(first)).toEqual({ code: 0, signal: null });

      const second = runMain(productionEnv(await freePort(), dataDir));
      await waitReady(second);
      const login = await call(second.port, 'POST', '/api/auth/login', {
        email: user.email,
        password: user.password,
      });
      expect(login.status).toBe(200);
      expect((login.body.user as { id: string }).id).toBe((reg.body.user as { id: string }).id);
      const wrong = await call(second.port, 'POST', '/api/auth/login', {
        email: user.email,
        password: 'not the password',
      });
      expect(wrong.status).toBe(401);
      expect(await stop(second)).toEqual({ code: 0, signal: null });
    },
    3 * START_TIMEOUT_MS,
  );

  it(
    'stops the embedded PostgreSQL on a SIGTERM that comes during start-up',
    async () => {
      const dataDir = await freshDataDir();
      const env = productionEnv(await freePort(), dataDir);
      const first = runMain(env);
      await waitReady(first);
      expect(await stop(first)).toEqual({ code: 0, signal: null });

      const starting = runMain({ ...env, LOG_LEVEL: 'info' });
      await waitForOutput(starting, 'embedded PostgreSQL ready');
      starting.proc.kill('SIGTERM');
      expect(await within(starting.exited, STOP_TIMEOUT_MS, 'exit after SIGTERM')).toEqual({
        code: 0,
        signal: null,
      });
      expect(await pathGone(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);

      const again = runMain({ ...env, PORT: String(await freePort()) });
      await waitReady(again);
      expect(await stop(again)).toEqual({ code: 0, signal: null });
    },
    3 * START_TIMEOUT_MS,
  );

  it(
    'finishes a request in flight at SIGTERM, then exits 0',
    async () => {
      const server = runMain(productionEnv(await freePort(), await freshDataDir()));
      await waitReady(server);
      const inFlight = call(
        server.port,
        'POST',
        '/api/auth/register',
        { ...user, email: 'in-flight@example.test' },
        async () => {
          server.proc.kill('SIGTERM');
          // The shutdown is under way while the body of the request is still to come.
          await new Promise((r) => setTimeout(r, 300));
        },
      );
      const res = await within(inFlight, STOP_TIMEOUT_MS, 'the request in flight');
      expect(res.status).toBe(201);
      expect((res.body.user as { email: string }).email).toBe('in-flight@example.test');
      expect(await within(server.exited, STOP_TIMEOUT_MS, 'exit after SIGTERM')).toEqual({
        code: 0,
        signal: null,
      });
    },
    2 * START_TIMEOUT_MS,
  );
});

describe('the production build and unhandled rejections', () => {
  /**
   * Loaded before main.js: on SIGUSR2 it rejects a promise nobody handles, as a
   * bug in a handler would (the application itself has no such path on purpose).
   */
  const PRELOAD =
    'data:text/javascript,process.on("SIGUSR2",()=>{Promise.reject(new Error("probe-rejection"))})';

  it(
    'logs and counts an unhandled rejection and goes on serving',
    async () => {
      const port = await freePort();
      const server = runMain(
        {
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: String(port),
          JWT_SECRET: TEST_JWT_SECRET,
          METRICS_TOKEN: 'metrics-token-0123456789',
          DATABASE_URL: await createTestDatabase(),
        },
        ['--import', PRELOAD],
      );
      await waitReady(server);
      for (let i = 0; i < 2; i++) {
        server.proc.kill('SIGUSR2');
        await waitForOutput(server, `"survived":${i + 1}`);
      }
      expect(server.proc.exitCode).toBeNull();
      const line = server
        .output()
        .split('\n')
        .find((l) => l.includes('probe-rejection'));
      expect(JSON.parse(line!)).toMatchObject({
        level: 50,
        msg: 'unhandled promise rejection (the process goes on)',
        err: { message: 'probe-rejection' },
      });
      expect((await call(port, 'GET', '/health/ready')).status).toBe(200);
      const metrics = await new Promise<string>((resolve, reject) =>
        http
          .get(
            {
              host: '127.0.0.1',
              port,
              path: '/metrics',
              agent: false,
              headers: { Authorization: 'Bearer metrics-token-0123456789' },
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () => resolve(text));
            },
          )
          .on('error', reject),
      );
      expect(metrics).toMatch(/^rt_unhandled_rejections_total 2$/m);
      expect(await stop(server)).toEqual({ code: 0, signal: null });
    },
    2 * START_TIMEOUT_MS,
  );
});
