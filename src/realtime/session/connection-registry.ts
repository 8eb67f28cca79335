import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import { ChannelHub } from '../hub/channel-hub.js';
import { RealtimeSession, RealtimeSubscription, RtSession, Subscription } from './session.js';

export type SessionHook = (session: RealtimeSession) => void | Promise<void>;
export type SubscriptionHook = (sub: RealtimeSubscription) => void | Promise<void>;

/** How long the opening hooks of a session may hold its `connected` frame back. */
const OPENING_HOOKS_TIMEOUT_MS = 5000;

/**
 * Every open session of this node, by id and by user, and the lifecycle hooks
 * modules hang on sessions (through RealtimeService, never directly).
 */
@Injectable()
export class ConnectionRegistry {
  private readonly byId = new Map<string, RtSession>();
  private readonly byUser = new Map<string, Set<RtSession>>();
  private readonly openingHooks: SessionHook[] = [];
  private readonly closedHooks: SessionHook[] = [];
  private readonly userChannelHooks: SubscriptionHook[] = [];

  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    hub: ChannelHub,
  ) {
    hub.onUserChannelJoined = (sub) => this.userChannelReady(sub);
  }

  get size(): number {
    return this.byId.size;
  }
  get userCount(): number {
    return this.byUser.size;
  }

  all(): IterableIterator<RtSession> {
    return this.byId.values();
  }

  sessionsOf(userId: string): ReadonlySet<RtSession> {
    return this.byUser.get(userId) ?? new Set();
  }

  isConnected(userId: string): boolean {
    return (this.byUser.get(userId)?.size ?? 0) > 0;
  }

  /** Runs when a session becomes a user's (at connect, or an anonymous one after `auth`), before the client is told. */
  onOpening(fn: SessionHook): void {
    this.openingHooks.push(fn);
  }
  /** Runs when a session closed. */
  onClosed(fn: SessionHook): void {
    this.closedHooks.push(fn);
  }
  /** Runs once a subscription of a session to its own user channel is live. */
  onUserChannelReady(fn: SubscriptionHook): void {
    this.userChannelHooks.push(fn);
  }

  add(session: RtSession): void {
    this.byId.set(session.id, session);
    this.indexUser(session);
  }

  /**
   * The session is a user's from now on (it was just accepted, or an anonymous
   * session authenticated): indexes it and runs the opening hooks. Resolves when
   * they are done, so that the kernel tells the client only then (a presence read
   * right after `connected` sees the user online). A failing or slow hook is
   * logged, never fatal to the connection.
   */
  async opened(session: RtSession): Promise<void> {
    this.indexUser(session);
    if (this.openingHooks.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn({ sessionId: session.id }, 'session opening hooks timed out');
        resolve();
      }, OPENING_HOOKS_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([
      Promise.all(this.openingHooks.map((fn) => this.run(fn, session))),
      timeout,
    ]);
    clearTimeout(timer);
  }

  private userChannelReady(sub: Subscription): void {
    for (const fn of this.userChannelHooks) void this.run(() => fn(sub), sub.session);
  }

  remove(session: RtSession): void {
    if (!this.byId.delete(session.id)) return;
    if (session.user) {
      const set = this.byUser.get(session.user.id);
      set?.delete(session);
      if (set && set.size === 0) this.byUser.delete(session.user.id);
    }
    for (const fn of this.closedHooks) void this.run(fn, session);
  }

  private indexUser(session: RtSession): void {
    if (!session.user) return;
    let set = this.byUser.get(session.user.id);
    if (!set) this.byUser.set(session.user.id, (set = new Set()));
    set.add(session);
  }

  private async run(fn: SessionHook, session: RtSession): Promise<void> {
    try {
      await fn(session);
    } catch (err) {
      this.logger.warn({ err, sessionId: session.id }, 'session hook failed');
    }
  }
}
