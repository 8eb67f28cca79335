import type { DataSourceOptions } from 'typeorm';
import { MODULE_SCHEMAS } from '../module-schemas.js';
import { combineSchemas } from './module-schema.js';

/** Computed once: the same classes for every data source of the process. */
const { entities, migrations } = combineSchemas(MODULE_SCHEMAS);

/** One place for the TypeORM options of the app, the migration script and the tests. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: false,
    extra: { max: 20, application_name: 'realtime-backend' },
  };
}
