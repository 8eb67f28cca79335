import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { createTestDatabase } from '../helpers/databases.js';

/** Every table the migrations create (the channel log's two have no entity). */
const APP_TABLES = [
  'announcements',
  'auth_sessions',
  'board_cards',
  'board_columns',
  'board_members',
  'boards',
  'calendar_events',
  'calendar_reminders',
  'calendar_shares',
  'calendars',
  'channel_events',
  'channel_offsets',
  'chat_notification_marks',
  'conversation_participants',
  'conversations',
  'messages',
  'notifications',
  'refresh_tokens',
  'user_presence',
  'users',
];

/**
 * What the migrations built in schema `public`, as comparable text: tables and
 * their columns, constraints, indexes, plus any sequence, view, type or function
 * (none is expected; one left behind by a down() shows here).
 */
async function schemaSnapshot(ds: DataSource): Promise<Record<string, string[]>> {
  const list = async (sql: string): Promise<string[]> =>
    ((await ds.query(sql)) as { v: string }[]).map((r) => r.v);
  return {
    tables: await list(
      `SELECT table_name AS v FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    ),
    columns: await list(
      `SELECT concat_ws(' ', table_name, column_name, data_type, is_nullable, column_default) AS v
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
    ),
    constraints: await list(
      `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS v
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
    ),
    indexes: await list(
      `SELECT indexdef AS v FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
    ),
    // Members of an extension are left out: DataSource.initialize() itself installs
    // uuid-ossp (its entities have generated uuids), not a migration.
    others: await list(
      `SELECT c.relkind::text || ' ' || c.relname AS v FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('S', 'v', 'm')
       UNION ALL
       SELECT 'type ' || t.typname FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
       UNION ALL
       SELECT 'function ' || p.proname FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
       ORDER BY 1`,
    ),
  };
}

async function appliedMigrations(ds: DataSource): Promise<string[]> {
  const rows = (await ds.query(`SELECT name FROM migrations ORDER BY id`)) as { name: string }[];
  return rows.map((r) => r.name);
}

describe('migrations: every down() undoes its up()', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = new DataSource(dataSourceOptions(await createTestDatabase('mig')));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('runs all, undoes them one by one to an empty schema, and runs them again', async () => {
    const all = ds.migrations.map((m) => m.name);
    expect(all).toHaveLength(8);

    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(all);
    const built = await schemaSnapshot(ds);
    expect(built.tables).toEqual([...APP_TABLES, 'migrations'].sort());
    for (const entity of ds.entityMetadatas) expect(built.tables).toContain(entity.tableName);

    for (let left = all.length - 1; left >= 0; left--) {
      await ds.undoLastMigration({ transaction: 'each' });
      expect(await appliedMigrations(ds)).toEqual(all.slice(0, left));
    }
    const emptied = await schemaSnapshot(ds);
    // Only TypeORM's own table (with its id sequence) is left.
    expect(emptied.tables).toEqual(['migrations']);
    expect(emptied.others).toEqual(['S migrations_id_seq']);
    expect(emptied.constraints.filter((c) => !c.startsWith('migrations '))).toEqual([]);
    expect(emptied.indexes.filter((i) => !/ ON public\.migrations /.test(i))).toEqual([]);

    const again = await ds.runMigrations({ transaction: 'each' });
    expect(again.map((m) => m.name)).toEqual(all);
    expect(await appliedMigrations(ds)).toEqual(all);
    // Unnamed constraints get names PostgreSQL derives from the table and column
    // names, so a second build is identical to the first.
    expect(await schemaSnapshot(ds)).toEqual(built);
  });
});
