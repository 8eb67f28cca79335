import { MigrationInterface, QueryRunner } from 'typeorm';

export class Calendar1763800001000 implements MigrationInterface {
  name = 'Calendar1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendars (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX calendars_owner_id_idx ON calendars (owner_id)`);
    await q.query(`
      CREATE TABLE calendar_shares (
        calendar_id uuid NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        access text NOT NULL CHECK (access IN ('read', 'write')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (calendar_id, user_id)
      )`);
    await q.query(`CREATE INDEX calendar_shares_user_id_idx ON calendar_shares (user_id)`);
    await q.query(`
      CREATE TABLE calendar_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        calendar_id uuid NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
        title text NOT NULL,
        description text,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        all_day boolean NOT NULL DEFAULT false,
        attendee_ids uuid[] NOT NULL DEFAULT '{}',
        reminder_minutes integer CHECK (reminder_minutes >= 0),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT calendar_events_ends_after_starts CHECK (ends_at > starts_at)
      )`);
    // Range reads (starts_at < $to AND ends_at > $from) of one calendar: the
    // starts_at bound is an index range, ends_at is checked from the index too.
    await q.query(
      `CREATE INDEX calendar_events_range_idx ON calendar_events (calendar_id, starts_at, ends_at)`,
    );
    await q.query(`
      CREATE TABLE calendar_reminders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES calendar_events (id) ON DELETE CASCADE,
        due_at timestamptz NOT NULL,
        fired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX calendar_reminders_due_idx ON calendar_reminders (due_at) WHERE fired_at IS NULL`,
    );
    await q.query(`CREATE INDEX calendar_reminders_event_id_idx ON calendar_reminders (event_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_reminders`);
    await q.query(`DROP TABLE calendar_events`);
    await q.query(`DROP TABLE calendar_shares`);
    await q.query(`DROP TABLE calendars`);
  }
}
