/** What the presence service wants to hear from a counter. */
export interface CounterHandlers {
  /** Offline checks that came due (this instance claimed them). */
  due(userIds: string[]): Promise<void>;
  /** Users of this instance whose registration was lost (e.g. taken for dead): announce them again. */
  revived(userIds: string[]): Promise<void>;
}

/**
 * Counts each user's open sockets on this instance and answers whether a user
 * has a socket on any live instance. Offline checks are scheduled here too, so
 * that with Redis any instance may run a check that a stopped one scheduled.
 */
export abstract class SocketCounter {
  abstract readonly kind: 'local' | 'redis';
  protected readonly local = new Map<string, number>();
  protected handlers: CounterHandlers = {
    due: async () => undefined,
    revived: async () => undefined,
  };

  async start(handlers: CounterHandlers): Promise<void> {
    this.handlers = handlers;
  }

  localCount(userId: string): number {
    return this.local.get(userId) ?? 0;
  }

  /** One more socket of the user here; returns this instance's count. */
  async add(userId: string): Promise<number> {
    const n = this.localCount(userId) + 1;
    this.local.set(userId, n);
    await this.publishCount(userId, n);
    return n;
  }

  /** One socket fewer; at zero an offline check comes due after `graceMs`. */
  async remove(userId: string, graceMs: number): Promise<number> {
    const n = Math.max(0, this.localCount(userId) - 1);
    if (n > 0) this.local.set(userId, n);
    else this.local.delete(userId);
    await this.publishCount(userId, n);
    if (n === 0) await this.scheduleCheck([userId], graceMs);
    return n;
  }

  abstract scheduleCheck(userIds: string[], delayMs: number): Promise<void>;
  abstract isOnlineAnywhere(userId: string): Promise<boolean>;
  /** Graceful stop: this instance's users stay present for `graceMs` (time to reconnect elsewhere). */
  abstract stop(graceMs: number): Promise<void>;
  protected abstract publishCount(userId: string, count: number): Promise<void>;
}

/** One instance, no Redis: counts and grace timers in this process. */
export class LocalSocketCounter extends SocketCounter {
  readonly kind = 'local' as const;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  async scheduleCheck(userIds: string[], delayMs: number): Promise<void> {
    if (this.stopped) return;
    for (const userId of userIds) {
      const previous = this.timers.get(userId);
      if (previous) clearTimeout(previous);
      const timer = setTimeout(() => {
        this.timers.delete(userId);
        if (!this.stopped) void this.handlers.due([userId]);
      }, delayMs);
      timer.unref();
      this.timers.set(userId, timer);
    }
  }

  async isOnlineAnywhere(userId: string): Promise<boolean> {
    return this.localCount(userId) > 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  protected async publishCount(): Promise<void> {}
}
