import 'reflect-metadata';
import { buildApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createRootLogger } from './common/logging/logger.js';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres.js';

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

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    logger.info('DATABASE_URL is not set: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
  }
  const { app } = await buildApp(config, logger, config.databaseUrl ?? embedded!.url);
  await app.listen(config.port, config.host);
  logger.info({ port: config.port }, `listening on http://${config.host}:${config.port}`);

  let stopping = false;
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
      const server = app.getHttpServer() as import('node:http').Server;
      server.closeIdleConnections();
      await app.close();
      await embedded?.stop();
      logger.info('shutdown complete');
      logger.flush();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
