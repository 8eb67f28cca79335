import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { isUuid } from '../common/uuid.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { chatChannel } from './chat.events.js';
import { ChatException } from './chat.exception.js';
import { ConversationsRepository } from './repositories/conversations.repository.js';

/** A session following "all my conversations" joins at most this many (the most recent). */
const MAX_FOLLOWED_CONVERSATIONS = 1000;

/**
 * The one place that decides who may read and write a conversation: its
 * participants. Backs the `chat` channel policy (subscribe, SSE, HTTP recovery,
 * the ChannelAccess guard of both transports) and the services' own checks.
 */
@Injectable()
export class ChatAccessService implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly conversations: ConversationsRepository,
    private readonly realtime: RealtimeService,
  ) {}

  onModuleInit(): void {
    this.realtime.registerPolicy({
      prefix: 'chat',
      needsId: true,
      canSubscribe: (user, id) =>
        user !== null && id !== undefined && this.isParticipant(id, user.id),
    });
    // "Every conversation of mine" (STOMP's /user/queue/messages): the ones the
    // user is in now, then those announced on their user channel.
    this.realtime.registerUserChannels('conversations', {
      list: async (userId) =>
        (await this.conversations.idsOf(userId, MAX_FOLLOWED_CONVERSATIONS)).map(chatChannel),
      change: (event, data, userId) => {
        if (event === 'chat.conversation.created') {
          const joined = data as { id: string; channelOffset?: number };
          return { joined: chatChannel(joined.id), since: joined.channelOffset };
        }
        if (event === 'chat.participant.removed') {
          const removed = data as { conversationId: string; userId: string };
          if (removed.userId === userId) return { left: chatChannel(removed.conversationId) };
        }
        return null;
      },
    });
  }

  /** False for ids that are not UUIDs or conversations that do not exist. */
  async isParticipant(
    conversationId: string,
    userId: string,
    em?: EntityManager,
    lock = false,
  ): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    return this.conversations.isParticipant(em ?? this.db, conversationId, userId, lock);
  }

  /**
   * Throws FORBIDDEN unless the user takes part. Given a transaction's manager,
   * the membership row stays share-locked until commit (a concurrent removal
   * waits for this write).
   */
  async assertParticipant(
    user: AuthUser,
    conversationId: string,
    em?: EntityManager,
  ): Promise<void> {
    if (!(await this.isParticipant(conversationId, user.id, em, em !== undefined)))
      throw ChatException.notParticipant();
  }
}
