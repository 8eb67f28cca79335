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
  /**
   * Per user and conversation, until when this node knows the window is taken
   * (it claimed it, or another node had): no transaction is spent on a claim
   * that must fail. Without it every message cost one transaction per away
   * participant, window or not: with two nodes, half of every conversation is
   * "away" from each node, and chat throughput fell tenfold.
   */
  private readonly claimedUntil = new Map<string, number>();
  private lastPrune = 0;

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
    const now = Date.now();
    this.prune(now);
    const away = participantIds.filter(
      (id) =>
        id !== sender.id &&
        !this.realtime.isConnectedHere(id) &&
        (this.claimedUntil.get(`${id}:${conversation.id}`) ?? 0) <= now,
    );
    if (away.length === 0) return;
    // Taken at once, while the claim is on its way: the next messages do not ask again.
    const windowMs = this.config.chat.notifyWindowMs;
    if (windowMs > 0)
      for (const id of away) this.claimedUntil.set(`${id}:${conversation.id}`, now + windowMs);
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
    const windowMs = this.config.chat.notifyWindowMs;
    for (const userId of userIds) {
      const key = `${userId}:${conversation.id}`;
      await this.realtime
        .transaction(async (tx) => {
          const claimed = await this.conversations.claimNotification(
            tx.em,
            userId,
            conversation.id,
            windowMs,
          );
          // Refused: another node took the window at some point of it (the mark
          // does not say when): look again a quarter window later.
          if (!claimed) {
            if (windowMs > 0) this.claimedUntil.set(key, Date.now() + windowMs / 4);
            return;
          }
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
        })
        .catch((err: unknown) => {
          // Not claimed after all: the next message tries again.
          this.claimedUntil.delete(key);
          throw err;
        });
    }
  }

  private prune(now: number): void {
    if (now - this.lastPrune < 10_000) return;
    this.lastPrune = now;
    for (const [key, until] of this.claimedUntil) if (until <= now) this.claimedUntil.delete(key);
  }
}

export function preview(content: string): string {
  const chars = [...content];
  return chars.length <= PREVIEW_CHARS ? content : `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}
