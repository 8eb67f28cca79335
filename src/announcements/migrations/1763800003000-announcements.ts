import { MigrationInterface, QueryRunner } from 'typeorm';

export class Announcements1763800003000 implements MigrationInterface {
  name = 'Announcements1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE announcements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL,
        body text NOT NULL,
        author_id uuid REFERENCES users (id) ON DELETE SET NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX announcements_created_at_idx ON announcements (created_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE announcements`);
  }
}
