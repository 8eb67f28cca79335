import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config.js';

type Env = Record<string, string | undefined>;

const SECRET = 'a-secret-of-at-least-32-characters-long';

/** The problems of a configuration that must not load. */
function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

function rsaKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      databaseUrl: undefined,
      dataDir: './.data',
      redisUrl: undefined,
      corsOrigins: undefined,
      bodyLimitBytes: 1024 * 1024,
      authRate: {
        perIp: 30,
        perEmail: 5,
        windowMs: 60_000,
        emailCeiling: 100,
        emailCeilingWindowMs: 3_600_000,
      },
      rateLimitRedisPrefix: 'rl:',
      trustProxy: false,
      ws: {
        maxPayload: 64 * 1024,
        heartbeatMs: 25_000,
        idleTimeoutMs: 5 * 60_000,
        allowAnonymous: true,
        rateLimit: 100,
        rateWindowMs: 60_000,
        commandMaxBytes: 16 * 1024,
        maxBufferedBytes: 1024 * 1024,
      },
      history: { maxEvents: 1000, ttlMs: 24 * 3600 * 1000 },
      shutdownTimeoutMs: 10_000,
      demo: true,
      commandTimeoutMs: 10_000,
    });
    expect(c.adminEmails.size).toBe(0);
    expect(c.jwt.algorithm).toBe('HS256');
    expect(c.jwt.accessTtlSec).toBe(900);
    expect(c.jwt.refreshTtlSec).toBe(30 * 24 * 3600);
    expect(c.jwt.issuer).toBeUndefined();
  });

  it('reads valid values', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      PORT: ' 8080 ',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgresql://u:p@db:5432/app',
      REDIS_URL: 'rediss://cache:6380',
      JWT_SECRET: SECRET,
      JWT_ACCESS_TTL: '15m',
      JWT_REFRESH_TTL: '2d',
      HISTORY_TTL: '1h',
      WS_ALLOW_ANONYMOUS: 'FALSE',
      METRICS_TOKEN: 'metrics-token-0123456789',
    });
    expect(c).toMatchObject({
      nodeEnv: 'production',
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'warn',
      databaseUrl: 'postgresql://u:p@db:5432/app',
      redisUrl: 'rediss://cache:6380',
      history: { ttlMs: 3600 * 1000 },
      metricsToken: 'metrics-token-0123456789',
      warnings: [],
    });
    expect(c.ws.allowAnonymous).toBe(false);
    expect(c.jwt).toMatchObject({
      algorithm: 'HS256',
      verifyKey: SECRET,
      signKey: SECRET,
      accessTtlSec: 900,
      refreshTtlSec: 2 * 86400,
    });
  });

  it('serves the demo by default outside production only, and DEMO overrides it', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).demo).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, DEMO: 'true' }).demo).toBe(
      true,
    );
    expect(loadConfig({ DEMO: 'false' }).demo).toBe(false);
    expect(problemsOf({ DEMO: 'maybe' })).toEqual(['DEMO: must be true or false, got "maybe"']);
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.7,loopback', ['10.0.0.0/8', '192.168.1.7', 'loopback']],
  ])('reads TRUST_PROXY=%s as %j', (value, setting) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(setting);
  });

  it.each([
    ['900', 900],
    ['900s', 900],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86400],
  ])('reads JWT_ACCESS_TTL=%s as %d seconds', (value, seconds) => {
    expect(loadConfig({ JWT_ACCESS_TTL: value }).jwt.accessTtlSec).toBe(seconds);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '80.5'],
    ['PORT', '1e3'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['BODY_LIMIT_BYTES', '10'],
    ['AUTH_RATE_LIMIT_PER_EMAIL', '0'],
    ['WS_ALLOW_ANONYMOUS', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'mysql://u:p@db/app'],
    ['DATABASE_URL', 'http://db:5432/app'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache:6379'],
    ['JWT_ACCESS_TTL', 'soon'],
    ['JWT_ACCESS_TTL', '0'],
    ['JWT_ACCESS_TTL', '-5m'],
    ['JWT_ACCESS_TTL', '10w'],
    ['JWT_REFRESH_TTL', '1.5d'],
    ['JWT_SECRET', 'too-short'],
    ['JWT_PUBLIC_KEY', 'not a pem key'],
    ['WS_MAX_BUFFERED_BYTES', '1000'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', 'proxy.example.com'],
    ['TRUST_PROXY', '101'],
  ])('refuses %s=%s with a ConfigError naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('puts every problem in the message, each naming its variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', REDIS_URL: 'http://x', JWT_ACCESS_TTL: 'later' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('Invalid configuration');
    expect(message).toContain('PORT: must be an integer');
    expect(message).toContain('REDIS_URL: must use redis: or rediss:');
    expect(message).toContain('JWT_ACCESS_TTL: must be a positive duration');
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('names JWT_SECRET when the secret is shorter than 32 characters', () => {
    expect(problemsOf({ JWT_SECRET: 'x'.repeat(31) })).toEqual([
      'JWT_SECRET: must be at least 32 characters',
    ]);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).jwt.verifyKey).toBe('x'.repeat(32));
  });

  it('refuses JWT_SECRET and JWT_PUBLIC_KEY together', () => {
    const { publicKey } = rsaKeys();
    const problems = problemsOf({ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: publicKey });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^JWT_SECRET: .*JWT_PUBLIC_KEY/);
  });

  it('requires a JWT key in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'JWT_SECRET: required in production (or JWT_PUBLIC_KEY for RS256)',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: '   ' })).toHaveLength(1);
  });

  it('generates a random secret outside production, with a warning', () => {
    const a = loadConfig({ NODE_ENV: 'development' });
    const b = loadConfig({ NODE_ENV: 'test' });
    expect(a.jwt.algorithm).toBe('HS256');
    expect(a.jwt.verifyKey.length).toBeGreaterThanOrEqual(32);
    expect(a.jwt.signKey).toBe(a.jwt.verifyKey);
    expect(b.jwt.verifyKey).not.toBe(a.jwt.verifyKey);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toContain('JWT_SECRET');
    expect(loadConfig({ JWT_SECRET: SECRET }).warnings).toEqual([]);
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ PORT: '', JWT_SECRET: '', DATABASE_URL: '  ' });
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.warnings).toHaveLength(1);
  });

  it('selects RS256 with a PEM public key, inline with \\n escapes or base64', () => {
    const { publicKey, privateKey } = rsaKeys();
    const inline = loadConfig({
      NODE_ENV: 'production',
      JWT_PUBLIC_KEY: publicKey.replace(/\n/g, '\\n'),
      JWT_PRIVATE_KEY: privateKey,
    });
    expect(inline.jwt).toMatchObject({
      algorithm: 'RS256',
      verifyKey: publicKey,
      signKey: privateKey.trim(),
    });
    const b64 = loadConfig({ JWT_PUBLIC_KEY: Buffer.from(publicKey).toString('base64') });
    expect(b64.jwt.algorithm).toBe('RS256');
    expect(b64.jwt.verifyKey).toBe(publicKey);
    expect(b64.jwt.signKey).toBeUndefined();
    expect(b64.warnings).toEqual([]);
  });

  it('refuses RSA keys that cannot sign or verify RS256 tokens', () => {
    const ours = rsaKeys();
    const theirs = rsaKeys();
    expect(
      problemsOf({ JWT_PUBLIC_KEY: ours.publicKey, JWT_PRIVATE_KEY: theirs.privateKey }),
    ).toEqual(['JWT_PRIVATE_KEY: must be the RSA private key of JWT_PUBLIC_KEY']);
    expect(problemsOf({ JWT_PRIVATE_KEY: ours.privateKey })).toEqual([
      'JWT_PRIVATE_KEY: needs JWT_PUBLIC_KEY (RS256)',
    ]);
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(problemsOf({ JWT_PUBLIC_KEY: ec.publicKey })).toEqual([
      'JWT_PUBLIC_KEY: must be an RSA public key (RS256)',
    ]);
    const garbled = '-----BEGIN PUBLIC KEY-----\\nnot base64 at all\\n-----END PUBLIC KEY-----';
    expect(problemsOf({ JWT_PUBLIC_KEY: garbled })).toEqual([
      'JWT_PUBLIC_KEY: must be an RSA public key (RS256)',
    ]);
  });

  it('lower-cases ADMIN_EMAILS and ignores blanks', () => {
    const c = loadConfig({ ADMIN_EMAILS: ' Boss@Example.COM, ,ops@example.com,' });
    expect([...c.adminEmails].sort()).toEqual(['boss@example.com', 'ops@example.com']);
  });

  it('warns in production without METRICS_TOKEN, and wants at least 16 characters', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).warnings).toEqual([
      'METRICS_TOKEN is not set: GET /metrics answers 403 in production',
    ]);
    expect(problemsOf({ METRICS_TOKEN: 'short' })).toEqual([
      'METRICS_TOKEN: must be at least 16 characters',
    ]);
  });

  it('reads JWT_ISSUER and JWT_AUDIENCE, unset by default', () => {
    expect(loadConfig({}).jwt).toMatchObject({ issuer: undefined, audience: undefined });
    expect(loadConfig({ JWT_ISSUER: 'https://i', JWT_AUDIENCE: 'svc' }).jwt).toMatchObject({
      issuer: 'https://i',
      audience: 'svc',
    });
  });

  it('takes an ADMIN_BOOTSTRAP_SECRET of at least 16 characters, unset by default', () => {
    expect(loadConfig({}).adminBootstrapSecret).toBeUndefined();
    expect(loadConfig({ ADMIN_BOOTSTRAP_SECRET: 's'.repeat(16) }).adminBootstrapSecret).toBe(
      's'.repeat(16),
    );
    expect(problemsOf({ ADMIN_BOOTSTRAP_SECRET: 'short' })).toEqual([
      'ADMIN_BOOTSTRAP_SECRET: must be at least 16 characters',
    ]);
  });

  it('reads CORS_ORIGINS as a trimmed list', () => {
    const c = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example:8443 ,' });
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
  });
});
