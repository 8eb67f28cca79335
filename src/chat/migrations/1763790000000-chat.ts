import { MigrationInterface, QueryRunner } from 'typeorm';

export class Chat1763790000000 implements MigrationInterface {
  name = 'Chat1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('direct', 'group')),
        title text,
        owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
        direct_user_a uuid REFERENCES users (id) ON DELETE CASCADE,
        direct_user_b uuid REFERENCES users (id) ON DELETE CASCADE,
        last_seq bigint NOT NULL DEFAULT 0,
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_direct_pair_check CHECK (
          (kind = 'direct' AND direct_user_a IS NOT NULL AND direct_user_b IS NOT NULL
            AND direct_user_a < direct_user_b)
          OR (kind = 'group' AND direct_user_a IS NULL AND direct_user_b IS NULL))
      )`);
    // At most one direct conversation per pair: the pair is stored ordered (a < b).
    await q.query(
      `CREATE UNIQUE INDEX conversations_direct_pair_key ON conversations (direct_user_a, direct_user_b)
        WHERE kind = 'direct'`,
    );
    await q.query(`
      CREATE TABLE conversation_participants (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        last_read_seq bigint NOT NULL DEFAULT 0,
        last_read_message_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, user_id)
      )`);
    await q.query(
      `CREATE INDEX conversation_participants_user_idx ON conversation_participants (user_id)`,
    );
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        sender_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        content text NOT NULL CHECK (char_length(content) <= 2000),
        content_type text NOT NULL DEFAULT 'text' CHECK (content_type IN ('text', 'markdown')),
        client_msg_id text CHECK (char_length(client_msg_id) <= 64),
        edited_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // History pages: keyset on the per-conversation sequence, newest first (a
    // backward scan of this index), stable under concurrent inserts.
    await q.query(
      `CREATE UNIQUE INDEX messages_conversation_seq_key ON messages (conversation_id, seq)`,
    );
    // Idempotent sends: one message per (sender, clientMsgId).
    await q.query(
      `CREATE UNIQUE INDEX messages_sender_client_msg_key ON messages (sender_id, client_msg_id)
        WHERE client_msg_id IS NOT NULL`,
    );
    // Chat notifications are batched: at most one per conversation and user per window.
    await q.query(`
      CREATE TABLE chat_notification_marks (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        notified_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, conversation_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE chat_notification_marks`);
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE conversation_participants`);
    await q.query(`DROP TABLE conversations`);
  }
}
