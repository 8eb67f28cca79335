import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { CHAT_EVENTS } from './chat.events.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ChatAccessService } from './chat-access.service.js';
import { ChatNotifier } from './chat-notifier.service.js';
import { ChatController } from './chat.controller.js';
import { ChatGateway } from './chat.gateway.js';
import { ConversationsService } from './conversations.service.js';
import { MessagesService } from './messages.service.js';
import { ConversationsRepository } from './repositories/conversations.repository.js';
import { MessagesRepository } from './repositories/messages.repository.js';
import { TypingService } from './typing.service.js';

/** Conversations, messages, read receipts and typing on channel `chat:{conversationId}`. */
@Module({
  imports: [AuthModule, NotificationsModule],
  providers: [
    ConversationsRepository,
    MessagesRepository,
    ChatAccessService,
    ConversationsService,
    MessagesService,
    TypingService,
    ChatNotifier,
    ChatGateway,
  ],
  controllers: [ChatController],
  exports: [ChatAccessService],
})
export class ChatModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('chat', CHAT_EVENTS);
  }
}
