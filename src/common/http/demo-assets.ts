import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger as PinoLogger } from 'pino';

/**
 * Where `npm run build` puts the demo app (Vite, from demo/). Three levels up
 * is the project root both from src/common/http (the tests run the sources)
 * and from dist/common/http (the build).
 */
export const DEMO_DIR = fileURLToPath(new URL('../../../dist/demo', import.meta.url));

/** Paths the server answers itself: a demo file never stands in for them. */
const SERVER_PREFIXES = ['/api', '/ws', '/docs', '/health', '/metrics'];

function isServerPath(p: string): boolean {
  return SERVER_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

/** Serves the built demo app at `/`, when it is built (see `demoAssets`). */
export function serveDemo(app: NestExpressApplication, logger: PinoLogger): void {
  const assets = demoAssets(DEMO_DIR, logger);
  if (assets) app.use(assets);
}

/**
 * The middleware serving a built demo app from `dir`: `/` is its index.html,
 * `/assets/*` its hashed bundles. Anything else falls through to the routes,
 * so an unknown path still gets the JSON 404, and the server's own paths are
 * never looked up in `dir`. The app routes with the URL hash, which needs no
 * server-side fallback to index.html. Undefined when `dir` holds no build.
 */
export function demoAssets(dir: string, logger: PinoLogger): RequestHandler | undefined {
  if (!existsSync(path.join(dir, 'index.html'))) {
    logger.warn({ dir }, 'DEMO is on but the demo is not built (npm run build): not serving it');
    return undefined;
  }
  const files = express.static(dir, {
    index: 'index.html',
    // `/assets` would otherwise answer a redirect to `/assets/` instead of the JSON 404.
    redirect: false,
    setHeaders(res, file) {
      // Vite names each bundle after its content: a changed bundle is a new URL.
      const hashed = path.basename(path.dirname(file)) === 'assets';
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  logger.info({ dir }, 'serving the demo app at /');
  return (req: Request, res: Response, next: NextFunction) => {
    if (isServerPath(req.path)) return next();
    files(req, res, next);
  };
}
