import { createPublicKey, randomBytes } from 'node:crypto';
import { trustListProblem, type TrustProxy } from '../common/http/client-address.js';

/** The whole configuration, parsed once at start-up. Nothing else reads process.env. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: string;
  /** Unset: an embedded PostgreSQL under `dataDir` is started. */
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  jwt: JwtConfig;
  adminEmails: ReadonlySet<string>;
  /**
   * When set, an ADMIN_EMAILS address becomes admin only by presenting it (header
   * `X-Admin-Bootstrap-Secret`) at registration or at its first sign-in; the
   * role is then stored, and the list alone no longer grants it.
   */
  adminBootstrapSecret: string | undefined;
  corsOrigins: readonly string[] | undefined;
  /**
   * The bearer token `/metrics` requires. Unset: `/metrics` is open outside
   * production and closed (403) in production.
   */
  metricsToken: string | undefined;
  /** Which peers' `X-Forwarded-For` names the client (per-IP limits, logs): see client-address.ts. */
  trustProxy: TrustProxy;
  bodyLimitBytes: number;
  /**
   * Sign-in attempts: `perIp` per address and `perEmail` per address and email
   * per `windowMs`; `emailCeiling` per email from all addresses together per
   * `emailCeilingWindowMs`.
   */
  authRate: {
    perIp: number;
    perEmail: number;
    windowMs: number;
    emailCeiling: number;
    emailCeilingWindowMs: number;
  };
  /** With Redis: prefix of the shared rate-limit buckets (separate deployments sharing one Redis). */
  rateLimitRedisPrefix: string;
  ws: WsConfig;
  /** People one user may invite (calendar invites, conversation adds) per window. */
  invites: { limit: number; windowMs: number };
  /**
   * Server-Sent Event streams: at most `maxPerUser` open per user and
   * `maxPerIp` per client address; one whose unsent bytes pass
   * `maxBufferedBytes` (a client that stopped reading) is ended.
   */
  sse: { maxPerUser: number; maxPerIp: number; maxBufferedBytes: number };
  history: { maxEvents: number; ttlMs: number; pruneIntervalMs: number };
  /** Typing indicators expire after `typingTtlMs`; chat notifications are batched per `notifyWindowMs`. */
  chat: { typingTtlMs: number; notifyWindowMs: number };
  /**
   * Offline is announced `graceMs` after a user's last socket closed. With Redis,
   * instance heartbeats expire after `instanceTtlMs`; keys start with `redisPrefix`.
   */
  presence: { graceMs: number; instanceTtlMs: number; redisPrefix: string };
  /** How often each instance claims due event reminders. */
  calendar: { reminderPollMs: number };
  shutdownTimeoutMs: number;
  /** Serve the demo app (built into dist/demo) at `/`. */
  demo: boolean;
  /** A write (socket command or REST write) not done by then is answered with an error. */
  commandTimeoutMs: number;
  /** Warnings gathered while parsing (logged once the logger exists). */
  warnings: string[];
}

export interface JwtConfig {
  algorithm: 'HS256' | 'RS256';
  /** HS256: the shared secret; RS256: the PEM public key. */
  verifyKey: string;
  /** HS256: the secret; RS256: the PEM private key when we issue tokens ourselves, else undefined. */
  signKey: string | undefined;
  accessTtlSec: number;
  refreshTtlSec: number;
  issuer: string | undefined;
  /**
   * With an issuer or an audience set, access tokens must carry them (`iss`,
   * `aud`) and say they are access tokens (`typ`): deployments that share an
   * issuer then cannot pass one service's tokens to another.
   */
  audience: string | undefined;
}

export interface WsConfig {
  maxPayload: number;
  heartbeatMs: number;
  idleTimeoutMs: number;
  allowAnonymous: boolean;
  rateLimit: number;
  rateWindowMs: number;
  /** Rate-limit breaches within one window that close the socket with 4429. */
  abuseThreshold: number;
  connectRatePerIp: number;
  commandMaxBytes: number;
  /** A connection whose unsent bytes pass this is closed as a slow consumer (4503). */
  maxBufferedBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'], 'development');
  const warnings: string[] = [];

