import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { commandContextOf } from '../../common/command-context.js';
import { MAX_DATA_BYTES } from './limit.decorators.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A command's data over its module's limit (WS_COMMAND_MAX_BYTES, 16 KiB by
 * default, or the handler's @MaxDataBytes) is TOO_LARGE on both transports: an
 * `error` frame on the socket, 413 over REST (the REST body is the command data).
 */
@Injectable()
export class SizeLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const declared = this.reflector.getAllAndOverride<number | undefined>(MAX_DATA_BYTES, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const limit = declared ?? this.config.ws.commandMaxBytes;
    if (ctx.getType() === 'ws') {
      const size = wsDataBytes(ctx, limit);
      if (size > limit) throw tooLarge(size, limit);
    } else if (ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<Request>();
      if (WRITE_METHODS.has(req.method)) {
        const size = httpBodyBytes(req);
        if (size > limit) throw tooLarge(size, limit);
      }
    }
    return next.handle();
  }
}

function tooLarge(size: number, limit: number): AppException {
  return AppException.tooLarge(`Command data is ${size} bytes; the limit is ${limit}`);
}

/** The data is part of the frame: only a frame larger than the limit needs measuring. */
function wsDataBytes(ctx: ExecutionContext, limit: number): number {
  const frameBytes = commandContextOf(ctx)?.frameBytes;
  if (frameBytes !== undefined && frameBytes <= limit) return frameBytes;
  return jsonBytes(ctx.switchToWs().getData());
}

function httpBodyBytes(req: Request): number {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > 0) return declared;
  return req.body === undefined ? 0 : jsonBytes(req.body);
}

function jsonBytes(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
