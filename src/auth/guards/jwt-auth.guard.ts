import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../../common/app.exception.js';
import { AuthenticationService, bearerToken } from '../authentication.service.js';
import { authOf, AuthedRequest } from './auth-context.js';
import { IS_PUBLIC, QUERY_TOKEN } from './decorators.js';

/**
 * The JWT guard of both transports. HTTP: the bearer token is verified here.
 * Socket commands: the socket was authenticated at the upgrade, so the guard
 * only checks that an anonymous socket is not calling a protected command.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly authn: AuthenticationService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const isPublic =
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]) ===
      true;
    if (ctx.getType() === 'ws') {
      if (!isPublic && !authOf(ctx))
        throw AppException.unauthorized('This command needs an authenticated socket');
      return true;
    }
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const allowQuery =
      this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN, [ctx.getHandler(), ctx.getClass()]) ===
      true;
    const token =
      bearerToken(req.headers.authorization) ?? (allowQuery ? queryToken(req) : undefined);
    if (token === undefined) {
      if (isPublic) return true;
      throw AppException.unauthorized('Missing bearer token');
    }
    try {
      req.user = await this.authn.authenticate(token);
    } catch (err) {
      if (!isPublic) throw err;
    }
    return true;
  }
}

function queryToken(req: AuthedRequest): string | undefined {
  const t = req.query?.token;
  return typeof t === 'string' ? t : undefined;
}
