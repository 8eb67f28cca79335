import { ArgumentsHost, Catch, ExceptionFilter, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { commandContextOf } from './command-context.js';
import { describeError, ErrorDescription, errorFrameOf } from './error-body.js';
import { withoutToken } from './logging/http-logger.js';
import { ROOT_LOGGER } from './logging/logger.module.js';

/**
 * The one exception filter of both transports. HTTP: `{statusCode, code,
 * message, details?}`. Socket commands: an `error` frame carrying the command's
 * id (Nest's own WS filter would send nothing to a raw `ws` client).
 */
@Catch()
@Injectable()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() === 'ws') return this.toFrame(exception, host);
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: unknown }>();
    const res = ctx.getResponse<Response>();
    sendHttpError(
      res,
      describeError(exception, req.id ? String(req.id) : undefined),
      this.logger,
      req,
    );
  }

  private toFrame(exception: unknown, host: ArgumentsHost): void {
    const ctx = commandContextOf(host);
    const d = describeError(exception);
    if (d.unexpected !== undefined) {
      this.logger.error(
        { err: d.unexpected, traceId: d.traceId, sessionId: ctx?.session.id, type: ctx?.type },
        'command failed',
      );
    }
    ctx?.replyError(errorFrameOf(ctx.frameId, d));
  }
}

export function sendHttpError(
  res: Response,
  e: ErrorDescription,
  logger: PinoLogger,
  req?: Request & { id?: unknown },
): void {
  if (e.unexpected !== undefined) {
    logger.error(
      {
        err: e.unexpected,
        traceId: e.traceId,
        reqId: req?.id,
        method: req?.method,
        // Event streams take the access token in the query string.
        url: req ? withoutToken(req.originalUrl ?? req.url) : undefined,
      },
      'unexpected error',
    );
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  if (e.retryAfterMs !== undefined) {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))));
  }
  res.status(e.status).json({
    statusCode: e.status,
    code: e.code,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
    message: e.message,
    ...(e.details !== undefined ? { details: e.details } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.traceId !== undefined ? { traceId: e.traceId } : {}),
  });
}
