import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../entities/user.entity.js';
import { authOf } from './auth-context.js';

export const IS_PUBLIC = 'auth:isPublic';
export const ROLES = 'auth:roles';

/** The route (or command) needs no token; a valid one is still read when given. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Only callers with one of these roles get through (RolesGuard). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES, roles);

/** The authenticated caller (HTTP request or socket command). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  authOf(ctx),
);
