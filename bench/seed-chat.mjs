// `node bench/seed-chat.mjs [--messages=1000000]`: seeds one conversation with a
// million messages (INSERT ... SELECT generate_series) and prints the EXPLAIN
// ANALYZE and timings of the chat history page query (the SQL of
// MessagesRepository.page), of the unread count and of the conversation list.
// Uses DATABASE_URL when set (it must be an empty database: migrations are
// applied), else starts a throw-away PostgreSQL (scripts/services.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { startPostgres } from '../scripts/services.mjs';

const count = Number(
  process.argv.find((a) => a.startsWith('--messages='))?.slice('--messages='.length) ?? 1_000_000,
);
const RUNS = 200;

if (!existsSync('dist/database/run-migrations.js'))
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const { runMigrations } = await import('../dist/database/run-migrations.js');

let server;
let url = process.env.DATABASE_URL;
if (!url) {
  server = await startPostgres();
  url = server.url;
  console.log(`PostgreSQL (${server.binDir}) on port ${server.port}`);
}
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const db = new pg.Client({ connectionString: url });
try {
  await runMigrations(url, quiet);
  await db.connect();
  const { rows: version } = await db.query('SHOW server_version');
  console.log(`server_version ${version[0].server_version}`);

  const t0 = Date.now();
  const { rows: users } = await db.query(
    `INSERT INTO users (email, password_hash, display_name)
     SELECT 'seed-' || g || '-' || gen_random_uuid() || '@example.test', 'x', 'Seed ' || g
       FROM generate_series(1, 3) g RETURNING id`,
  );
  const [a, b, c] = users.map((u) => u.id).sort();
  const { rows: convs } = await db.query(
    `INSERT INTO conversations (kind, direct_user_a, direct_user_b) VALUES ('direct', $1, $2) RETURNING id`,
    [a, b],
  );
  const conversationId = convs[0].id;
  const { rows: others } = await db.query(
    `INSERT INTO conversations (kind, title, owner_id) VALUES ('group', 'noise', $1) RETURNING id`,
    [c],
  );
  await db.query(
    `INSERT INTO conversation_participants (conversation_id, user_id)
     VALUES ($1, $2), ($1, $3), ($4, $2), ($4, $5)`,
    [conversationId, a, b, others[0].id, c],
  );
  // The conversation under test, and a tenth as many messages elsewhere in the same table.
  await db.query(
    `INSERT INTO messages (conversation_id, seq, sender_id, content, created_at)
     SELECT $1, g, CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END,
            'message number ' || g || ' ' || repeat('lorem ipsum ', 1 + g % 8),
            now() - make_interval(secs => $4 - g)
       FROM generate_series(1, $4::int) g`,
    [conversationId, a, b, count],
  );
  await db.query(
    `INSERT INTO messages (conversation_id, seq, sender_id, content)
     SELECT $1, g, $2, 'noise ' || g FROM generate_series(1, $3::int) g`,
    [others[0].id, c, Math.ceil(count / 10)],
  );
  await db.query(`UPDATE conversations SET last_seq = $2, last_activity_at = now() WHERE id = $1`, [
    conversationId,
    count,
  ]);
  // Bob has read up to the middle: half a million unread.
  await db.query(
    `UPDATE conversation_participants SET last_read_seq = $3
      WHERE conversation_id = $1 AND user_id = $2`,
    [conversationId, b, Math.floor(count / 2)],
  );
  await db.query('VACUUM ANALYZE messages');
  await db.query('ANALYZE conversations');
  await db.query('ANALYZE conversation_participants');
  console.log(`seeded ${count} + ${Math.ceil(count / 10)} messages in ${Date.now() - t0} ms`);

  const COLUMNS = `id, conversation_id, seq, sender_id, content, content_type, client_msg_id,
  edited_at, deleted_at, created_at`;
  const first = `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2`;
  const before = `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $3
            ORDER BY seq DESC LIMIT $2`;
  // ConversationsRepository.unreadCount: capped at UNREAD_COUNT_CAP (1000).
  const unread = `SELECT count(*) AS n FROM (SELECT 1 FROM messages m
        WHERE m.conversation_id = $1
          AND m.seq > (SELECT last_read_seq FROM conversation_participants
                        WHERE conversation_id = $1 AND user_id = $2)
          AND m.sender_id <> $2 AND m.deleted_at IS NULL
        ORDER BY m.seq LIMIT 1000) u`;
  const unreadUncapped = `SELECT count(*) AS n FROM messages m JOIN conversation_participants p
           ON p.conversation_id = m.conversation_id AND p.user_id = $2
        WHERE m.conversation_id = $1 AND m.seq > p.last_read_seq
          AND m.sender_id <> $2 AND m.deleted_at IS NULL`;
  const list = `SELECT c.id, c.last_activity_at, p.last_read_seq,
              (SELECT count(*) FROM (SELECT 1 FROM messages m
                WHERE m.conversation_id = c.id AND m.seq > p.last_read_seq
                  AND m.sender_id <> p.user_id AND m.deleted_at IS NULL
                ORDER BY m.seq LIMIT 1000) u) AS unread_count
         FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
        WHERE p.user_id = $1
        ORDER BY c.last_activity_at DESC, c.id DESC
        LIMIT $2`;

  const cases = [
    ['first page (limit 51)', first, [conversationId, 51]],
    ['middle page (before=500000)', before, [conversationId, 51, Math.floor(count / 2)]],
    ['last pages (before=40)', before, [conversationId, 51, 40]],
    ['unread count, capped at 1000 (500 000 unread)', unread, [conversationId, b]],
    ['unread count, uncapped, for comparison', unreadUncapped, [conversationId, b]],
    ['conversation list of the reader (limit 51)', list, [b, 51]],
  ];
  for (const [name, sql, params] of cases) {
    const { rows: plan } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    const times = [];
    for (let i = 0; i < (name.includes('uncapped') ? 20 : RUNS); i += 1) {
      const start = process.hrtime.bigint();
      await db.query(sql, params);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((x, y) => x - y);
    const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(3);
    console.log(`\n== ${name}`);
    console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    console.log(
      `client round trip over ${times.length} runs: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${times[times.length - 1].toFixed(3)} ms`,
    );
  }
} finally {
  await db.end().catch(() => undefined);
  server?.stop();
}
