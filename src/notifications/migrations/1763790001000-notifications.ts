import { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1763790001000 implements MigrationInterface {
  name = 'Notifications1763790001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        type text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        link text,
        entity_type text,
        entity_id text,
        read_at timestamptz,
        delivered_at timestamptz,
        acked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The list (newest first, keyset on created_at, id).
    await q.query(
      `CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC)`,
    );
    // Unread counts and the "waiting for an ack" push at connect stay small partial scans.
    await q.query(
      `CREATE INDEX notifications_user_unread_idx ON notifications (user_id) WHERE read_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX notifications_user_pending_idx ON notifications (user_id, created_at)
        WHERE acked_at IS NULL AND read_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
  }
}
