import type { ModuleSchema } from '../database/module-schema.js';
import { AnnouncementEntity } from './entities/announcement.entity.js';
import { Announcements1763800003000 } from './migrations/1763800003000-announcements.js';

/**
 * The tables of announcements: announcements.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const ANNOUNCEMENTS_SCHEMA: ModuleSchema = {
  entities: [AnnouncementEntity],
  migrations: [Announcements1763800003000],
};
