import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { pageLimit } from '../common/dto/page.dto.js';
import { GroupCommit } from '../common/group-commit.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { isUuid } from '../common/uuid.js';
import { userChannel } from '../realtime/channels/channel-name.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { ChatAccessService } from './chat-access.service.js';
import { chatChannel } from './chat.events.js';
import { ChatNotifier } from './chat-notifier.service.js';
import { ChatException } from './chat.exception.js';
import { toMessageView } from './chat.views.js';
import type {
  MessagePage,
  MessageView,
  ReadReceiptView,
  ReadStateView,
} from './dto/chat-views.dto.js';
import { EditMessageBody, HistoryQuery, ReadCommand, SendMessageCommand } from './dto/chat.dto.js';
import { ConversationsRepository } from './repositories/conversations.repository.js';
import { MessagesRepository } from './repositories/messages.repository.js';

interface SendJob {
  user: AuthUser;
  dto: SendMessageCommand;
}

/** Messages, history and read receipts. Every write appends its event in the same transaction. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly db: DataSource,
    private readonly realtime: RealtimeService,
    private readonly access: ChatAccessService,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly notifier: ChatNotifier,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
  ) {}

  /**
   * Sends a message (`chat.message.created` on `chat:{id}`). With a clientMsgId
   * already used by this sender, returns that first message with
   * `created: false` and publishes nothing.
   *
   * Sends are group-committed: those that arrive while a batch is being
   * written share the next transaction. The ack still comes after the commit,
   * and a conversation's messages still take `seq` and channel offsets in the
   * order they arrived.
   */
  async send(user: AuthUser, dto: SendMessageCommand): Promise<CreatedOrExisting<MessageView>> {
    if (!isUuid(dto.conversationId)) throw ChatException.notParticipant();
    return this.sends.submit({ user, dto });
  }

  private readonly sends = new GroupCommit<SendJob, CreatedOrExisting<MessageView>>(
    (jobs) => this.sendBatch(jobs),
    (job) => this.sendOne(job.user, job.dto),
  );

  /**
   * One transaction for a batch: the conversations are locked (in id order),
   * then one statement checks membership, takes the `seq` numbers and inserts,
   * and one more appends the events. Sends it leaves out (not a participant,
   * clientMsgId already used) go through `sendOne`, which answers them exactly.
   */
  private async sendBatch(
    jobs: SendJob[],
  ): Promise<(CreatedOrExisting<MessageView> | undefined)[]> {
    try {
      return await this.realtime.transaction(async (tx) => {
        await this.messages.lockConversations(
          tx.em,
          jobs.map((j) => j.dto.conversationId),
        );
        const rows = await this.messages.insertBatch(
          tx.em,
          jobs.map((j) => ({
            conversationId: j.dto.conversationId,
            senderId: j.user.id,
            content: j.dto.content,
            contentType: j.dto.contentType ?? 'text',
            clientMsgId: j.dto.clientMsgId ?? null,
          })),
        );
        const views = rows.map(toMessageView);
        await tx.appendAll(
          views.map((message) => ({
            channel: chatChannel(message.conversationId),
            event: 'chat.message.created',
            data: message,
          })),
        );
        const results = new Map<SendJob, CreatedOrExisting<MessageView>>();
        rows.forEach((row, k) => {
          const job = jobs[Number(row.n) - 1];
          results.set(job, new CreatedOrExisting(views[k], true));
          const conversation = { id: row.conversation_id, kind: row.kind, title: row.title };
          tx.afterCommit(() =>
            this.notifier.messageCreated(job.user, conversation, views[k], row.participant_ids),
          );
        });
        return jobs.map((j) => results.get(j));
      });
    } catch (err) {
      this.logger.warn({ err, sends: jobs.length }, 'chat send batch failed; sending one by one');
      throw err;
    }
  }

  /** One send in its own transaction: the path for whatever a batch left out. */
  private async sendOne(
    user: AuthUser,
    dto: SendMessageCommand,
  ): Promise<CreatedOrExisting<MessageView>> {
    const clientMsgId = dto.clientMsgId ?? null;
    return this.realtime.transaction(async (tx): Promise<CreatedOrExisting<MessageView>> => {
      if (clientMsgId !== null) {
        const first = await this.messages.findByClientMsgId(tx.em, user.id, clientMsgId);
        if (first) {
          await this.access.assertParticipant(user, first.conversation_id);
          return this.retried(first, dto.conversationId);
        }
      }
      // The conversation row is locked from here to commit: sends of one
      // conversation commit in `seq` order, and a participant removal (which
      // locks it too) cannot interleave with this check.
      const seq = await this.messages.nextSeq(tx.em, dto.conversationId);
      if (seq === null || !(await this.access.isParticipant(dto.conversationId, user.id, tx.em)))
        throw ChatException.notParticipant();
      const row = await this.messages.insert(tx.em, {
        conversationId: dto.conversationId,
        seq,
        senderId: user.id,
        content: dto.content,
        contentType: dto.contentType ?? 'text',
        clientMsgId,
      });
      if (row === null) {
        // A concurrent retry with the same clientMsgId committed first.
        const first = await this.messages.findByClientMsgId(tx.em, user.id, clientMsgId!);
        return this.retried(first!, dto.conversationId);
      }
      await this.conversations.advanceRead(tx.em, dto.conversationId, user.id, row.seq, row.id);
      const message = toMessageView(row);
      await tx.append(chatChannel(dto.conversationId), 'chat.message.created', message);
      const [conversation, participantIds] = await Promise.all([
        this.conversations.find(tx.em, dto.conversationId),
        this.conversations.participantIds(tx.em, dto.conversationId),
      ]);
      tx.afterCommit(() =>
        this.notifier.messageCreated(user, conversation!, message, participantIds),
      );
      return new CreatedOrExisting(message, true);
    });
  }

  async history(user: AuthUser, conversationId: string, q: HistoryQuery): Promise<MessagePage> {
    await this.access.assertParticipant(user, conversationId);
    const limit = pageLimit(q);
    const before = await this.beforeSeq(conversationId, q.before);
    const rows = await this.messages.page(conversationId, before, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map(toMessageView),
      nextCursor: rows.length > limit ? page[page.length - 1].seq : null,
    };
  }

  /** Sender only; the message keeps its place and gets `editedAt`. */
  async edit(user: AuthUser, messageId: string, dto: EditMessageBody): Promise<MessageView> {
    return this.realtime.transaction(async (tx) => {
      const row = isUuid(messageId) ? await this.messages.find(tx.em, messageId, true) : null;
      if (!row) throw ChatException.notParticipant();
      await this.access.assertParticipant(user, row.conversation_id, tx.em);
      if (row.sender_id !== user.id) throw ChatException.notSender();
      if (row.deleted_at !== null) throw ChatException.messageDeleted(toMessageView(row));
      const updated = await this.messages.updateContent(
        tx.em,
        messageId,
        dto.content,
        dto.contentType ?? row.content_type,
      );
      const message = toMessageView(updated);
      await tx.append(chatChannel(row.conversation_id), 'chat.message.updated', message);
      return message;
    });
  }

  /**
   * The sender, or an admin, deletes: a tombstone stays so history pages stay
   * stable. Deleting a tombstone again changes and publishes nothing.
   */
  async delete(user: AuthUser, messageId: string): Promise<MessageView> {
    return this.realtime.transaction(async (tx) => {
      const row = isUuid(messageId) ? await this.messages.find(tx.em, messageId, true) : null;
      if (!row) throw ChatException.notParticipant();
      if (user.role !== 'admin') {
        await this.access.assertParticipant(user, row.conversation_id, tx.em);
        if (row.sender_id !== user.id) throw ChatException.notSender();
      }
      if (row.deleted_at !== null) return toMessageView(row);
      const message = toMessageView(await this.messages.tombstone(tx.em, messageId));
      await tx.append(chatChannel(row.conversation_id), 'chat.message.deleted', message);
      return message;
    });
  }

  /**
   * Moves the reader's cursor forward (never back). When it moved, `chat.read`
   * goes to the conversation and to the reader's own `user:{id}` (their other
   * devices update their unread badges).
   */
  async read(user: AuthUser, dto: ReadCommand): Promise<ReadStateView> {
    return this.realtime.transaction(async (tx) => {
      await this.access.assertParticipant(user, dto.conversationId);
      const seq = await this.messages.seqIn(tx.em, dto.conversationId, dto.messageId);
      if (seq === null) throw ChatException.messageNotInConversation();
      // The UPDATE locks the reader's row: concurrent reads of two devices serialise here.
      const moved = await this.conversations.advanceRead(
        tx.em,
        dto.conversationId,
        user.id,
        seq,
        dto.messageId,
      );
      if (moved) {
        const receipt: ReadReceiptView = {
          conversationId: dto.conversationId,
          userId: user.id,
          messageId: dto.messageId,
          readAt: new Date().toISOString(),
        };
        await tx.append(chatChannel(dto.conversationId), 'chat.read', receipt);
        await tx.append(userChannel(user.id), 'chat.read', receipt);
      }
      const state = await this.conversations.readState(tx.em, dto.conversationId, user.id);
      return {
        conversationId: dto.conversationId,
        lastReadMessageId: state.lastReadMessageId,
        unreadCount: await this.conversations.unreadCount(tx.em, dto.conversationId, user.id),
      };
    });
  }

  private retried(
    first: Parameters<typeof toMessageView>[0],
    conversationId: string,
  ): CreatedOrExisting<MessageView> {
    const message = toMessageView(first);
    if (first.conversation_id !== conversationId) throw ChatException.clientMsgIdReused(message);
    return new CreatedOrExisting(message, false);
  }

  /** The cursor is the `seq` of the last message of the previous page (a message id works too). */
  private async beforeSeq(
    conversationId: string,
    before: string | undefined,
  ): Promise<string | undefined> {
    if (before === undefined) return undefined;
    if (/^\d{1,18}$/.test(before)) return before;
    if (isUuid(before)) {
      const seq = await this.messages.seqIn(this.db, conversationId, before);
      if (seq !== null) return seq;
    }
    throw ChatException.badCursor('before');
  }
}
