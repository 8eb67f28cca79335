import { ANNOUNCEMENTS_SCHEMA } from './announcements/announcements.schema.js';
import { AUTH_SCHEMA } from './auth/auth.schema.js';
import { BOARDS_SCHEMA } from './boards/boards.schema.js';
import { CALENDAR_SCHEMA } from './calendar/calendar.schema.js';
import { CHAT_SCHEMA } from './chat/chat.schema.js';
import type { ModuleSchema } from './database/module-schema.js';
import { NOTIFICATIONS_SCHEMA } from './notifications/notifications.schema.js';
import { PRESENCE_SCHEMA } from './presence/presence.schema.js';
import { REALTIME_SCHEMA } from './realtime/realtime.schema.js';

/**
 * The database schema of every module: the core (auth, the realtime kernel's
 * channel log), then one line per feature module of FEATURE_MODULES. The data
 * source takes its entities and migrations from here (migrations ordered by
 * timestamp, so the order of these lines does not matter).
 */
export const MODULE_SCHEMAS: readonly ModuleSchema[] = [
  AUTH_SCHEMA,
  REALTIME_SCHEMA,
  NOTIFICATIONS_SCHEMA,
  CHAT_SCHEMA,
  BOARDS_SCHEMA,
  CALENDAR_SCHEMA,
  PRESENCE_SCHEMA,
  ANNOUNCEMENTS_SCHEMA,
];
