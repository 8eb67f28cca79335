import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../common/sql-rows.js';
import type { ConversationKind } from '../entities/conversation.entity.js';
import type { ContentType } from '../entities/message.entity.js';

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: string;
  sender_id: string;
  content: string;
  content_type: ContentType;
  client_msg_id: string | null;
  edited_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
}

type Db = EntityManager | DataSource;

export interface NewMessage {
  conversationId: string;
  senderId: string;
  content: string;
  contentType: ContentType;
  clientMsgId: string | null;
}

/** A message inserted by `insertBatch`: `n` is its 1-based place in the batch. */
export interface BatchRow extends MessageRow {
  n: string;
  kind: ConversationKind;
  title: string | null;
  participant_ids: string[];
}

const COLUMNS = `id, conversation_id, seq, sender_id, content, content_type, client_msg_id,
  edited_at, deleted_at, created_at`;

/** SQL of messages. History is keyset-paged on the per-conversation `seq`. */
@Injectable()
export class MessagesRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Takes the conversation's next sequence number and marks its activity. The
   * conversation row stays locked until commit, so a conversation's messages
   * commit in sequence order.
   */
  async nextSeq(em: EntityManager, conversationId: string): Promise<string | null> {
    const rows: { last_seq: string }[] = await queryRows(
      em,
      `UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = now(), updated_at = now()
        WHERE id = $1 RETURNING last_seq`,
      [conversationId],
    );
    return rows[0]?.last_seq ?? null;
  }

  /** Inserts, or returns null when the sender already used this clientMsgId (a concurrent retry). */
  async insert(
    em: EntityManager,
    m: {
      conversationId: string;
      seq: string;
      senderId: string;
      content: string;
      contentType: ContentType;
      clientMsgId: string | null;
    },
  ): Promise<MessageRow | null> {
    const rows: MessageRow[] = await queryRows(
      em,
      `INSERT INTO messages (conversation_id, seq, sender_id, content, content_type, client_msg_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [m.conversationId, m.seq, m.senderId, m.content, m.contentType, m.clientMsgId],
    );
    return rows[0] ?? null;
  }

  /**
   * Locks the conversations of a batch of sends, in id order: two batches (or a
   * batch and a participant change) never wait on each other in a cycle.
   */
  async lockConversations(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(
      'SELECT id FROM conversations WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [[...new Set(ids)]],
    );
  }

  /**
   * Inserts a batch of messages in one statement, inside a transaction that
   * holds their conversations' locks (`lockConversations` first). A send is
   * left out, and gets no row, when its sender is not a participant or already
   * used its clientMsgId: the caller handles those one by one. Every other send
   * gets the next `seq` of its conversation in batch order, and moves its
   * sender's read cursor (what I send, I have read).
   */
  async insertBatch(em: EntityManager, sends: readonly NewMessage[]): Promise<BatchRow[]> {
    return queryRows<BatchRow>(
      em,
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
           WITH ORDINALITY AS t(conversation_id, sender_id, content, content_type, client_msg_id, n)),
       ok AS (
         SELECT i.*, row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.n) AS k
           FROM input i
          WHERE EXISTS (SELECT 1 FROM conversation_participants p
                         WHERE p.conversation_id = i.conversation_id AND p.user_id = i.sender_id)
            AND (i.client_msg_id IS NULL OR NOT EXISTS (
                  SELECT 1 FROM messages m
                   WHERE m.sender_id = i.sender_id AND m.client_msg_id = i.client_msg_id))),
       bumped AS (
         UPDATE conversations c
            SET last_seq = c.last_seq + x.cnt, last_activity_at = now(), updated_at = now()
           FROM (SELECT conversation_id, count(*) AS cnt FROM ok GROUP BY conversation_id) x
          WHERE c.id = x.conversation_id
         RETURNING c.id, c.last_seq, x.cnt, c.kind, c.title),
       numbered AS (
         SELECT ok.*, b.last_seq - b.cnt + ok.k AS seq, b.kind, b.title
           FROM ok JOIN bumped b ON b.id = ok.conversation_id),
       ins AS (
         INSERT INTO messages (conversation_id, seq, sender_id, content, content_type, client_msg_id)
         SELECT conversation_id, seq, sender_id, content, content_type, client_msg_id
           FROM numbered ORDER BY n
         ON CONFLICT (sender_id, client_msg_id) WHERE client_msg_id IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS}),
       readers AS (
         UPDATE conversation_participants p
            SET last_read_seq = r.seq, last_read_message_id = r.id, updated_at = now()
           FROM (SELECT DISTINCT ON (conversation_id, sender_id) conversation_id, sender_id, seq, id
                   FROM ins ORDER BY conversation_id, sender_id, seq DESC) r
          WHERE p.conversation_id = r.conversation_id AND p.user_id = r.sender_id
            AND p.last_read_seq < r.seq)
       SELECT numbered.n, numbered.kind, numbered.title, ins.*,
              ARRAY(SELECT p.user_id FROM conversation_participants p
                     WHERE p.conversation_id = ins.conversation_id) AS participant_ids
         FROM ins JOIN numbered ON numbered.conversation_id = ins.conversation_id AND numbered.seq = ins.seq
        ORDER BY numbered.n`,
      [
        sends.map((m) => m.conversationId),
        sends.map((m) => m.senderId),
        sends.map((m) => m.content),
        sends.map((m) => m.contentType),
        sends.map((m) => m.clientMsgId),
      ],
    );
  }

  async findByClientMsgId(
    db: Db,
    senderId: string,
    clientMsgId: string,
  ): Promise<MessageRow | null> {
    const rows: MessageRow[] = await queryRows(
      db,
      `SELECT ${COLUMNS} FROM messages WHERE sender_id = $1 AND client_msg_id = $2`,
      [senderId, clientMsgId],
    );
    return rows[0] ?? null;
  }

  async find(db: Db, id: string, forUpdate = false): Promise<MessageRow | null> {
    const rows: MessageRow[] = await queryRows(
      db,
      `SELECT ${COLUMNS} FROM messages WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async updateContent(
    em: EntityManager,
    id: string,
    content: string,
    contentType: ContentType,
  ): Promise<MessageRow> {
    const rows: MessageRow[] = await queryRows(
      em,
      `UPDATE messages SET content = $2, content_type = $3, edited_at = now(), updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, content, contentType],
    );
    return rows[0];
  }

  /** Leaves a tombstone: same id and place in history, no content. */
  async tombstone(em: EntityManager, id: string): Promise<MessageRow> {
    const rows: MessageRow[] = await queryRows(
      em,
      `UPDATE messages SET content = '', deleted_at = now(), updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0];
  }

  /** Newest first: messages with seq < `beforeSeq` (all when undefined). */
  page(
    conversationId: string,
    beforeSeq: string | undefined,
    limit: number,
  ): Promise<MessageRow[]> {
    return beforeSeq === undefined
      ? queryRows(
          this.db,
          `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2`,
          [conversationId, limit],
        )
      : queryRows(
          this.db,
          `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $3
            ORDER BY seq DESC LIMIT $2`,
          [conversationId, limit, beforeSeq],
        );
  }

  /** The latest message of each conversation (tombstones included). */
  async latestOf(conversationIds: string[]): Promise<Map<string, MessageRow>> {
    if (conversationIds.length === 0) return new Map();
    const rows: MessageRow[] = await queryRows(
      this.db,
      `SELECT m.* FROM unnest($1::uuid[]) AS c(id)
         CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM messages
                              WHERE conversation_id = c.id ORDER BY seq DESC LIMIT 1) m`,
      [conversationIds],
    );
    return new Map(rows.map((r) => [r.conversation_id, r]));
  }

  async seqIn(db: Db, conversationId: string, messageId: string): Promise<string | null> {
    const rows: { seq: string }[] = await queryRows(
      db,
      `SELECT seq FROM messages WHERE id = $1 AND conversation_id = $2`,
      [messageId, conversationId],
    );
    return rows[0]?.seq ?? null;
  }
}
