import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import type { MessageView } from './dto/chat-views.dto.js';
import {
  ConversationsRepository,
  type ConversationRow,
} from './repositories/conversations.repository.js';

const PREVIEW_CHARS = 140;

/**
 * Turns new messages into notifications for participants who are away: those
 * with no open session (socket or event stream) on this node. At most one
 * notification per conversation and user per CHAT_NOTIFY_WINDOW_MS (1 minute).
 *
 * Multi-node: "no session here" is only what this node knows; a user connected
 * to another node can get a notification too (it reaches them live on
 * `user:{id}`). We prefer a duplicate nudge to a missed one.
 */
@Injectable()
export class ChatNotifier {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly notifications: NotificationsService,
    private readonly conversations: ConversationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
  ) {}

  /** Runs after the message committed; never fails the send. */
  messageCreated(
    sender: AuthUser,
    conversation: Pick<ConversationRow, 'id' | 'kind' | 'title'>,
    message: MessageView,
    participantIds: string[],
  ): void {
    const away = participantIds.filter(
      (id) => id !== sender.id && !this.realtime.isConnectedHere(id),
    );
    if (away.length === 0) return;
    this.notify(sender, conversation, message, away).catch((err: unknown) =>
      this.logger.warn({ err, conversationId: conversation.id }, 'chat notification failed'),
    );
  }

  private async notify(
    sender: AuthUser,
    conversation: Pick<ConversationRow, 'id' | 'kind' | 'title'>,
    message: MessageView,
    userIds: string[],
  ): Promise<void> {
    const title =
      conversation.kind === 'group' && conversation.title
        ? `${sender.displayName} in ${conversation.title}`
        : `New message from ${sender.displayName}`;
    const body = preview(message.content);
    for (const userId of userIds) {
      await this.realtime.transaction(async (tx) => {
        const claimed = await this.conversations.claimNotification(
          tx.em,
          userId,
          conversation.id,
          this.config.chat.notifyWindowMs,
        );
        if (!claimed) return;
        await this.notifications.create(
          {
            userId,
            type: 'chat.message',
            title,
            body,
            link: `/conversations/${conversation.id}`,
            entity: { type: 'conversation', id: conversation.id },
          },
          tx,
        );
      });
    }
  }
}

export function preview(content: string): string {
  const chars = [...content];
  return chars.length <= PREVIEW_CHARS ? content : `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}
