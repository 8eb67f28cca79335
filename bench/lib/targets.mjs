// Starts the servers under test: ours (the production build, real PostgreSQL,
// authenticated sockets) and the two peers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, waitForPort } from '../../scripts/services.mjs';

export const ADMIN_EMAIL = 'admin@bench.local';
export const JWT_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuv';

function startProcess(cmd, args, env) {
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

export async function createDatabase(adminUrl) {
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function startOurs({ databaseUrl, redisUrl, extraEnv = {} }) {
  const port = await freePort();
  // BENCH_CPU_PROF=dir: our server writes a V8 CPU profile there when it stops.
  const prof = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = startProcess(process.execPath, [...prof, 'dist/main.js'], {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    JWT_SECRET,
    ADMIN_EMAILS: ADMIN_EMAIL,
    LOG_LEVEL: 'warn',
    WS_RATE_LIMIT: '1000000',
    WS_CONNECT_RATE_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_IP: '1000000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000000',
    WS_IDLE_TIMEOUT_MS: '3600000',
    // A step past what the machine delivers (the generator shares its 2 cores)
    // would otherwise end with slow-consumer closes (4503) instead of a cost per
    // delivery and a latency: the peers have no such bound.
    WS_MAX_BUFFERED_BYTES: String(64 * 2 ** 20),
    ...extraEnv,
  });
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60000;
  for (;;) {
    try {
      const r = await fetch(`${base}/health/ready`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error('our server did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    kind: 'ours',
    pid: child.pid,
    child,
    url: base,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
  };
}

export async function startPeer(kind) {
  const port = await freePort();
  const file = kind === 'raw' ? 'bench/peers/raw-ws.mjs' : 'bench/peers/socketio.mjs';
  const child = startProcess(process.execPath, [file], { PORT: String(port) });
  await waitForPort(port);
  return {
    kind: kind === 'raw' ? 'raw' : 'socketio',
    pid: child.pid,
    child,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
  };
}

export async function stop(target) {
  if (!target?.child || target.child.exitCode !== null) return;
  const exited = new Promise((r) => target.child.once('exit', r));
  target.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
  if (target.child.exitCode === null) target.child.kill('SIGKILL');
}

/** Registers users on our server and returns their access tokens. */
export async function registerUsers(base, count, prefix = 'u') {
  const out = [];
  for (let i = 0; i < count; i++) {
    const email =
      i === 0 && prefix === 'admin'
        ? ADMIN_EMAIL
        : `${prefix}${i}-${randomBytes(3).toString('hex')}@bench.local`;
    const r = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'bench-password-1', displayName: `${prefix}${i}` }),
    });
    const body = await r.json();
    if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(body)}`);
    out.push({ id: body.user.id, token: body.accessToken, email });
  }
  return out;
}
