import { MigrationInterface, QueryRunner } from 'typeorm';

export class Presence1763800002000 implements MigrationInterface {
  name = 'Presence1763800002000';

  async up(q: QueryRunner): Promise<void> {
    // `status` is what the user chose (shown while online); `online` is what was
    // last announced, so that instances agree on transitions (row lock).
    await q.query(`
      CREATE TABLE user_presence (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away', 'dnd')),
        online boolean NOT NULL DEFAULT false,
        last_seen_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX user_presence_online_idx ON user_presence (user_id) WHERE online`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_presence`);
  }
}
