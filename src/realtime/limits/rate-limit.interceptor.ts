import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { from, Observable, switchMap } from 'rxjs';
import { authOf, AuthedRequest } from '../../auth/guards/auth-context.js';
import { RateLimitService } from './rate-limit.service.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * HTTP writes spend the same per-user budget as socket frames (429 with
 * Retry-After). Socket frames are counted by the kernel when they arrive, before
 * any guard, because every frame counts, `ping` and refused ones included.
 * Anonymous writes (register, login, refresh) have their own per-IP limits: they
 * must not spend the budget of the anonymous sockets behind the same address.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limits: RateLimitService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<AuthedRequest>();
      const user = authOf(ctx);
      if (user && WRITE_METHODS.has(req.method))
        return from(this.limits.consume(`u:${user.id}`, 'http')).pipe(
          switchMap(() => next.handle()),
        );
    }
    return next.handle();
  }
}
