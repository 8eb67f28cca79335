import { AUTH_SCHEMA } from './auth/auth.schema.js';
import type { ModuleSchema } from './database/module-schema.js';
import { FEATURES } from './feature-modules.js';
import { REALTIME_SCHEMA } from './realtime/realtime.schema.js';

/**
 * The database schema of every module: the core (auth, the realtime kernel's
 * channel log), then each feature module's, as FEATURES registers it. The data
 * source takes its entities and migrations from here (migrations ordered by
 * timestamp, so the order of the modules does not matter).
 */
export const MODULE_SCHEMAS: readonly ModuleSchema[] = [
  AUTH_SCHEMA,
  REALTIME_SCHEMA,
  ...FEATURES.map((f) => f.schema),
];
