import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../common/sql-rows.js';
import { PresenceView } from './dto/presence.dto.js';
import type { ChosenStatus } from './entities/user-presence.entity.js';

export interface PresenceRow {
  user_id: string;
  status: ChosenStatus;
  online: boolean;
  last_seen_at: Date | null;
}

/** The `user_presence` rows: the announced state every instance agrees on. */
@Injectable()
export class PresenceRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The row, locked for this transaction (created first for a known user).
   * The `users` lookup stays inside the INSERT rather than a UsersRepository.exists
   * call: one round trip on every offline-to-online change, and no window for the
   * user's deletion between a check and the insert (the foreign key would then fail).
   */
  async lock(em: EntityManager, userId: string, create: boolean): Promise<PresenceRow | null> {
    if (create)
      await queryRows(
        em,
        `INSERT INTO user_presence (user_id) SELECT id FROM users WHERE id = $1 ON CONFLICT DO NOTHING`,
        [userId],
      );
    const rows = await queryRows<PresenceRow>(
      em,
      `SELECT user_id, status, online, last_seen_at FROM user_presence WHERE user_id = $1 FOR UPDATE`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /**
   * Marks these users online in one statement (autocommit, one round trip):
   * the rows that exist are locked in id order, as every batch takes them (two
   * batches never wait on each other in a cycle), and a mark or an offline
   * check holding one, on any node, has committed before its old state is
   * read; missing rows are created online. Returns the rows now online that
   * were not before, the ones to announce. A row another transaction creates
   * meanwhile is left to it: every path that creates one marks it online.
   */
  async markOnline(userIds: readonly string[]): Promise<PresenceRow[]> {
    return queryRows<PresenceRow>(
      this.db.manager,
      `WITH old AS (
         SELECT user_id, online FROM user_presence
          WHERE user_id = ANY($1::uuid[]) ORDER BY user_id FOR UPDATE),
       updated AS (
         UPDATE user_presence p
            SET online = true, last_seen_at = now(), updated_at = now()
           FROM old
          WHERE p.user_id = old.user_id
         RETURNING p.user_id, p.status, p.online, p.last_seen_at, old.online AS was_online),
       created AS (
         INSERT INTO user_presence (user_id, online, last_seen_at)
         SELECT id, true, now() FROM users
          WHERE id = ANY($1::uuid[]) AND id NOT IN (SELECT user_id FROM old)
          ORDER BY id
         ON CONFLICT DO NOTHING
         RETURNING user_id, status, online, last_seen_at)
       SELECT user_id, status, online, last_seen_at FROM updated WHERE NOT was_online
       UNION ALL
       SELECT user_id, status, online, last_seen_at FROM created`,
      [userIds],
    );
  }

  /** Of these users, the rows marked online, locked in id order (as every batch takes them). */
  async lockOnline(em: EntityManager, userIds: readonly string[]): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      em,
      `SELECT user_id FROM user_presence
        WHERE user_id = ANY($1::uuid[]) AND online ORDER BY user_id FOR UPDATE`,
      [userIds],
    );
    return rows.map((r) => r.user_id);
  }

  /** Marks these users offline (their rows locked by the caller); the rows as they are now. */
  async markOffline(em: EntityManager, userIds: readonly string[]): Promise<PresenceRow[]> {
    if (userIds.length === 0) return [];
    return queryRows<PresenceRow>(
      em,
      `UPDATE user_presence
          SET online = false, last_seen_at = coalesce(last_seen_at, now()), updated_at = now()
        WHERE user_id = ANY($1::uuid[])
        RETURNING user_id, status, online, last_seen_at`,
      [userIds],
    );
  }

  async update(
    em: EntityManager,
    userId: string,
    set: { online: boolean; status?: ChosenStatus; touch: boolean },
  ): Promise<PresenceRow> {
    const rows = await queryRows<PresenceRow>(
      em,
      `UPDATE user_presence
          SET online = $2,
              status = coalesce($3, status),
              last_seen_at = CASE WHEN $4 THEN now() ELSE coalesce(last_seen_at, now()) END,
              updated_at = now()
        WHERE user_id = $1
        RETURNING user_id, status, online, last_seen_at`,
      [userId, set.online, set.status ?? null, set.touch],
    );
    return rows[0];
  }

  async touch(userId: string): Promise<void> {
    await queryRows(
      this.db.manager,
      `UPDATE user_presence SET last_seen_at = now(), updated_at = now() WHERE user_id = $1`,
      [userId],
    );
  }

  async onlineUserIds(): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      this.db.manager,
      `SELECT user_id FROM user_presence WHERE online`,
    );
    return rows.map((r) => r.user_id);
  }

  /** The stored state of each user, in the order given (null: never seen). */
  async states(userIds: string[]): Promise<(PresenceRow | null)[]> {
    const rows = await queryRows<PresenceRow>(
      this.db.manager,
      `SELECT user_id, status, online, last_seen_at FROM user_presence WHERE user_id = ANY($1::uuid[])`,
      [userIds],
    );
    const byId = new Map(rows.map((r) => [r.user_id, r]));
    return userIds.map((userId) => byId.get(userId) ?? null);
  }
}

export function toPresenceView(r: PresenceRow): PresenceView {
  return {
    userId: r.user_id,
    status: r.online ? r.status : 'offline',
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
  };
}