  const jwt = readJwt(r, nodeEnv, warnings);
  const corsRaw = r.str('CORS_ORIGINS');
  const config: AppConfig = {
    nodeEnv,
    port: r.int('PORT', 3000, 0, 65535),
    host: r.str('HOST') ?? '0.0.0.0',
    logLevel: r.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: r.str('DATA_DIR') ?? './.data',
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    jwt,
    adminEmails: new Set(r.list('ADMIN_EMAILS').map((e) => e.toLowerCase())),
    adminBootstrapSecret: r.secret('ADMIN_BOOTSTRAP_SECRET', 16),
    corsOrigins: corsRaw === undefined ? undefined : r.list('CORS_ORIGINS'),
    metricsToken: r.secret('METRICS_TOKEN', 16),
    trustProxy: readTrustProxy(r),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    authRate: {
      perIp: r.int('AUTH_RATE_LIMIT_PER_IP', 30, 1, 1_000_000),
      perEmail: r.int('AUTH_RATE_LIMIT_PER_EMAIL', 5, 1, 1_000_000),
      windowMs: r.int('AUTH_RATE_WINDOW_MS', 60_000, 1000, 86_400_000),
      emailCeiling: r.int('AUTH_RATE_EMAIL_CEILING', 100, 1, 1_000_000),
      emailCeilingWindowMs: r.int(
        'AUTH_RATE_EMAIL_CEILING_WINDOW_MS',
        3_600_000,
        1000,
        7 * 86_400_000,
      ),
    },
    rateLimitRedisPrefix: r.str('RATE_LIMIT_REDIS_PREFIX') ?? 'rl:',
    ws: {
      maxPayload: r.int('WS_MAX_PAYLOAD', 64 * 1024, 1024, 16 * 1024 * 1024),
      heartbeatMs: r.int('WS_HEARTBEAT_MS', 25_000, 100, 3_600_000),
      idleTimeoutMs: r.int('WS_IDLE_TIMEOUT_MS', 5 * 60_000, 100, 86_400_000),
      allowAnonymous: r.bool('WS_ALLOW_ANONYMOUS', true),
      rateLimit: r.int('WS_RATE_LIMIT', 100, 1, 1_000_000),
      rateWindowMs: r.int('WS_RATE_WINDOW_MS', 60_000, 100, 86_400_000),
      abuseThreshold: r.int('WS_ABUSE_THRESHOLD', 10, 1, 1_000_000),
      connectRatePerIp: r.int('WS_CONNECT_RATE_PER_IP', 60, 1, 1_000_000),
      commandMaxBytes: r.int('WS_COMMAND_MAX_BYTES', 16 * 1024, 64, 16 * 1024 * 1024),
      maxBufferedBytes: r.int('WS_MAX_BUFFERED_BYTES', 1024 * 1024, 16 * 1024, 1024 ** 3),
    },
    invites: {
      limit: r.int('INVITE_RATE_LIMIT', 1000, 1, 1_000_000),
      windowMs: r.int('INVITE_RATE_WINDOW_MS', 3_600_000, 1000, 7 * 86_400_000),
    },
    sse: {
      maxPerUser: r.int('SSE_MAX_STREAMS_PER_USER', 10, 1, 1_000_000),
      maxPerIp: r.int('SSE_MAX_STREAMS_PER_IP', 100, 1, 1_000_000),
      maxBufferedBytes: r.int('SSE_MAX_BUFFERED_BYTES', 1024 * 1024, 16 * 1024, 1024 ** 3),
    },
    history: {
      maxEvents: r.int('HISTORY_MAX_EVENTS', 1000, 1, 10_000_000),
      ttlMs: r.duration('HISTORY_TTL', 24 * 3600) * 1000,
      pruneIntervalMs: r.int('HISTORY_PRUNE_INTERVAL_MS', 60_000, 100, 86_400_000),
    },
    chat: {
      typingTtlMs: r.int('CHAT_TYPING_TTL_MS', 8000, 100, 600_000),
      notifyWindowMs: r.int('CHAT_NOTIFY_WINDOW_MS', 60_000, 0, 86_400_000),
    },
    presence: {
      graceMs: r.int('PRESENCE_GRACE_MS', 10_000, 0, 3_600_000),
      instanceTtlMs: r.int('PRESENCE_INSTANCE_TTL_MS', 30_000, 300, 3_600_000),
      redisPrefix: r.str('PRESENCE_REDIS_PREFIX') ?? 'presence:',
    },
    calendar: {
      reminderPollMs: r.int('CALENDAR_REMINDER_POLL_MS', 15_000, 20, 3_600_000),
    },
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    // A production deployment serves its own front end (or none): it opts in.
    demo: r.bool('DEMO', nodeEnv !== 'production'),
    commandTimeoutMs: r.int('COMMAND_TIMEOUT_MS', 10_000, 100, 600_000),
    warnings,
  };
  if (nodeEnv === 'production' && config.metricsToken === undefined)
    warnings.push('METRICS_TOKEN is not set: GET /metrics answers 403 in production');
  r.throwIfProblems();
  return config;
}

/**
 * TRUST_PROXY: unset or `false` (trust no proxy), a hop count, or a comma-separated
 * list of addresses and CIDR ranges. `true` (trust every peer) is refused: any
 * client could then name the address its limits count against.
 */
