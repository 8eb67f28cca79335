import { DataSource } from 'typeorm';
import request from 'supertest';
import { createTestDatabase, sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';
import { connect, refusedUpgrade } from '../helpers/ws-client.js';

describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health/live: 200 without a token', async () => {
    const res = await request(t.baseUrl).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready: 200 with the database up', async () => {
    const res = await request(t.baseUrl).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('GET /docs serves the OpenAPI page', async () => {
    const res = await request(t.baseUrl).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger/i);
  });

  it('GET /docs-json lists every route', async () => {
    const res = await request(t.baseUrl).get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(paths['/api/auth/register'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/auth/login'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/auth/refresh'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/users/me'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(paths['/health/live'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths['/health/ready'] ?? {})).toEqual(['get']);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('builds the schema with migrations only: synchronize is off', async () => {
    expect(t.app.get(DataSource).options.synchronize).toBe(false);
    const sql = await sqlClient(t.databaseUrl);
    try {
      const migrations = await sql.query<{ name: string }>('SELECT name FROM migrations');
      expect(migrations.rows.map((r) => r.name)).toContain('Accounts1763770000000');
      // synchronize would have replaced the migration's indexes with its own IDX_* ones.
      const indexes = await sql.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
      );
      const names = indexes.rows.map((r) => r.indexname);
      expect(names).toEqual(
        expect.arrayContaining([
          'users_email_key',
          'auth_sessions_user_id_idx',
          'refresh_tokens_session_id_idx',
        ]),
      );
      expect(names.filter((n) => n.startsWith('IDX_'))).toEqual([]);
    } finally {
      await sql.end();
    }
  });

  it('applies each migration once when instances start together on a new database', async () => {
    const databaseUrl = await createTestDatabase();
    const [a, b] = await Promise.all([
      startTestApp({ databaseUrl }),
      startTestApp({ databaseUrl }),
    ]);
    await Promise.all([a.close(), b.close()]);
    const sql = await sqlClient(databaseUrl);
    try {
      const rows = await sql.query<{ n: string }>(
        `SELECT count(*) AS n FROM migrations WHERE name = 'Accounts1763770000000'`,
      );
      expect(rows.rows[0]?.n).toBe('1');
    } finally {
      await sql.end();
    }
  });
});

describe('readiness when the database is gone', () => {
  let t: TestApp;
  let dbName: string;
  beforeAll(async () => {
    t = await startTestApp();
    dbName = new URL(t.databaseUrl).pathname.slice(1);
  });
  afterAll(async () => {
    await setConnectionsAllowed(true);
    await t?.close();
  });

  /** Refuses (or allows again) new connections to the app's database, from the admin database. */
  async function setConnectionsAllowed(allowed: boolean): Promise<void> {
    const admin = await sqlClient(process.env.TEST_PG_URL ?? '');
    try {
      await admin.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS ${allowed}`);
      if (!allowed) {
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [dbName],
        );
      }
    } finally {
      await admin.end();
    }
  }

  it('GET /health/ready: 503 with the database down, live stays 200, then 200 again', async () => {
    expect((await request(t.baseUrl).get('/health/ready')).status).toBe(200);
    await setConnectionsAllowed(false);

    const down = await request(t.baseUrl).get('/health/ready');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect((await request(t.baseUrl).get('/health/live')).status).toBe(200);

    await setConnectionsAllowed(true);
    const up = await request(t.baseUrl).get('/health/ready');
    expect(up.status).toBe(200);
  });

  it('answers upgrades 503 (never 401, never a crash) while the database is down, and serves them after', async () => {
    const alice = await registerUser(t.baseUrl);
    await setConnectionsAllowed(false);
    try {
      const refused = await refusedUpgrade(t.baseUrl, { token: alice.accessToken });
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'INTERNAL', retryAfterMs: 2000 });
      // SockJS (/ws/info, its transports, sessions opened over HTTP): handshake-database-down.e2e-spec.ts.
    } finally {
      await setConnectionsAllowed(true);
    }
    const socket = await connect(t.baseUrl, { token: alice.accessToken });
    await expect(socket.request('ping')).resolves.toMatchObject({ type: 'pong' });
    socket.close();
  });
});
