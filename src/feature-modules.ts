import type { Type } from '@nestjs/common';
import { AnnouncementsModule } from './announcements/announcements.module.js';
import { ANNOUNCEMENTS_SCHEMA } from './announcements/announcements.schema.js';
import { BoardsModule } from './boards/boards.module.js';
import { BOARDS_SCHEMA } from './boards/boards.schema.js';
import { CalendarModule } from './calendar/calendar.module.js';
import { CALENDAR_SCHEMA } from './calendar/calendar.schema.js';
import { ChatModule } from './chat/chat.module.js';
import { CHAT_SCHEMA } from './chat/chat.schema.js';
import type { ModuleSchema } from './database/module-schema.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { NOTIFICATIONS_SCHEMA } from './notifications/notifications.schema.js';
import { PresenceModule } from './presence/presence.module.js';
import { PRESENCE_SCHEMA } from './presence/presence.schema.js';

/** A feature module and its tables (entities and migrations, in its own folder). */
export interface Feature {
  module: Type<unknown>;
  schema: ModuleSchema;
}

/**
 * The feature modules, one line each: adding a seventh is its folder plus one
 * line here. Each brings one gateway and one controller over one service, its
 * channel policies and event declarations (registered by the module itself),
 * and its schema (src/module-schemas.ts adds it to the data source).
 */
export const FEATURES: readonly Feature[] = [
  { module: NotificationsModule, schema: NOTIFICATIONS_SCHEMA },
  { module: ChatModule, schema: CHAT_SCHEMA },
  { module: BoardsModule, schema: BOARDS_SCHEMA },
  { module: CalendarModule, schema: CALENDAR_SCHEMA },
  { module: PresenceModule, schema: PRESENCE_SCHEMA },
  { module: AnnouncementsModule, schema: ANNOUNCEMENTS_SCHEMA },
];
