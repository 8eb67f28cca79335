import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { UsersRepository } from '../auth/repositories/users.repository.js';
import { pageLimit } from '../common/dto/page.dto.js';
import { GroupCommit } from '../common/group-commit.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { userChannel } from '../realtime/channels/channel-name.js';
import {
  RealtimeService,
  RealtimeTx,
  type RealtimeSubscription,
} from '../realtime/realtime.service.js';
import type { CreateNotificationBody, ListNotificationsQuery } from './dto/notifications.dto.js';
import { NotificationsException } from './notifications.exception.js';
import { NotificationRow, NotificationsRepository } from './notifications.repository.js';
import type {
  CreateNotificationInput,
  NotificationEventView,
  NotificationPage,
  NotificationStateChangeView,
  NotificationView,
} from './notifications.types.js';

export type { CreateNotificationInput, NotificationView } from './notifications.types.js';

/** At most this many waiting notifications are pushed to a session when it opens (the newest). */
const PUSH_AT_CONNECT_MAX = 100;

/**
 * Notifications of one user: stored, announced as `notification.created` on
 * `user:{id}` in the writer's transaction, and pushed again to every session
 * the user opens until they are acknowledged or read.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  /** The waiting notifications of sessions opening at the same moment, read in one query. */
  private readonly pendingReads = new GroupCommit<string, NotificationRow[]>(
    (userIds) => this.repo.pendingMany(userIds, PUSH_AT_CONNECT_MAX),
    (userId) => this.repo.pending(userId, PUSH_AT_CONNECT_MAX),
  );

  constructor(
    private readonly realtime: RealtimeService,
    private readonly repo: NotificationsRepository,
    private readonly users: UsersRepository,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
  ) {}

  onModuleInit(): void {
    // Read only once the session gets `user:{id}` live: a notification committed
    // in between is then either read here or delivered live, never neither.
    this.realtime.onUserChannelReady((sub) => this.pushPending(sub));
  }

  /**
   * Creates a notification for `input.userId`. With `tx`, the row and its event
   * belong to the caller's transaction (nothing is published if it rolls back).
   */
  async create(input: CreateNotificationInput, tx?: RealtimeTx): Promise<NotificationView> {
    if (tx) return this.createIn(tx, input);
    return this.realtime.transaction((t) => this.createIn(t, input));
  }

  /** `POST /api/notifications` (admins). */
  async createByAdmin(dto: CreateNotificationBody): Promise<NotificationView> {
    return this.realtime.transaction(async (tx) => {
      if (!(await this.users.exists(tx.em, dto.userId)))
        throw NotificationsException.userNotFound();
      return this.createIn(tx, {
        userId: dto.userId,
        type: dto.type ?? 'admin.message',
        title: dto.title,
        body: dto.body,
        link: dto.link,
      });
    });
  }

  async list(user: AuthUser, q: ListNotificationsQuery): Promise<NotificationPage> {
    const limit = pageLimit(q);
    const rows = await this.repo.page(user.id, {
      unread: q.unread === true,
      after: q.cursor,
      limit: limit + 1,
    });
    if (rows === null) throw NotificationsException.badCursor();
    const page = rows.slice(0, limit);
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit ? page[page.length - 1].id : null,
      unreadCount: await this.repo.unreadCount(user.id),
    };
  }

  /** `notification.read` / `POST /api/notifications/read`: by ids, or every unread one. */
  async read(
    user: AuthUser,
    input: { ids?: string[]; all?: boolean },
  ): Promise<NotificationStateChangeView> {
    if (input.all !== true && (input.ids === undefined || input.ids.length === 0))
      throw NotificationsException.nothingToRead();
    return this.realtime.transaction(async (tx) => {
      const ids = await this.repo.markRead(tx.em, user.id, input.all === true ? 'all' : input.ids!);
      const readAt = new Date().toISOString();
      const unreadCount = await this.repo.unreadCount(user.id, tx.em);
      const result = { ids, readAt, unreadCount };
      if (ids.length > 0) await tx.append(userChannel(user.id), 'notification.read', result);
      return result;
    });
  }

  /**
   * `notification.ack` / `POST /api/notifications/ack`: the client has shown them,
   * so they are no longer pushed at connect. Announced with the contract's
   * `notification.read` event (data carries `ackedAt`, not `readAt`), so the
   * user's other devices can drop them from their pending list.
   */
  async ack(user: AuthUser, input: { ids: string[] }): Promise<NotificationStateChangeView> {
    return this.realtime.transaction(async (tx) => {
      const ids = await this.repo.markAcked(tx.em, user.id, input.ids);
      const ackedAt = new Date().toISOString();
      const unreadCount = await this.repo.unreadCount(user.id, tx.em);
      const result = { ids, ackedAt, unreadCount };
      if (ids.length > 0) await tx.append(userChannel(user.id), 'notification.read', result);
      return result;
    });
  }

  /**
   * Sends the user's waiting notifications to a session that just opened, as
   * `event` frames on `user:{id}` without an offset (they are re-sends, not new
   * events of the channel).
   */
  async pushPending(sub: RealtimeSubscription): Promise<void> {
    const session = sub.session;
    const user = session.user;
    if (!user) return;
    try {
      const rows = await this.pendingReads.submit(user.id);
      if (rows.length === 0 || session.closed) return;
      this.realtime.deliver(
        sub,
        'notification.created',
        rows.map((row) => ({ data: toEventData(row), ts: row.created_at.toISOString() })),
      );
      await this.repo.markDelivered(rows.filter((r) => r.delivered_at === null).map((r) => r.id));
    } catch (err) {
      this.logger.warn({ err, userId: user.id }, 'could not push pending notifications');
    }
  }

  private async createIn(
    tx: RealtimeTx,
    input: CreateNotificationInput,
  ): Promise<NotificationView> {
    const row = await this.repo.insert(tx.em, input);
    await tx.append(userChannel(input.userId), 'notification.created', toEventData(row));
    tx.afterCommit(() => {
      // Best effort: a socket of the user on this node got it live.
      if (this.realtime.isConnectedHere(input.userId))
        this.repo.markDelivered([row.id]).catch(() => undefined);
    });
    return toView(row);
  }
}

export function toEventData(row: NotificationRow): NotificationEventView {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    ...(row.link !== null ? { link: row.link } : {}),
    readAt: row.read_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export function toView(row: NotificationRow): NotificationView {
  return {
    ...toEventData(row),
    ...(row.entity_type !== null && row.entity_id !== null
      ? { entity: { type: row.entity_type, id: row.entity_id } }
      : {}),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    ackedAt: row.acked_at?.toISOString() ?? null,
  };
}
