import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, throwError, timeout } from 'rxjs';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { ErrorCode } from '../../common/error-codes.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every REST write is answered within COMMAND_TIMEOUT_MS (socket commands:
 * CommandRunner, which also covers their guards). A database that stops
 * answering without closing its connections (a partition, a stalled server)
 * would otherwise hold each write, and its client, for as long as it is
 * silent. The write itself is not cancelled, it cannot be: it may still
 * commit, and is published if it does, so the answer says so; a client
 * retries with the same `clientMsgId`. No retry happens here (a write retried
 * while the first try may commit would be written twice). Guards run before
 * interceptors: the bearer token's database read is not covered.
 */
@Injectable()
export class DeadlineInterceptor implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (
      ctx.getType() !== 'http' ||
      !WRITE_METHODS.has(ctx.switchToHttp().getRequest<Request>().method)
    )
      return next.handle();
    const ms = this.config.commandTimeoutMs;
    return next
      .handle()
      .pipe(timeout({ first: ms, with: () => throwError(() => deadlinePassed(ms)) }));
  }
}

/** The answer to a write that took longer than COMMAND_TIMEOUT_MS. */
export function deadlinePassed(ms: number): AppException {
  return new AppException(
    ErrorCode.INTERNAL,
    `No answer within ${ms} ms (is the database reachable?); the write may still complete: retry it with the same clientMsgId`,
  );
}
