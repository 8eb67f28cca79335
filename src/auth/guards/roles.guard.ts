import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../../common/app.exception.js';
import type { Role } from '../entities/user.entity.js';
import { authOf } from './auth-context.js';
import { ROLES } from './decorators.js';

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = authOf(ctx);
    if (!user) throw AppException.unauthorized();
    if (!roles.includes(user.role))
      throw AppException.forbidden(`Requires role: ${roles.join(' or ')}`);
    return true;
  }
}
