import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import { CreatedOrExisting } from './created-or-existing.js';

/**
 * Unwraps a handler's CreatedOrExisting: over HTTP the status says which
 * (201 created, 200 already there); on the socket the ack carries the entity.
 * Global, so a controller never reaches for the response object to say it.
 */
@Injectable()
export class CreatedOrExistingInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof CreatedOrExisting)) return result;
        if (ctx.getType() === 'http') {
          const response = ctx.switchToHttp().getResponse<Response>();
          response.status(result.created ? 201 : 200);
        }
        return result.value;
      }),
    );
  }
}
