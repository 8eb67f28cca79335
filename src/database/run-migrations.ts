import { DataSource } from 'typeorm';
import type { Logger as PinoLogger } from 'pino';
import { dataSourceOptions } from './data-source-options.js';

/** Arbitrary constant: the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 7_245_001;

/** Applies pending migrations; instances starting together take turns through an advisory lock. */
export async function runMigrations(url: string, logger: PinoLogger): Promise<string[]> {
  const options = dataSourceOptions(url);
  const ds = new DataSource({ ...options, extra: { ...options.extra, max: 1 } });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      if (applied.length > 0)
        logger.info({ applied: applied.map((m) => m.name) }, 'migrations applied');
      return applied.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await ds.destroy();
  }
}
