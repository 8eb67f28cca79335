import type { ModuleSchema } from '../database/module-schema.js';
import { NotificationEntity } from './entities/notification.entity.js';
import { Notifications1763790001000 } from './migrations/1763790001000-notifications.js';

/**
 * The tables of notifications: notifications.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const NOTIFICATIONS_SCHEMA: ModuleSchema = {
  entities: [NotificationEntity],
  migrations: [Notifications1763790001000],
};
