import { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { commandContextOf } from '../../common/command-context.js';
import type { AuthUser } from '../auth.types.js';

/** What a socket client carries once the realtime kernel has accepted it. */
export interface AuthCarrier {
  user: AuthUser | null;
}

export type AuthedRequest = Request & { user?: AuthUser; id?: unknown };

/** The caller of an HTTP request or socket command, whatever the transport. */
export function authOf(ctx: ExecutionContext): AuthUser | undefined {
  if (ctx.getType() === 'ws') {
    return commandContextOf(ctx)?.session.user ?? undefined;
  }
  return ctx.switchToHttp().getRequest<AuthedRequest>().user;
}
