import type { DynamicModule, Type } from '@nestjs/common';
import { BoardsModule } from './boards/boards.module.js';
import { ChatModule } from './chat/chat.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { CalendarModule } from './calendar/calendar.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { AnnouncementsModule } from './announcements/announcements.module.js';

/**
 * The feature modules (chat, notifications, boards, calendar, presence,
 * announcements). Each brings one gateway and one controller over one service.
 */
export const FEATURE_MODULES: (Type<unknown> | DynamicModule)[] = [
  NotificationsModule,
  ChatModule,
  BoardsModule,
  CalendarModule,
  PresenceModule,
  AnnouncementsModule,
];
