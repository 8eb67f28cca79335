import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { UsersRepository } from '../auth/repositories/users.repository.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { pageLimit } from '../common/dto/page.dto.js';
import { InviteLimiter } from '../common/rate-limit/invite-limiter.js';
import { isUuid } from '../common/uuid.js';
import { userChannel } from '../realtime/channels/channel-name.js';
import { RealtimeService, RealtimeTx } from '../realtime/realtime.service.js';
import { ChatAccessService } from './chat-access.service.js';
import { chatChannel } from './chat.events.js';
import { ChatException } from './chat.exception.js';
import type { ConversationPage, ConversationView } from './dto/chat-views.dto.js';
import { byConversation, toConversationView, toMessageView } from './chat.views.js';
import {
  AddParticipantsBody,
  CreateConversationBody,
  ListConversationsQuery,
  MAX_GROUP_PARTICIPANTS,
} from './dto/chat.dto.js';
import { ConversationsRepository } from './repositories/conversations.repository.js';
import { MessagesRepository } from './repositories/messages.repository.js';
import { TypingService } from './typing.service.js';

/** Conversations and their participants. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly access: ChatAccessService,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly users: UsersRepository,
    private readonly typing: TypingService,
    private readonly invites: InviteLimiter,
  ) {}

  /**
   * One other participant and no title: the direct conversation of the pair
   * (`created: false` when it exists). Otherwise a new group owned by the caller.
   */
  async create(
    user: AuthUser,
    dto: CreateConversationBody,
  ): Promise<CreatedOrExisting<ConversationView>> {
    const others = [...new Set(dto.participantIds.map((id) => id.toLowerCase()))].filter(
      (id) => id !== user.id,
    );
    if (others.length === 0)
      throw ChatException.invalidParticipants('participantIds must name someone other than you');
    if (others.length + 1 > MAX_GROUP_PARTICIPANTS)
      throw ChatException.groupFull(MAX_GROUP_PARTICIPANTS);
    return this.realtime.transaction(async (tx) => {
      await this.assertUsersExist(tx.em, 'participantIds', others);
      if (others.length === 1 && dto.title === undefined)
        return this.createDirect(tx, user, others[0]);
      this.invites.spend(user.id, others.length);
      const id = await this.conversations.insertGroup(tx.em, dto.title ?? '', user.id);
      await this.conversations.addParticipants(tx.em, id, [user.id, ...others]);
      const conversation = await this.view(tx.em, id);
      await this.announce(tx, conversation, conversation.participantIds, 0);
      return new CreatedOrExisting(conversation, true);
    });
  }

  async listMine(user: AuthUser, q: ListConversationsQuery): Promise<ConversationPage> {
    const limit = pageLimit(q);
    const rows = await this.conversations.listMine(user.id, limit + 1, decodeListCursor(q.cursor));
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const [participants, latest] = await Promise.all([
      this.conversations.participantsOf(ids),
      this.messages.latestOf(ids),
    ]);
    const grouped = byConversation(participants);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => {
        const lastMessage = latest.get(r.id);
        return {
          ...toConversationView(r, grouped.get(r.id) ?? []),
          lastMessage: lastMessage ? toMessageView(lastMessage) : null,
          unreadCount: Number(r.unread_count),
          lastReadMessageId: r.last_read_message_id,
        };
      }),
      nextCursor: rows.length > limit ? encodeListCursor(last.activity_us, last.id) : null,
    };
  }

  /**
   * Group owner only. New participants learn of the conversation on their
   * `user:{id}`. Created when someone was added; existing when every one of
   * them was a participant already (nothing is published then).
   */
  async addParticipants(
    user: AuthUser,
    conversationId: string,
    dto: AddParticipantsBody,
  ): Promise<CreatedOrExisting<ConversationView>> {
    const userIds = [...new Set(dto.userIds.map((id) => id.toLowerCase()))];
    return this.realtime.transaction(async (tx) => {
      const conv = await this.lockAsParticipant(tx.em, user, conversationId);
      if (conv.kind === 'direct') throw ChatException.directConversation();
      if (conv.owner_id !== user.id) throw ChatException.notOwner();
      await this.assertUsersExist(tx.em, 'userIds', userIds);
      const members = new Set(await this.conversations.participantIds(tx.em, conversationId));
      if (members.size + userIds.filter((u) => !members.has(u)).length > MAX_GROUP_PARTICIPANTS)
        throw ChatException.groupFull(MAX_GROUP_PARTICIPANTS);
      const added = await this.conversations.addParticipants(tx.em, conversationId, userIds);
      // Refused: the transaction rolls back, nobody is added.
      this.invites.spend(user.id, added.length);
      const conversation = await this.view(tx.em, conversationId);
      if (added.length > 0) {
        const joined = await tx.append(chatChannel(conversationId), 'chat.participant.added', {
          conversationId,
          userIds: added,
          by: user.id,
        });
        await this.announce(tx, conversation, added, joined.offset!);
      }
      return new CreatedOrExisting(conversation, added.length > 0);
    });
  }

  /**
   * The group owner removes anyone; anyone may remove themselves (leave). The
   * removed user's `chat:{id}` subscriptions end at once, on every node.
   */
  async removeParticipant(user: AuthUser, conversationId: string, userId: string): Promise<void> {
    await this.realtime.transaction(async (tx) => {
      const conv = await this.lockAsParticipant(tx.em, user, conversationId);
      const target = userId.toLowerCase();
      if (conv.kind === 'direct') throw ChatException.directConversation();
      if (target !== user.id && conv.owner_id !== user.id) throw ChatException.notOwner();
      if (
        !isUuid(target) ||
        !(await this.conversations.removeParticipant(tx.em, conversationId, target))
      )
        throw ChatException.notAParticipantToRemove();
      let ownerId = conv.owner_id;
      if (target === conv.owner_id) {
        ownerId = await this.conversations.oldestParticipant(tx.em, conversationId);
        await this.conversations.setOwner(tx.em, conversationId, ownerId);
      }
      const data = { conversationId, userId: target, by: user.id, ownerId };
      await tx.append(chatChannel(conversationId), 'chat.participant.removed', data);
      await tx.append(userChannel(target), 'chat.participant.removed', data);
      tx.afterCommit(() => {
        this.realtime.revokeEverywhere(target, chatChannel(conversationId));
        this.typing.forget(conversationId, target);
      });
    });
  }

  private async createDirect(
    tx: RealtimeTx,
    user: AuthUser,
    other: string,
  ): Promise<CreatedOrExisting<ConversationView>> {
    const [a, b] = user.id < other ? [user.id, other] : [other, user.id];
    const id = await this.conversations.insertDirect(tx.em, a, b);
    if (id === null) {
      // It exists (perhaps committed by a concurrent request a moment ago).
      const existing = await this.conversations.findDirect(tx.em, a, b);
      return new CreatedOrExisting(await this.view(tx.em, existing!), false);
    }
    this.invites.spend(user.id, 1);
    await this.conversations.addParticipants(tx.em, id, [user.id, other]);
    const conversation = await this.view(tx.em, id);
    await this.announce(tx, conversation, [user.id, other], 0);
    return new CreatedOrExisting(conversation, true);
  }

  /**
   * `chat.conversation.created` on each user's own channel, with where the
   * conversation's channel stood (a new one: 0). Sorted, so that two
   * transactions lock the channels' offset rows in the same order.
   */
  private async announce(
    tx: RealtimeTx,
    conversation: ConversationView,
    userIds: string[],
    channelOffset: number,
  ) {
    for (const id of [...userIds].sort())
      await tx.append(userChannel(id), 'chat.conversation.created', {
        ...conversation,
        channelOffset,
      });
  }

  private async lockAsParticipant(em: EntityManager, user: AuthUser, conversationId: string) {
    if (!isUuid(conversationId)) throw ChatException.notParticipant();
    const conv = await this.conversations.lock(em, conversationId);
    if (!conv || !(await this.access.isParticipant(conversationId, user.id, em)))
      throw ChatException.notParticipant();
    return conv;
  }

  private async assertUsersExist(em: EntityManager, field: string, ids: string[]): Promise<void> {
    const found = await this.users.existingIds(em, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw ChatException.unknownUsers(field, missing);
  }

  private async view(em: EntityManager, id: string): Promise<ConversationView> {
    const row = await this.conversations.find(em, id);
    const participants = await this.conversations.participantsOf([id], em);
    return toConversationView(row!, participants);
  }
}

/** The list cursor: the last item's activity time (µs) and id. */
function encodeListCursor(activityUs: string, id: string): string {
  return Buffer.from(`${activityUs}_${id}`).toString('base64url');
}

function decodeListCursor(
  cursor: string | undefined,
): { activityUs: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,20})_([0-9a-f-]{36})$/.exec(text);
  if (!m || !isUuid(m[2])) throw ChatException.badCursor('cursor');
  return { activityUs: m[1], id: m[2] };
}
