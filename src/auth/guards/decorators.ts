import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../entities/user.entity.js';
import { authOf } from './auth-context.js';

export const IS_PUBLIC = 'auth:isPublic';
export const ROLES = 'auth:roles';
export const QUERY_TOKEN = 'auth:queryToken';

/** The route (or command) needs no token; a valid one is still read when given. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Only callers with one of these roles get through (RolesGuard). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES, roles);

/** The authenticated caller (HTTP request or socket command). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  authOf(ctx),
);

/**
 * The route also takes the access token as `?token=`: for EventSource clients,
 * which cannot set headers. Only event streams should use it (URLs get logged).
 */
export const AcceptsQueryToken = (): MethodDecorator & ClassDecorator =>
  SetMetadata(QUERY_TOKEN, true);
