import 'reflect-metadata';
import { loadConfig } from '../config/app-config.js';
import { createRootLogger } from '../common/logging/logger.js';
import { runMigrations } from './run-migrations.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createRootLogger(config.logLevel, config.nodeEnv);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, logger);
  const url = config.databaseUrl ?? embedded?.url ?? '';
  try {
    const applied = await runMigrations(url, logger);
    logger.info(`${applied.length} migration(s) applied`);
  } finally {
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
