import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { GroupCommit } from '../common/group-commit.js';
import { SocketCounter } from '../realtime/cluster/socket-counter.js';
import { RealtimeService, type RealtimeSession } from '../realtime/realtime.service.js';
import { PresenceView, SetPresenceBody } from './dto/presence.dto.js';
import { PresenceAccess } from './presence.access.js';
import { PRESENCE_CHANNEL } from './presence.events.js';
import { PresenceRepository, toPresenceView } from './presence.repository.js';

/**
 * Who is online. A user is online while at least one of their sockets is open
 * on any instance (SocketCounter: in-process, or per-instance counts in Redis);
 * offline is announced only after PRESENCE_GRACE_MS without any socket, so a
 * reload does not flap. The announced state lives in `user_presence` and every
 * transition takes that row's lock, so instances never announce twice or in the
 * wrong direction. A shutting-down instance does not count its closing sockets
 * (its users reconnect elsewhere within the grace period).
 */
@Injectable()
export class PresenceService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  /** Sessions counted for presence (authenticated sockets). */
  private readonly counted = new Set<string>();
  /** Per-user queue: a user's opens, closes and checks run one after another on this node. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Online marks of the same moment share one statement (see markOnlineMany). */
  private readonly onlineMarks = GroupCommit.ofBatches((userIds: string[]) =>
    this.markOnlineMany(userIds),
  );
  /** Offline checks that came due together share one transaction (see checkOfflineMany). */
  private readonly offlineChecks = GroupCommit.ofBatches((userIds: string[]) =>
    this.checkOfflineMany(userIds),
  );
  private shuttingDown = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly counter: SocketCounter,
    private readonly realtime: RealtimeService,
    private readonly repo: PresenceRepository,
    private readonly access: PresenceAccess,
  ) {}

  onModuleInit(): void {
    this.realtime.onSessionOpening((s) => this.sessionOpened(s));
    this.realtime.onSessionClosed((s) => this.sessionClosed(s));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.counter.start({
      due: (userIds) => this.checkAll(userIds),
      revived: (userIds) => this.reannounce(userIds),
    });
    // Users left online by a previous run: offline after the grace unless they are back.
    const stale = await this.repo.onlineUserIds();
    await this.counter.scheduleCheck(stale, this.config.presence.graceMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.allSettled([...this.queues.values()]);
    await this.counter.stop(this.config.presence.graceMs);
  }

  // Commands

  /** `presence.set` / `PUT /api/presence/me`: the chosen status, announced at once. */
  async set(user: AuthUser, dto: SetPresenceBody): Promise<PresenceView> {
    await this.access.requireReader(user);
    const view = await this.realtime.transaction(async (tx) => {
      await this.repo.lock(tx.em, user.id, true);
      const row = await this.repo.update(tx.em, user.id, {
        online: true,
        status: dto.status,
        touch: true,
      });
      const view = toPresenceView(row);
      tx.ephemeral(PRESENCE_CHANNEL, 'presence.changed', view);
      return view;
    });
    // Set over REST without a socket: present for the grace period, like a last socket closing.
    if (!(await this.counter.isOnlineAnywhere(user.id)))
      await this.counter.scheduleCheck([user.id], this.config.presence.graceMs);
    return view;
  }

  /**
   * The announced state, except for users whose socket is counted but whose
   * online mark is still being written: a socket is counted before its client
   * is told it is connected, so from then on every node reads the user online.
   */
  async get(user: AuthUser, userIds: string[]): Promise<PresenceView[]> {
    await this.access.requireReader(user);
    const ids = [...new Set(userIds)];
    const states = await this.repo.states(ids);
    return Promise.all(
      ids.map(async (userId, i) => {
        const row = states[i];
        if (row?.online) return toPresenceView(row);
        if (!(await this.counter.isOnlineAnywhere(userId)))
          return row ? toPresenceView(row) : { userId, status: 'offline', lastSeenAt: null };
        return {
          userId,
          status: row?.status ?? 'online',
          lastSeenAt: row?.last_seen_at?.toISOString() ?? new Date().toISOString(),
        };
      }),
    );
  }

  // Sockets

  /**
   * Counted before the client hears `connected` (the kernel waits for this
   * hook); the online mark and its `presence.changed` follow right after.
   */
  private async sessionOpened(session: RealtimeSession): Promise<void> {
    const user = session.user;
    if (session.transport !== 'ws' || !user || this.shuttingDown) return;
    if (this.counted.has(session.id)) return;
    this.counted.add(session.id);
    let first = false;
    await this.enqueue(user.id, async () => {
      first = (await this.counter.add(user.id)) === 1;
    });
    if (first) void this.enqueue(user.id, () => this.markOnline(user.id));
  }

  private sessionClosed(session: RealtimeSession): Promise<void> {
    const user = session.user;
    if (!user || !this.counted.delete(session.id)) return Promise.resolve();
    // A draining instance leaves its users' presence to the grace period (rolling restart).
    if (this.shuttingDown) return Promise.resolve();
    return this.enqueue(user.id, async () => {
      if ((await this.counter.remove(user.id, this.config.presence.graceMs)) === 0)
        await this.repo.touch(user.id);
    });
  }

  /** Offline → online: announced once, whichever instance gets the row first. */
  private async markOnline(userId: string): Promise<void> {
    await this.onlineMarks.submit(userId);
  }

  /**
   * One statement for every user that came online at the same moment (a
   * reconnect storm), instead of a transaction of round trips each; the ones
   * that were offline are announced once it has committed.
   */
  private async markOnlineMany(userIds: string[]): Promise<true[]> {
    for (const row of await this.repo.markOnline(userIds))
      this.realtime.publishEphemeral(PRESENCE_CHANNEL, 'presence.changed', toPresenceView(row));
    return userIds.map(() => true);
  }

  /** Online → offline, only when no live instance holds a socket of the user (checked under the row lock). */
  private async checkOffline(userId: string): Promise<void> {
    await this.offlineChecks.submit(userId);
  }

  /**
   * The checks that came due together (a drained node's users) in one
   * transaction: their online rows locked in id order, each user's sockets
   * counted under that lock, the ones with none anywhere marked offline in
   * one statement and announced after the commit. One batch at a time, so
   * thousands of checks never hold the pool the reconnecting sockets need.
   */
  private async checkOfflineMany(userIds: string[]): Promise<true[]> {
    await this.realtime.transaction(async (tx) => {
      const online = await this.repo.lockOnline(tx.em, userIds);
      const elsewhere = await Promise.all(online.map((u) => this.counter.isOnlineAnywhere(u)));
      const gone = online.filter((_, i) => !elsewhere[i]);
      for (const row of await this.repo.markOffline(tx.em, gone))
        tx.ephemeral(PRESENCE_CHANNEL, 'presence.changed', toPresenceView(row));
    });
    return userIds.map(() => true);
  }

  /**
   * After a drain most of the node's users are back elsewhere when their checks
   * come due: only those with no socket anywhere now get the locked check (a
   * transaction each), not every user of the node. One who is back is no one's
   * to mark offline; one who leaves later schedules a check of their own.
   */
  private async checkAll(userIds: string[]): Promise<void> {
    const online = await Promise.all(userIds.map((u) => this.counter.isOnlineAnywhere(u)));
    const gone = userIds.filter((_, i) => !online[i]);
    await Promise.all(gone.map((u) => this.enqueue(u, () => this.checkOffline(u))));
  }

  private async reannounce(userIds: string[]): Promise<void> {
    await Promise.all(
      userIds.map((u) =>
        this.enqueue(u, async () => {
          if (this.counter.localCount(u) > 0) await this.markOnline(u);
        }),
      ),
    );
  }

  /**
   * Runs a user's presence work one at a time. Never rejects (a failure is
   * logged), so a caller may leave it running without awaiting it.
   */
  private enqueue(userId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((err: unknown) => this.logger.warn({ err, userId }, 'presence update failed'));
    this.queues.set(userId, next);
    void next.finally(() => {
      if (this.queues.get(userId) === next) this.queues.delete(userId);
    });
    return next;
  }
}
