import type { ModuleSchema } from '../database/module-schema.js';
import { ChannelLog1763780000000 } from './migrations/1763780000000-channel-log.js';

/**
 * The tables of realtime: the channel log (channel_offsets, channel_events). The kernel
 * reads and writes them in SQL, so no entity.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const REALTIME_SCHEMA: ModuleSchema = {
  entities: [],
  migrations: [ChannelLog1763780000000],
};
