import { AuthSessionEntity } from '../auth/entities/auth-session.entity.js';
import { RefreshTokenEntity } from '../auth/entities/refresh-token.entity.js';
import { UserEntity } from '../auth/entities/user.entity.js';
import { BoardCardEntity } from '../boards/entities/board-card.entity.js';
import { BoardColumnEntity } from '../boards/entities/board-column.entity.js';
import { BoardMemberEntity } from '../boards/entities/board-member.entity.js';
import { BoardEntity } from '../boards/entities/board.entity.js';
import { ChatNotificationMarkEntity } from '../chat/entities/chat-notification-mark.entity.js';
import { ConversationParticipantEntity } from '../chat/entities/conversation-participant.entity.js';
import { ConversationEntity } from '../chat/entities/conversation.entity.js';
import { MessageEntity } from '../chat/entities/message.entity.js';
import { NotificationEntity } from '../notifications/entities/notification.entity.js';
import { CalendarEntity } from '../calendar/entities/calendar.entity.js';
import { CalendarShareEntity } from '../calendar/entities/calendar-share.entity.js';
import { CalendarEventEntity } from '../calendar/entities/calendar-event.entity.js';
import { CalendarReminderEntity } from '../calendar/entities/calendar-reminder.entity.js';
import { UserPresenceEntity } from '../presence/entities/user-presence.entity.js';
import { AnnouncementEntity } from '../announcements/entities/announcement.entity.js';

/** Every entity of the app, registered once with the data source. */
export const ENTITIES = [
  UserEntity,
  AuthSessionEntity,
  RefreshTokenEntity,
  ConversationEntity,
  ConversationParticipantEntity,
  MessageEntity,
  ChatNotificationMarkEntity,
  NotificationEntity,
  BoardEntity,
  BoardMemberEntity,
  BoardColumnEntity,
  BoardCardEntity,
  CalendarEntity,
  CalendarShareEntity,
  CalendarEventEntity,
  CalendarReminderEntity,
  UserPresenceEntity,
  AnnouncementEntity,
];
