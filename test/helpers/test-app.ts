import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { buildApp } from '../../src/app.factory.js';
import { loadConfig, AppConfig } from '../../src/config/app-config.js';
import { createRootLogger } from '../../src/common/logging/logger.js';
import { createTestDatabase } from './databases.js';

export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  databaseUrl: string;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Reuse a database (e.g. two instances sharing one); a new one by default. */
  databaseUrl?: string;
  /** Test-only modules (e.g. TestFeatureModule). */
  modules?: Parameters<typeof buildApp>[3];
  /** Where the app's log lines go (stdout by default), for tests that read them. */
  logDestination?: DestinationStream;
}

/** Boots the real application on a random port against its own PostgreSQL database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AUTH_RATE_LIMIT_PER_IP: '100000',
    AUTH_RATE_LIMIT_PER_EMAIL: '1000',
    AUTH_RATE_EMAIL_CEILING: '100000',
    INVITE_RATE_LIMIT: '1000000',
    DATABASE_URL: databaseUrl,
    // Test files share one Redis: apps on one database (one deployment) share
    // their rate-limit buckets, and no one else's.
    RATE_LIMIT_REDIS_PREFIX: `rl:${new URL(databaseUrl).pathname.slice(1)}:`,
    ...options.env,
  });
  const logger = createRootLogger(config.logLevel, config.nodeEnv, options.logDestination);
  const { app } = await buildApp(config, logger, databaseUrl, options.modules ?? []);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    config,
    databaseUrl,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}