function readTrustProxy(r: EnvReader): TrustProxy {
  const raw = r.str('TRUST_PROXY');
  if (raw === undefined || ['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) return r.int('TRUST_PROXY', 0, 0, 100);
  if (raw.toLowerCase() === 'true') {
    r.problem(
      'TRUST_PROXY',
      "true would trust any peer to name the client: give a hop count or the proxies' addresses",
    );
    return false;
  }
  const list = r.list('TRUST_PROXY');
  const problem = trustListProblem(list);
  if (problem)
    r.problem('TRUST_PROXY', `must be a hop count or a list of addresses/CIDRs: ${problem}`);
  return problem ? false : list;
}

function readJwt(r: EnvReader, nodeEnv: AppConfig['nodeEnv'], warnings: string[]): JwtConfig {
  const secret = r.str('JWT_SECRET');
  const publicKey = r.pem('JWT_PUBLIC_KEY');
  const privateKey = r.pem('JWT_PRIVATE_KEY');
  const accessTtlSec = r.duration('JWT_ACCESS_TTL', 15 * 60);
  const refreshTtlSec = r.duration('JWT_REFRESH_TTL', 30 * 24 * 3600);
  const issuer = r.str('JWT_ISSUER');
  const audience = r.str('JWT_AUDIENCE');
  if (secret !== undefined && publicKey !== undefined) {
    r.problem('JWT_SECRET', 'set either JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256), not both');
  }
  if (privateKey !== undefined && publicKey === undefined) {
    r.problem('JWT_PRIVATE_KEY', 'needs JWT_PUBLIC_KEY (RS256)');
  }
  if (publicKey !== undefined) {
    checkRsaKeys(r, publicKey, privateKey);
    return {
      algorithm: 'RS256',
      verifyKey: publicKey,
      signKey: privateKey,
      accessTtlSec,
      refreshTtlSec,
      issuer,
      audience,
    };
  }
  if (secret !== undefined) {
    if (secret.length < 32) r.problem('JWT_SECRET', 'must be at least 32 characters');
    return {
      algorithm: 'HS256',
      verifyKey: secret,
      signKey: secret,
      accessTtlSec,
      refreshTtlSec,
      issuer,
      audience,
    };
  }
  if (nodeEnv === 'production') {
    r.problem('JWT_SECRET', 'required in production (or JWT_PUBLIC_KEY for RS256)');
  } else {
    warnings.push(
      'JWT_SECRET is not set: a random secret was generated; tokens will not survive a restart',
    );
  }
  const generated = randomBytes(48).toString('base64url');
  return {
    algorithm: 'HS256',
    verifyKey: generated,
    signKey: generated,
    accessTtlSec,
    refreshTtlSec,
    issuer,
    audience,
  };
}

/** Keys Node cannot read, or of another pair, would fail every token instead of the start. */
function checkRsaKeys(r: EnvReader, publicKey: string, privateKey: string | undefined): void {
  if (!publicKey.includes('-----BEGIN')) return; // reported by pem()
  const spki = rsaPublicKeyOf(publicKey);
  if (spki === undefined) {
    r.problem('JWT_PUBLIC_KEY', 'must be an RSA public key (RS256)');
  } else if (privateKey?.includes('-----BEGIN') && rsaPublicKeyOf(privateKey) !== spki) {
    r.problem('JWT_PRIVATE_KEY', 'must be the RSA private key of JWT_PUBLIC_KEY');
  }
}

/** The SPKI PEM of an RSA key given as a public or private PEM; undefined when it is not one. */
function rsaPublicKeyOf(pem: string): string | undefined {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') return undefined;
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return undefined;
  }
}

class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  problem(name: string, message: string): void {
    this.problems.push(`${name}: ${message}`);
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  str(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  /** A secret of at least `minLength` characters (a short one is guessable). */
  secret(name: string, minLength: number): string | undefined {
    const v = this.str(name);
    if (v !== undefined && v.length < minLength)
      this.problem(name, `must be at least ${minLength} characters`);
    return v;
  }

  list(name: string): string[] {
    return (this.str(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) {
      this.problem(name, `must be an integer, got "${v}"`);
      return fallback;
    }
    const n = Number(v);
    if (n < min || n > max) {
      this.problem(name, `must be between ${min} and ${max}, got ${n}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.str(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    this.problem(name, `must be true or false, got "${v}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.problem(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) {
        this.problem(name, `must use ${protocols.join(' or ')}, got "${u.protocol}"`);
      }
    } catch {
      this.problem(name, 'is not a valid URL');
    }
    return v;
  }

  /** A PEM key, given inline (with literal "\n" allowed) or base64-encoded. */
  pem(name: string): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const text = v.includes('-----BEGIN')
      ? v.replace(/\\n/g, '\n')
      : Buffer.from(v, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN')) this.problem(name, 'must be a PEM key (inline or base64)');
    return text;
  }

  /** Seconds, from "900", "900s", "15m", "24h" or "30d". */
  duration(name: string, fallbackSec: number): number {
    const v = this.str(name);
    if (v === undefined) return fallbackSec;
    const m = /^(\d+)\s*(s|m|h|d)?$/.exec(v);
    if (!m || Number(m[1]) <= 0) {
      this.problem(name, `must be a positive duration like 900, 15m, 24h or 30d, got "${v}"`);
      return fallbackSec;
    }
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's'] ?? 1;
    return Number(m[1]) * unit;
  }
}
