import { randomBytes } from 'node:crypto';
import { createTestDatabase } from './databases.js';
import { ServerProcess } from './server-process.js';
import { seedUsers, SeededUser } from './seed-users.js';
import { TcpProxy } from './tcp-proxy.js';

/** An integer knob of a fault test (scaled down while developing, full size in CI). */
export function knob(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

/** Environment of every node in the fault tests: limits out of the way, liveness checks quick. */
export function faultEnv(extra: Record<string, string> = {}): Record<string, string> {
  const tag = randomBytes(4).toString('hex');
  return {
    WS_RATE_LIMIT: '1000000',
    WS_CONNECT_RATE_PER_IP: '1000000',
    WS_HEARTBEAT_MS: '2000',
    HISTORY_MAX_EVENTS: '100000',
    // Keys of this run only: test files share the Redis server.
    PRESENCE_REDIS_PREFIX: `fault-presence-${tag}:`,
    RATE_LIMIT_REDIS_PREFIX: `fault-rl-${tag}:`,
    ...extra,
  };
}

export interface Cluster {
  databaseUrl: string;
  nodes: ServerProcess[];
  /** The load balancer: round-robin over the nodes that accept. */
  proxy: TcpProxy;
}

/** Two (or `n`) server processes on one new database and `redisUrl`, behind a TCP proxy. */
export async function startCluster(
  redisUrl: string,
  env: Record<string, string>,
  n = 2,
): Promise<Cluster> {
  const databaseUrl = await createTestDatabase('fault');
  // One at a time: the first applies the migrations.
  const nodes = [await ServerProcess.start({ databaseUrl, redisUrl, env })];
  for (let i = 1; i < n; i++) nodes.push(await ServerProcess.start({ databaseUrl, redisUrl, env }));
  const proxy = await TcpProxy.start(nodes.map((s) => s.port));
  return { databaseUrl, nodes, proxy };
}

/** A group conversation of `owner` with `others`, created over REST; returns its id. */
export async function createGroup(
  baseUrl: string,
  owner: SeededUser,
  others: SeededUser[],
  title: string,
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` },
    body: JSON.stringify({ participantIds: others.map((u) => u.id), title }),
  });
  if (res.status !== 201) throw new Error(`create conversation: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** A channel's latest offset, read over REST (`GET /api/channels/:channel/events`). */
export async function latestOffset(
  baseUrl: string,
  user: SeededUser,
  channel: string,
): Promise<number> {
  const res = await fetch(
    `${baseUrl}/api/channels/${encodeURIComponent(channel)}/events?since=0&limit=1`,
    { headers: { authorization: `Bearer ${user.accessToken}` } },
  );
  if (res.status !== 200) throw new Error(`events of ${channel}: ${res.status}`);
  return ((await res.json()) as { offset: number }).offset;
}

export { seedUsers };
