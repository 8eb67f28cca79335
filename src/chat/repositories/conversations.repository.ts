import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../common/sql-rows.js';

export interface ConversationRow {
  id: string;
  kind: 'direct' | 'group';
  title: string | null;
  owner_id: string | null;
  last_seq: string;
  last_activity_at: Date;
  created_at: Date;
}

export interface ParticipantRow {
  conversation_id: string;
  user_id: string;
  display_name: string;
  created_at: Date;
}

/** A row of the caller's conversation list, with the read state and the activity cursor. */
export interface MyConversationRow extends ConversationRow {
  last_read_seq: string;
  last_read_message_id: string | null;
  unread_count: string;
  /** last_activity_at in microseconds since the epoch (exact, for the cursor). */
  activity_us: string;
}

type Db = EntityManager | DataSource;

/**
 * Unread counts stop at this many: counting half a million unread messages
 * takes ~150 ms, a capped count (an ordered index range scan that stops early)
 * about 1 ms. Clients show "999+".
 */
export const UNREAD_COUNT_CAP = 1000;

const CONVERSATION_COLUMNS = `c.id, c.kind, c.title, c.owner_id, c.last_seq, c.last_activity_at, c.created_at`;

/** SQL of conversations and their participants. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly db: DataSource) {}

  /** Creates the direct conversation of an ordered pair, or returns null when it already exists. */
  async insertDirect(em: EntityManager, a: string, b: string): Promise<string | null> {
    const rows: { id: string }[] = await queryRows(
      em,
      `INSERT INTO conversations (kind, direct_user_a, direct_user_b) VALUES ('direct', $1, $2)
       ON CONFLICT (direct_user_a, direct_user_b) WHERE kind = 'direct' DO NOTHING RETURNING id`,
      [a, b],
    );
    return rows[0]?.id ?? null;
  }

  async findDirect(em: EntityManager, a: string, b: string): Promise<string | null> {
    const rows: { id: string }[] = await queryRows(
      em,
      `SELECT id FROM conversations WHERE kind = 'direct' AND direct_user_a = $1 AND direct_user_b = $2`,
      [a, b],
    );
    return rows[0]?.id ?? null;
  }

  async insertGroup(em: EntityManager, title: string, ownerId: string): Promise<string> {
    const rows: { id: string }[] = await queryRows(
      em,
      `INSERT INTO conversations (kind, title, owner_id) VALUES ('group', $1, $2) RETURNING id`,
      [title, ownerId],
    );
    return rows[0].id;
  }

  /** Adds participants; returns the ids that were not participants yet. */
  async addParticipants(
    em: EntityManager,
    conversationId: string,
    userIds: string[],
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows: { user_id: string }[] = await queryRows(
      em,
      `INSERT INTO conversation_participants (conversation_id, user_id)
       SELECT $1, u FROM unnest($2::uuid[]) WITH ORDINALITY AS t(u, i) ORDER BY i
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [conversationId, userIds],
    );
    return rows.map((r) => r.user_id);
  }

  async removeParticipant(
    em: EntityManager,
    conversationId: string,
    userId: string,
  ): Promise<boolean> {
    const rows: unknown[] = await queryRows(
      em,
      `DELETE FROM conversation_participants WHERE conversation_id = $1 AND user_id = $2 RETURNING user_id`,
      [conversationId, userId],
    );
    return rows.length > 0;
  }

  /** The user's conversations, most recently active first, at most `limit`. */
  async idsOf(userId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await queryRows(
      this.db,
      `SELECT c.id FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = $1 ORDER BY c.last_activity_at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The conversation, locked until the end of the transaction (participant changes). */
  async lock(em: EntityManager, id: string): Promise<ConversationRow | null> {
    const rows: ConversationRow[] = await queryRows(
      em,
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async find(db: Db, id: string): Promise<ConversationRow | null> {
    const rows: ConversationRow[] = await queryRows(
      db,
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async setOwner(em: EntityManager, id: string, ownerId: string | null): Promise<void> {
    await queryRows(
      em,
      `UPDATE conversations SET owner_id = $2, updated_at = now() WHERE id = $1`,
      [id, ownerId],
    );
  }

  /** Participants of the given conversations, in the order they joined. */
  participantsOf(conversationIds: string[], em?: EntityManager): Promise<ParticipantRow[]> {
    if (conversationIds.length === 0) return Promise.resolve([]);
    return queryRows(
      em ?? this.db,
      `SELECT p.conversation_id, p.user_id, u.display_name, p.created_at
         FROM conversation_participants p JOIN users u ON u.id = p.user_id
        WHERE p.conversation_id = ANY($1::uuid[])
        ORDER BY p.created_at, p.user_id`,
      [conversationIds],
    );
  }

  async participantIds(db: Db, conversationId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await queryRows(
      db,
      `SELECT user_id FROM conversation_participants WHERE conversation_id = $1`,
      [conversationId],
    );
    return rows.map((r) => r.user_id);
  }

  /** The participant who joined first, other than `except` (the next owner of a group). */
  async oldestParticipant(em: EntityManager, conversationId: string): Promise<string | null> {
    const rows: { user_id: string }[] = await queryRows(
      em,
      `SELECT user_id FROM conversation_participants WHERE conversation_id = $1
        ORDER BY created_at, user_id LIMIT 1`,
      [conversationId],
    );
    return rows[0]?.user_id ?? null;
  }

  /**
   * Whether the user takes part. With `lock` (inside a write), the membership
   * row is share-locked so a concurrent removal waits for this write to commit.
   */
  async isParticipant(
    db: Db,
    conversationId: string,
    userId: string,
    lock = false,
  ): Promise<boolean> {
    const rows: unknown[] = await queryRows(
      db,
      `SELECT 1 FROM conversation_participants WHERE conversation_id = $1 AND user_id = $2${
        lock ? ' FOR SHARE' : ''
      }`,
      [conversationId, userId],
    );
    return rows.length > 0;
  }

  /** The caller's conversations, last activity first; keyset on (last_activity_at, id). */
  listMine(
    userId: string,
    limit: number,
    after?: { activityUs: string; id: string },
  ): Promise<MyConversationRow[]> {
    const params: unknown[] = [userId, limit];
    let cursor = '';
    if (after) {
      params.push(after.activityUs, after.id);
      cursor = `AND (c.last_activity_at, c.id) < (timestamptz 'epoch' + $3::bigint * interval '1 microsecond', $4::uuid)`;
    }
    return queryRows(
      this.db,
      `SELECT ${CONVERSATION_COLUMNS}, p.last_read_seq, p.last_read_message_id,
              (extract(epoch FROM c.last_activity_at) * 1000000)::bigint::text AS activity_us,
              (SELECT count(*) FROM (SELECT 1 FROM messages m
                WHERE m.conversation_id = c.id AND m.seq > p.last_read_seq
                  AND m.sender_id <> p.user_id AND m.deleted_at IS NULL
                ORDER BY m.seq LIMIT ${UNREAD_COUNT_CAP}) u) AS unread_count
         FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = $1 ${cursor}
        ORDER BY c.last_activity_at DESC, c.id DESC
        LIMIT $2`,
      params,
    );
  }

  async readState(
    db: Db,
    conversationId: string,
    userId: string,
  ): Promise<{ lastReadSeq: string; lastReadMessageId: string | null }> {
    const rows: { last_read_seq: string; last_read_message_id: string | null }[] = await queryRows(
      db,
      `SELECT last_read_seq, last_read_message_id FROM conversation_participants
        WHERE conversation_id = $1 AND user_id = $2`,
      [conversationId, userId],
    );
    return {
      lastReadSeq: rows[0]?.last_read_seq ?? '0',
      lastReadMessageId: rows[0]?.last_read_message_id ?? null,
    };
  }

  /** Moves the read cursor to `seq` if that is further; true when it moved. */
  async advanceRead(
    em: EntityManager,
    conversationId: string,
    userId: string,
    seq: string,
    messageId: string,
  ): Promise<boolean> {
    const rows: unknown[] = await queryRows(
      em,
      `UPDATE conversation_participants
          SET last_read_seq = $3, last_read_message_id = $4, updated_at = now()
        WHERE conversation_id = $1 AND user_id = $2 AND last_read_seq < $3 RETURNING user_id`,
      [conversationId, userId, seq, messageId],
    );
    return rows.length > 0;
  }

  async unreadCount(db: Db, conversationId: string, userId: string): Promise<number> {
    const rows: { n: string }[] = await queryRows(
      db,
      `SELECT count(*) AS n FROM (SELECT 1 FROM messages m
        WHERE m.conversation_id = $1
          AND m.seq > (SELECT last_read_seq FROM conversation_participants
                        WHERE conversation_id = $1 AND user_id = $2)
          AND m.sender_id <> $2 AND m.deleted_at IS NULL
        ORDER BY m.seq LIMIT ${UNREAD_COUNT_CAP}) u`,
      [conversationId, userId],
    );
    return Number(rows[0].n);
  }

  /**
   * Claims the right to notify `userId` of `conversationId` now: true when the
   * last notification is older than `windowMs` (or there was none).
   */
  async claimNotification(
    em: EntityManager,
    userId: string,
    conversationId: string,
    windowMs: number,
  ): Promise<boolean> {
    const rows: unknown[] = await queryRows(
      em,
      `INSERT INTO chat_notification_marks (user_id, conversation_id, notified_at) VALUES ($1, $2, now())
       ON CONFLICT (user_id, conversation_id) DO UPDATE SET notified_at = now(), updated_at = now()
        WHERE chat_notification_marks.notified_at <= now() - make_interval(secs => $3)
       RETURNING user_id`,
      [userId, conversationId, windowMs / 1000],
    );
    return rows.length > 0;
  }
}
