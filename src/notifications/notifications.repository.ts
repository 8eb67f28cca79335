import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { CreateNotificationInput } from './notifications.types.js';
import { queryRows } from '../common/sql-rows.js';

export interface NotificationRow {
  id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
  entity_type: string | null;
  entity_id: string | null;
  read_at: Date | null;
  delivered_at: Date | null;
  acked_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id, user_id, type, title, body, link, entity_type, entity_id,
  read_at, delivered_at, acked_at, created_at`;

/** SQL of the `notifications` table. Methods taking an EntityManager run in the caller's transaction. */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly db: DataSource) {}

  async insert(em: EntityManager, input: CreateNotificationInput): Promise<NotificationRow> {
    const rows: NotificationRow[] = await queryRows(
      em,
      `INSERT INTO notifications (user_id, type, title, body, link, entity_type, entity_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        input.userId,
        input.type,
        input.title,
        input.body,
        input.link ?? null,
        input.entity?.type ?? null,
        input.entity?.id ?? null,
      ],
    );
    return rows[0];
  }

  /** Newest first, keyset on (created_at, id); `after` is the id of the last item of the previous page. */
  async page(
    userId: string,
    opts: { unread: boolean; after?: string; limit: number },
  ): Promise<NotificationRow[] | null> {
    const params: unknown[] = [userId, opts.limit];
    let where = 'n.user_id = $1';
    if (opts.unread) where += ' AND n.read_at IS NULL';
    if (opts.after !== undefined) {
      const cursor: unknown[] = await queryRows(
        this.db,
        'SELECT 1 FROM notifications WHERE id = $1 AND user_id = $2',
        [opts.after, userId],
      );
      if (cursor.length === 0) return null;
      params.push(opts.after);
      where += ` AND (n.created_at, n.id) < (SELECT c.created_at, c.id FROM notifications c WHERE c.id = $3)`;
    }
    return queryRows(
      this.db,
      `SELECT ${COLUMNS} FROM notifications n WHERE ${where}
        ORDER BY n.created_at DESC, n.id DESC LIMIT $2`,
      params,
    );
  }

  async unreadCount(userId: string, em?: EntityManager): Promise<number> {
    const rows: { n: string }[] = await queryRows(
      em ?? this.db,
      'SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL',
      [userId],
    );
    return Number(rows[0].n);
  }

  /**
   * Marks the user's notifications read (those given, or all unread ones).
   * Returns the ids that changed. A read notification is no longer pushed at connect.
   */
  async markRead(em: EntityManager, userId: string, ids: string[] | 'all'): Promise<string[]> {
    const rows: { id: string }[] =
      ids === 'all'
        ? await queryRows(
            em,
            `UPDATE notifications SET read_at = now(), updated_at = now()
              WHERE user_id = $1 AND read_at IS NULL RETURNING id`,
            [userId],
          )
        : await queryRows(
            em,
            `UPDATE notifications SET read_at = now(), updated_at = now()
              WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL RETURNING id`,
            [userId, ids],
          );
    return rows.map((r) => r.id);
  }

  /** Marks the given notifications of the user acknowledged; returns the ids that changed. */
  async markAcked(em: EntityManager, userId: string, ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await queryRows(
      em,
      `UPDATE notifications SET acked_at = now(), delivered_at = coalesce(delivered_at, now()), updated_at = now()
        WHERE user_id = $1 AND id = ANY($2::uuid[]) AND acked_at IS NULL RETURNING id`,
      [userId, ids],
    );
    return rows.map((r) => r.id);
  }

  /** The newest `limit` notifications still waiting for an acknowledgement, oldest first. */
  async pending(userId: string, limit: number): Promise<NotificationRow[]> {
    const newest = await queryRows<NotificationRow>(
      this.db,
      `SELECT ${COLUMNS} FROM notifications
        WHERE user_id = $1 AND acked_at IS NULL AND read_at IS NULL
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [userId, limit],
    );
    return newest.reverse();
  }

  /**
   * `pending` for many users in one round trip (sessions opening at the same
   * moment): each user's list in the order asked.
   */
  async pendingMany(userIds: readonly string[], limit: number): Promise<NotificationRow[][]> {
    const rows = await queryRows<NotificationRow & { i: string }>(
      this.db,
      `SELECT q.i, n.* FROM unnest($1::uuid[]) WITH ORDINALITY AS q(uid, i)
        CROSS JOIN LATERAL (
          SELECT ${COLUMNS} FROM notifications
           WHERE user_id = q.uid AND acked_at IS NULL AND read_at IS NULL
           ORDER BY created_at DESC, id DESC LIMIT $2) n
        ORDER BY q.i, n.created_at, n.id`,
      [userIds, limit],
    );
    const lists: NotificationRow[][] = userIds.map(() => []);
    for (const { i, ...row } of rows) lists[Number(i) - 1].push(row);
    return lists;
  }

  async markDelivered(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await queryRows(
      this.db,
      `UPDATE notifications SET delivered_at = now(), updated_at = now()
        WHERE id = ANY($1::uuid[]) AND delivered_at IS NULL`,
      [ids],
    );
  }
}
