import { MigrationInterface, QueryRunner } from 'typeorm';

export class Boards1763800000000 implements MigrationInterface {
  name = 'Boards1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE boards (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE board_members (
        board_id uuid NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (board_id, user_id)
      )`);
    await q.query(`CREATE INDEX board_members_user_id_idx ON board_members (user_id)`);
    // Position keys compare as bytes (fractional indexing): COLLATE "C".
    await q.query(`
      CREATE TABLE board_columns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        board_id uuid NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
        title text NOT NULL,
        position text COLLATE "C" NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX board_columns_board_position_key ON board_columns (board_id, position)`,
    );
    await q.query(`
      CREATE TABLE board_cards (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        board_id uuid NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
        column_id uuid NOT NULL REFERENCES board_columns (id) ON DELETE CASCADE,
        title text NOT NULL,
        description text,
        assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
        due_at timestamptz,
        labels text[] NOT NULL DEFAULT '{}',
        position text COLLATE "C" NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX board_cards_column_position_key ON board_cards (column_id, position)`,
    );
    await q.query(`CREATE INDEX board_cards_board_id_idx ON board_cards (board_id)`);
    await q.query(
      `CREATE INDEX board_cards_assignee_id_idx ON board_cards (assignee_id) WHERE assignee_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE board_cards`);
    await q.query(`DROP TABLE board_columns`);
    await q.query(`DROP TABLE board_members`);
    await q.query(`DROP TABLE boards`);
  }
}
