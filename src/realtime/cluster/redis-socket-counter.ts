import type { Redis } from 'ioredis';
import type { Logger as PinoLogger } from 'pino';
import { SocketCounter } from './socket-counter.js';

/**
 * Takes nodes out of users' sets (KEYS[1] the `online` set; ARGV[1] the user-key
 * prefix, ARGV[2] the user, ARGV[3..] the nodes); a user left with no node
 * leaves `online`. In one script, so that `online` never disagrees with the
 * sets, whichever instances write at once.
 */
const DETACH = `
local userKey = ARGV[1] .. ARGV[2]
for i = 3, #ARGV do redis.call('SREM', userKey, ARGV[i]) end
if redis.call('SCARD', userKey) == 0 then redis.call('SREM', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * Socket counts of every instance in Redis (keys under `prefix`):
 *   nodes        ZSET node -> heartbeat expiry (ms); a node past it is dead
 *   node:{n}     HASH user -> that node's socket count
 *   user:{u}     SET of nodes holding a socket of the user
 *   online       SET of users held by at least one node (so each counts once)
 *   due          ZSET user -> when an offline check is due
 * Every instance sweeps: it claims dead nodes and due checks with ZREM (only one
 * instance gets 1 back), so a dead instance's users get their offline check
 * after its heartbeat TTL, and a check scheduled by a stopped instance still runs.
 */
export class RedisSocketCounter extends SocketCounter {
  readonly kind = 'redis' as const;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private registered = false;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly sweepMs: number,
    private readonly logger: PinoLogger,
  ) {
    super();
  }

  private get nodesKey(): string {
    return `${this.prefix}nodes`;
  }
  private get onlineKey(): string {
    return `${this.prefix}online`;
  }
  private get dueKey(): string {
    return `${this.prefix}due`;
  }
  private nodeKey(node: string): string {
    return `${this.prefix}node:${node}`;
  }
  private userKey(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  override async start(handlers: Parameters<SocketCounter['start']>[0]): Promise<void> {
    await super.start(handlers);
    await this.whenReady();
    await this.heartbeat();
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat(),
      Math.max(100, Math.floor(this.ttlMs / 3)),
    );
    this.heartbeatTimer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), this.sweepMs);
    this.sweepTimer.unref();
  }

  async scheduleCheck(userIds: string[], delayMs: number): Promise<void> {
    if (userIds.length === 0) return;
    const at = Date.now() + delayMs;
    await this.redis.zadd(this.dueKey, ...userIds.flatMap((u) => [at, u]));
  }

  async isOnlineAnywhere(userId: string): Promise<boolean> {
    if (this.localCount(userId) > 0) return true;
    const nodes = await this.redis.smembers(this.userKey(userId));
    if (nodes.length === 0) return false;
    const scores = await this.redis.zmscore(this.nodesKey, ...nodes);
    const now = Date.now();
    const dead = nodes.filter((_, i) => scores[i] === null || Number(scores[i]) <= now);
    if (dead.length > 0) await this.detach(userId, dead);
    return dead.length < nodes.length;
  }

  /** Users with a socket on any live instance, each once (`stats.users`). */
  async onlineUsers(): Promise<number> {
    return this.redis.scard(this.onlineKey);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    // Our users stay present for the grace period; then any instance sweeps us as dead.
    await this.redis
      .zadd(this.nodesKey, Date.now() + graceMs, this.nodeId)
      .catch((err: unknown) => {
        this.logger.warn({ err }, 'presence: could not hand over at shutdown');
      });
  }

  protected async publishCount(userId: string, count: number): Promise<void> {
    if (count > 0) {
      const m = this.redis.multi();
      m.hset(this.nodeKey(this.nodeId), userId, count);
      m.sadd(this.userKey(userId), this.nodeId);
      m.sadd(this.onlineKey, userId);
      await m.exec();
      return;
    }
    await this.redis.hdel(this.nodeKey(this.nodeId), userId);
    await this.detach(userId, [this.nodeId]);
  }

  private async detach(userId: string, nodes: string[]): Promise<void> {
    await this.redis.eval(DETACH, 1, this.onlineKey, `${this.prefix}user:`, userId, ...nodes);
  }

  private async whenReady(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, 5000);
      this.redis.once('ready', done);
    });
  }

  /** Extends our expiry; when other instances took us for dead meanwhile, registers our users again. */
  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    try {
      const score = await this.redis.zscore(this.nodesKey, this.nodeId);
      await this.redis.zadd(this.nodesKey, Date.now() + this.ttlMs, this.nodeId);
      await this.redis.pexpire(this.nodeKey(this.nodeId), this.ttlMs * 10);
      if (score === null && this.registered && this.local.size > 0) {
        const users = [...this.local.keys()];
        this.logger.warn({ users: users.length }, 'presence: this instance was taken for dead');
        for (const [u, n] of this.local) await this.publishCount(u, n);
        await this.handlers.revived(users);
      }
      this.registered = true;
    } catch (err) {
      this.logger.warn({ err }, 'presence heartbeat failed');
    }
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      await this.claimDeadNodes();
      await this.claimDueChecks();
    } catch (err) {
      this.logger.warn({ err }, 'presence sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  private async claimDeadNodes(): Promise<void> {
    const now = Date.now();
    const dead = await this.redis.zrangebyscore(this.nodesKey, '-inf', now);
    for (const node of dead) {
      if (node === this.nodeId) continue;
      if ((await this.redis.zrem(this.nodesKey, node)) !== 1) continue;
      const users = await this.redis.hkeys(this.nodeKey(node));
      for (const u of users) await this.detach(u, [node]);
      const m = this.redis.multi();
      m.del(this.nodeKey(node));
      if (users.length > 0) m.zadd(this.dueKey, ...users.flatMap((u) => [now, u]));
      await m.exec();
    }
  }

  private async claimDueChecks(): Promise<void> {
    const due = await this.redis.zrangebyscore(this.dueKey, '-inf', Date.now(), 'LIMIT', 0, 500);
    const claimed: string[] = [];
    for (const u of due) if ((await this.redis.zrem(this.dueKey, u)) === 1) claimed.push(u);
    if (claimed.length > 0) await this.handlers.due(claimed);
  }
}
