import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { sqlClient } from './databases.js';
import { TEST_JWT_SECRET } from './test-app.js';

export interface SeededUser {
  id: string;
  email: string;
  accessToken: string;
}

/**
 * Inserts `n` users, each with a login (auth session), straight into a
 * migrated database, and signs their access tokens with the test key: what
 * registering them would give, without `n` password hashes (fault tests need
 * hundreds of users; registering one costs a deliberately slow hash).
 */
export async function seedUsers(
  databaseUrl: string,
  n: number,
  opts: { ttlSec?: number; role?: 'user' | 'admin' } = {},
): Promise<SeededUser[]> {
  const tag = randomBytes(4).toString('hex');
  const db = await sqlClient(databaseUrl);
  try {
    const { rows } = await db.query<{ id: string; email: string; sid: string }>(
      `WITH u AS (
         INSERT INTO users (email, password_hash, display_name, role)
         SELECT 'seed-' || $1 || '-' || g || '@example.test', 'not-a-hash', 'Seed ' || g, $3
           FROM generate_series(1, $2::int) g
         RETURNING id, email)
       INSERT INTO auth_sessions (user_id)
       SELECT id FROM u
       RETURNING user_id AS id, (SELECT email FROM u WHERE u.id = user_id) AS email, id AS sid`,
      [tag, n, opts.role ?? 'user'],
    );
    const exp = Math.floor(Date.now() / 1000) + (opts.ttlSec ?? 3600);
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      accessToken: jwt.sign({ sub: r.id, sid: r.sid, typ: 'access', exp }, TEST_JWT_SECRET, {
        algorithm: 'HS256',
      }),
    }));
  } finally {
    await db.end();
  }
}
