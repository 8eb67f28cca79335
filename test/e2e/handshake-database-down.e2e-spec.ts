import request from 'supertest';
import WebSocket from 'ws';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, refusedUpgrade, TestSocket } from '../helpers/ws-client.js';

/**
 * A good token while PostgreSQL does not answer: the handshake is refused with
 * 503 and Retry-After (the client keeps its token and retries), never with 401
 * (the client would throw a valid token away), on the WebSocket and on SockJS.
 */
describe('handshakes while the database is down', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let dbName: string;
  const open: TestSocket[] = [];

  /** Refuses (or allows again) connections to the app's database, and ends the open ones. */
  async function setDatabaseReachable(reachable: boolean): Promise<void> {
    const admin = await sqlClient(process.env.TEST_PG_URL ?? '');
    try {
      await admin.query(`ALTER DATABASE ${dbName} WITH ALLOW_CONNECTIONS ${reachable}`);
      if (!reachable)
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [dbName],
        );
    } finally {
      await admin.end();
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    dbName = new URL(t.databaseUrl).pathname.slice(1);
    alice = await registerUser(t.baseUrl);
    // The token is good: it opens a socket while the database answers.
    open.push(await connect(t.baseUrl, { token: alice.accessToken }));
    await setDatabaseReachable(false);
  });
  afterAll(async () => {
    await setDatabaseReachable(true);
    for (const s of open) s.close();
    await t?.close();
  });

  it('refuses the WebSocket upgrade with 503 and Retry-After, not 401', async () => {
    for (const via of ['query', 'header', 'protocol'] as const) {
      const refused = await refusedUpgrade(t.baseUrl, { token: alice.accessToken, via });
      expect({ via, status: refused.status }).toEqual({ via, status: 503 });
      expect(JSON.parse(refused.body)).toMatchObject({ statusCode: 503, retryAfterMs: 2000 });
    }
    // The headers, read from a raw upgrade.
    const headers = await new Promise<Record<string, string | string[] | undefined>>(
      (resolve, reject) => {
        const ws = new WebSocket(
          `${t.baseUrl.replace('http', 'ws')}/ws?token=${alice.accessToken}`,
        );
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.headers);
          res.resume();
        });
        ws.once('open', () => reject(new Error('upgrade accepted')));
        ws.once('error', reject);
      },
    );
    expect(headers['retry-after']).toBe('2');
  });

  it('refuses SockJS with 503 and Retry-After, not 401: /ws/info and the websocket transport', async () => {
    const info = await request(t.baseUrl).get(`/ws/info?token=${alice.accessToken}`);
    expect(info.status).toBe(503);
    expect(info.headers['retry-after']).toBe('2');
    expect(info.body).toMatchObject({ statusCode: 503 });
    for (const path of ['/ws/123/abcdefgh/websocket', '/ws/websocket']) {
      const refused = await refusedUpgrade(t.baseUrl, { token: alice.accessToken, path });
      expect({ path, status: refused.status }).toEqual({ path, status: 503 });
    }
  });

  it('closes a SockJS session opened over HTTP with 1011, never 4401', async () => {
    const res = await request(t.baseUrl)
      .post(`/ws/123/sessdown/xhr_streaming?token=${alice.accessToken}`)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    const body = res.body as string;
    expect(body).toContain('c[1011,"authentication unavailable"]');
    expect(body).not.toContain('4401');
  });

  it('still refuses a bad token with 401 meanwhile (no database needed to know)', async () => {
    const refused = await refusedUpgrade(t.baseUrl, { token: 'not-a-token' });
    expect(refused.status).toBe(401);
  });
});
