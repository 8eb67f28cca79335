import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module.js';
import { installBodyParser } from './common/http/body-parser.js';
import { ClientAddresses } from './common/http/client-address.js';
import { serveDemo } from './common/http/demo-assets.js';
import { createHttpLogger } from './common/logging/http-logger.js';
import { NestPinoLogger } from './common/logging/logger.js';
import type { AppConfig } from './config/app-config.js';
import { runMigrations } from './database/run-migrations.js';
import { setupDocs } from './docs/docs.setup.js';
import { httpMetrics } from './realtime/metrics/http-metrics.js';
import { MetricsService } from './realtime/metrics/metrics.service.js';
import { SockJsTransport } from './realtime/transports/sockjs/sockjs.transport.js';
import { RealtimeWsAdapter } from './realtime/transports/ws/ws.adapter.js';

export interface BuiltApp {
  app: NestExpressApplication;
  logger: PinoLogger;
}

/**
 * Builds the whole application (migrations applied) without listening, so that
 * main.ts and the e2e tests boot exactly the same thing.
 */
export async function buildApp(
  config: AppConfig,
  logger: PinoLogger,
  databaseUrl: string,
  extraModules: Parameters<typeof AppModule.forRoot>[3] = [],
): Promise<BuiltApp> {
  await runMigrations(databaseUrl, logger);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, logger, databaseUrl, extraModules),
    {
      bodyParser: false,
      logger: new NestPinoLogger(logger.child({ component: 'nest' })),
      abortOnError: false,
    },
  );
  app.useWebSocketAdapter(new RealtimeWsAdapter(app));
  configureApp(app, config, logger);
  return { app, logger };
}

export function configureApp(
  app: NestExpressApplication,
  config: AppConfig,
  logger: PinoLogger,
): void {
  app.disable('x-powered-by');
  // req.ip (sign-in limits, event streams, logs) by the same rule as the raw upgrades.
  app.set('trust proxy', app.get(ClientAddresses).trust);
  app.use(httpMetrics(app.get(MetricsService)));
  app.use(createHttpLogger(logger));
  // SockJS reads its own request bodies: its routes come before the body parser.
  app.use(app.get(SockJsTransport).middleware());
  // Before the routes (Nest adds them at init), and only for what the build holds.
  if (config.demo) serveDemo(app, logger);
  installBodyParser(app, config.bodyLimitBytes, logger);
  if (config.corsOrigins) {
    const allowed = new Set(config.corsOrigins);
    // Per request: an origin that is not listed gets no CORS header at all (not
    // even Allow-Credentials), so its pages can read nothing of an answer.
    app.enableCors((req: Request, callback) => {
      const origin = req.headers.origin;
      callback(
        null,
        origin !== undefined && allowed.has(origin)
          ? { origin, credentials: true }
          : { origin: false },
      );
    });
  }
  setupDocs(app);
}
