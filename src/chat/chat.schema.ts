import type { ModuleSchema } from '../database/module-schema.js';
import { ChatNotificationMarkEntity } from './entities/chat-notification-mark.entity.js';
import { ConversationParticipantEntity } from './entities/conversation-participant.entity.js';
import { ConversationEntity } from './entities/conversation.entity.js';
import { MessageEntity } from './entities/message.entity.js';
import { Chat1763790000000 } from './migrations/1763790000000-chat.js';

/**
 * The tables of chat: conversations, participants, messages and notification marks.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const CHAT_SCHEMA: ModuleSchema = {
  entities: [
    ChatNotificationMarkEntity,
    ConversationParticipantEntity,
    ConversationEntity,
    MessageEntity,
  ],
  migrations: [Chat1763790000000],
};
