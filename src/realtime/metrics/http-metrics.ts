import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service.js';

/**
 * Times every HTTP request into `http_request_duration_seconds`, labelled by
 * the route pattern (`/api/boards/:id`, not the concrete path, so the label set
 * stays small) and the status. Requests no route matched share `unmatched`.
 */
export function httpMetrics(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route as { path?: unknown } | undefined;
      const pattern = typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
      metrics.httpRequests.observe(
        { method: req.method, route: pattern, status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}
