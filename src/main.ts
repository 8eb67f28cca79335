import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { buildApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createRootLogger } from './common/logging/logger.js';
import { surviveUnhandledRejections } from './common/process/unhandled-rejections.js';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres.js';

/** Set by the first SIGTERM/SIGINT: start-up steps that then fail are not fatal errors. */
let stopping = false;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createRootLogger(config.logLevel, config.nodeEnv);
  for (const w of config.warnings) logger.warn(w);
  surviveUnhandledRejections(process, logger);

  /** What start-up has brought up so far, which is what shutdown stops. */
  const started: { app?: NestExpressApplication; embedded?: EmbeddedDatabase } = {};
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown timed out: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5000);
    force.unref();
    try {
      if (started.app) {
        const server = started.app.getHttpServer() as import('node:http').Server;
        server.closeIdleConnections();
        await started.app.close();
      }
      await started.embedded?.stop();
      logger.info('shutdown complete');
      logger.flush();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  // Handled from here on, so that a signal during start-up stops the embedded database too.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  if (!config.databaseUrl) {
    logger.info('DATABASE_URL is not set: starting the embedded PostgreSQL');
    started.embedded = await startEmbeddedPostgres(config.dataDir, logger);
  }
  const { app } = await buildApp(config, logger, config.databaseUrl ?? started.embedded!.url);
  started.app = app;
  await app.listen(config.port, config.host);
  logger.info({ port: config.port }, `listening on http://${config.host}:${config.port}`);
}

main().catch((err: unknown) => {
  if (stopping) return; // shutdown() stopped the start-up and exits
  process.stderr.write(
    `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
