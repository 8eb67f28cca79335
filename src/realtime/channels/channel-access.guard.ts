import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { authOf } from '../../auth/guards/auth-context.js';
import { AppException } from '../../common/app.exception.js';
import { ChannelPolicyRegistry } from './channel-policy.registry.js';

export const CHANNEL_ACCESS = 'rt:channelAccess';

export interface ChannelAccessSpec {
  prefix: string;
  /** Where the resource id is: a route param (HTTP) and/or a field of the command data (socket). */
  param?: string;
  field?: string;
}

/**
 * Requires the caller to be allowed on `<prefix>:<id>`, the id taken from the
 * route param (HTTP) or the command data (socket). Same policy as subscribe.
 */
export const ChannelAccess = (spec: ChannelAccessSpec): MethodDecorator & ClassDecorator =>
  SetMetadata(CHANNEL_ACCESS, spec);

@Injectable()
export class ChannelAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policies: ChannelPolicyRegistry,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const spec = this.reflector.getAllAndOverride<ChannelAccessSpec | undefined>(CHANNEL_ACCESS, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!spec) return true;
    const id = resourceId(ctx, spec);
    if (typeof id !== 'string' || id.length === 0) {
      const field = spec.field ?? spec.param ?? 'id';
      throw AppException.badRequest(`${field} is required`, [
        { field, errors: [`${field} must be a string`] },
      ]);
    }
    await this.policies.authorize(authOf(ctx) ?? null, `${spec.prefix}:${id}`);
    return true;
  }
}

function resourceId(ctx: ExecutionContext, spec: ChannelAccessSpec): unknown {
  if (ctx.getType() === 'ws') {
    const data = ctx.switchToWs().getData<Record<string, unknown> | undefined>();
    return spec.field ? data?.[spec.field] : undefined;
  }
  const req = ctx.switchToHttp().getRequest<Request>();
  if (spec.param && req.params?.[spec.param] !== undefined) return req.params[spec.param];
  const body = req.body as Record<string, unknown> | undefined;
  return spec.field ? body?.[spec.field] : undefined;
}
