import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { queryRows } from '../../common/sql-rows.js';
import { Role, UserEntity } from '../entities/user.entity.js';

export type NewUser = Pick<UserEntity, 'email' | 'passwordHash' | 'displayName' | 'role'>;

/** A token's user, and whether the login it names is over (null: the token names none). */
export interface TokenUserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  session_revoked: boolean | null;
}

/**
 * The `users` table, for every module: the others ask here whether a user
 * exists or what they are called. Every method runs on the caller's entity
 * manager (their transaction, or `DataSource.manager`).
 */
@Injectable()
export class UsersRepository {
  findById(em: EntityManager, id: string): Promise<UserEntity | null> {
    return em.getRepository(UserEntity).findOneBy({ id });
  }

  /** For a row that references the user (its foreign key keeps the user there). */
  getById(em: EntityManager, id: string): Promise<UserEntity> {
    return em.getRepository(UserEntity).findOneByOrFail({ id });
  }

  /**
   * The user an access token names, with its login in the same query: it runs
   * for every request and every socket, so one round trip.
   */
  async findForToken(
    em: EntityManager,
    userId: string,
    sessionId: string | undefined,
  ): Promise<TokenUserRow | null> {
    const rows = await queryRows<TokenUserRow>(
      em,
      `SELECT u.id, u.email, u.display_name, u.role,
              CASE WHEN $2::uuid IS NULL THEN NULL ELSE (s.id IS NULL OR s.revoked_at IS NOT NULL) END AS session_revoked
         FROM users u
         LEFT JOIN auth_sessions s ON s.id = $2::uuid AND s.user_id = u.id
        WHERE u.id = $1`,
      [userId, sessionId ?? null],
    );
    return rows[0] ?? null;
  }

  /**
   * `findForToken` for many tokens in one round trip (a reconnect storm: every
   * upgrade of the same moment shares the query); rows in the order asked,
   * null where the user is gone.
   */
  async findManyForToken(
    em: EntityManager,
    tokens: readonly { userId: string; sessionId: string | undefined }[],
  ): Promise<(TokenUserRow | null)[]> {
    const rows = await queryRows<TokenUserRow & { i: string }>(
      em,
      `SELECT q.i, u.id, u.email, u.display_name, u.role,
              CASE WHEN q.sid IS NULL THEN NULL ELSE (s.id IS NULL OR s.revoked_at IS NOT NULL) END AS session_revoked
         FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS q(uid, sid, i)
         JOIN users u ON u.id = q.uid
         LEFT JOIN auth_sessions s ON s.id = q.sid AND s.user_id = u.id`,
      [tokens.map((t) => t.userId), tokens.map((t) => t.sessionId ?? null)],
    );
    const found: (TokenUserRow | null)[] = tokens.map(() => null);
    for (const { i, ...row } of rows) found[Number(i) - 1] = row;
    return found;
  }

  /** `email` as stored: lower-cased. */
  findByEmail(em: EntityManager, email: string): Promise<UserEntity | null> {
    return em.getRepository(UserEntity).findOneBy({ email });
  }

  /**
   * The new user, or null when the email is taken. A refused insert aborts the
   * caller's transaction, so null is only good for rolling it back.
   */
  async insert(em: EntityManager, user: NewUser): Promise<UserEntity | null> {
    try {
      return await em.save(em.create(UserEntity, user));
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /** The user with its new role, or null when there is no such user. */
  async setRole(em: EntityManager, id: string, role: Role): Promise<UserEntity | null> {
    await em.getRepository(UserEntity).update({ id }, { role });
    return this.findById(em, id);
  }

  async delete(em: EntityManager, id: string): Promise<void> {
    await em.getRepository(UserEntity).delete({ id });
  }

  async exists(em: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await queryRows(em, 'SELECT 1 FROM users WHERE id = $1', [id]);
    return rows.length > 0;
  }

  /** Which of these (lower-cased) emails have an account. */
  async existingEmails(em: EntityManager, emails: readonly string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const rows = await queryRows<{ email: string }>(
      em,
      'SELECT email FROM users WHERE email = ANY($1::text[])',
      [emails],
    );
    return new Set(rows.map((r) => r.email));
  }

  /** Which of these ids are users (as PostgreSQL spells them: lower case). */
  async existingIds(em: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await queryRows<{ id: string }>(
      em,
      'SELECT id FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (
    err instanceof QueryFailedError &&
    (err.driverError as { code?: string } | undefined)?.code === '23505'
  );
}
