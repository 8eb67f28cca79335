import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';
import { RedisBus } from '../bus/redis.bus.js';
import { RedisSocketCounter } from './redis-socket-counter.js';
import { SocketCounter } from './socket-counter.js';
import { ChannelHub } from '../hub/channel-hub.js';
import { ConnectionRegistry } from '../session/connection-registry.js';

export interface NodeStats {
  nodeId: string;
  connections: number;
  users: number;
  channels: number;
  subscriptions: number;
  at: string;
}

const REPORT_MS = 5000;
const KEY_PREFIX = 'rt:node:';

/**
 * Totals for the `stats` command: this node's own figures, and with Redis every
 * live node's (each node writes its figures under a key that expires).
 */
@Injectable()
export class ClusterStats implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly registry: ConnectionRegistry,
    private readonly hub: ChannelHub,
    private readonly counter: SocketCounter,
  ) {}

  onModuleInit(): void {
    if (!(this.bus instanceof RedisBus)) return;
    this.timer = setInterval(() => void this.report(), REPORT_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  local(): NodeStats {
    return {
      nodeId: this.bus.nodeId,
      connections: this.registry.size,
      users: this.registry.userCount,
      channels: this.hub.channelCount,
      subscriptions: this.hub.subscriptionCount(),
      at: new Date().toISOString(),
    };
  }

  async snapshot(): Promise<Record<string, unknown>> {
    const node = this.local();
    const nodes = await this.otherNodes(node);
    const all = [node, ...nodes];
    return {
      connections: sum(all, 'connections'),
      users: (await this.distinctUsers()) ?? sum(all, 'users'),
      channels: sum(all, 'channels'),
      subscriptions: sum(all, 'subscriptions'),
      nodes: all.length,
      node,
    };
  }

  /**
   * A user with sockets on two nodes is one user: with Redis, the socket
   * counter's set of users held by any live node; null when it cannot say.
   */
  private async distinctUsers(): Promise<number | null> {
    if (!(this.counter instanceof RedisSocketCounter)) return null;
    try {
      return await this.counter.onlineUsers();
    } catch {
      return null;
    }
  }

  private async report(): Promise<void> {
    if (!(this.bus instanceof RedisBus) || this.bus.pub.status !== 'ready') return;
    await this.bus.pub
      .set(KEY_PREFIX + this.bus.nodeId, JSON.stringify(this.local()), 'PX', REPORT_MS * 3)
      .catch(() => undefined);
  }

  private async otherNodes(self: NodeStats): Promise<NodeStats[]> {
    if (!(this.bus instanceof RedisBus) || this.bus.pub.status !== 'ready') return [];
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await this.bus.pub.scan(
          cursor,
          'MATCH',
          `${KEY_PREFIX}*`,
          'COUNT',
          100,
        );
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      const others = keys.filter((k) => k !== KEY_PREFIX + self.nodeId);
      if (others.length === 0) return [];
      const values = await this.bus.pub.mget(...others);
      return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeStats);
    } catch {
      return [];
    }
  }
}

function sum(
  list: NodeStats[],
  key: 'connections' | 'users' | 'channels' | 'subscriptions',
): number {
  return list.reduce((n, s) => n + s[key], 0);
}
