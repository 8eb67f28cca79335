import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Header,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../../auth/authentication.service.js';
import { Public } from '../../auth/guards/decorators.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { MetricsService } from './metrics.service.js';

/**
 * The scraper of `/metrics` is no user (no JWT): with METRICS_TOKEN set it sends
 * that as a bearer token; without it, metrics are open outside production only
 * (they tell how many users and sockets a node has). A guard, so that a refusal
 * is answered before the route's text content type is set.
 */
@Injectable()
export class MetricsScraperGuard implements CanActivate {
  private readonly tokenHash: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.tokenHash = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.tokenHash === undefined) {
      if (this.config.nodeEnv === 'production')
        throw AppException.forbidden('Metrics need METRICS_TOKEN in production');
      return true;
    }
    const presented = bearerToken(ctx.switchToHttp().getRequest<Request>().headers.authorization);
    if (presented === undefined || !timingSafeEqual(digest(presented), this.tokenHash))
      throw AppException.forbidden('Metrics need the METRICS_TOKEN bearer token');
    return true;
  }
}

@ApiTags('operations')
@ApiBearerAuth()
@Public()
@UseGuards(MetricsScraperGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text format' })
  @ApiForbiddenResponse({
    description: 'METRICS_TOKEN is set and was not sent, or production without METRICS_TOKEN',
  })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Equal-length digests, compared in constant time. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
