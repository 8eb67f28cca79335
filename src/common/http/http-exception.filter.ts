import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { describeError, ErrorDescription } from '../error-body.js';

/** Every HTTP error leaves as {statusCode, code, message, details?} (PROTOCOL.md section 3). */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    sendHttpError(
      res,
      describeError(exception, req.id ? String(req.id) : undefined),
      this.logger,
      req,
    );
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
        url: req?.originalUrl,
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
    message: e.message,
    ...(e.details !== undefined ? { details: e.details } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(e.traceId !== undefined ? { traceId: e.traceId } : {}),
  });
}
