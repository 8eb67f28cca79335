import type { ModuleSchema } from '../database/module-schema.js';
import { UserPresenceEntity } from './entities/user-presence.entity.js';
import { Presence1763800002000 } from './migrations/1763800002000-presence.js';

/**
 * The tables of presence: the last-seen row of each user.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const PRESENCE_SCHEMA: ModuleSchema = {
  entities: [UserPresenceEntity],
  migrations: [Presence1763800002000],
};
