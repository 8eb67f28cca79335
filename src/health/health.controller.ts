import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/guards/decorators.js';
import { READINESS_CHECKS, ReadinessCheck } from './readiness.js';

/** /health/ready when only a non-critical dependency (Redis) is down. */
interface DegradedResult {
  status: 'degraded';
  info: HealthIndicatorResult;
  error: HealthIndicatorResult;
  details: HealthIndicatorResult;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(READINESS_CHECKS) private readonly extra: ReadinessCheck[] = [],
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @ApiOkResponse({ description: '{status: "ok"}' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * The database (and Redis when configured) answer: traffic may be sent here.
   * Without the database: 503. Without Redis only: 200 with `status:
   * "degraded"`: the node serves its clients (local delivery, writes, recovery
   * from the log) and catches up with the other nodes when Redis is back; one
   * Redis outage must not take every node out of the load balancer.
   */
  @Get('ready')
  @ApiOkResponse({
    description: 'Every dependency answered (`ok`), or only Redis did not (`degraded`)',
  })
  @ApiServiceUnavailableResponse({ description: 'The database did not answer' })
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<HealthCheckResult | DegradedResult> {
    const optional = this.extra.filter((c) => c.critical === false);
    const [critical, others] = await Promise.all([
      this.checkCritical(res),
      Promise.all(optional.map((c) => this.runCheck(c))),
    ]);
    if (critical.status !== 'ok') {
      Object.assign(critical.details, ...others);
      return critical;
    }
    const down = others.filter((r) => Object.values(r).some((v) => v.status !== 'up'));
    if (down.length === 0) {
      for (const r of others) Object.assign(critical.info ?? {}, r);
      Object.assign(critical.details, ...others);
      return critical;
    }
    return {
      status: 'degraded',
      info: Object.assign({}, critical.info, ...others.filter((r) => !down.includes(r))),
      error: Object.assign({}, ...down),
      details: Object.assign({}, critical.details, ...others),
    };
  }

  private async checkCritical(res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 3000 }),
        ...this.extra.filter((c) => c.critical !== false).map((c) => () => this.runCheck(c)),
      ]);
    } catch (err) {
      res.status(503);
      const body = (err as { response?: HealthCheckResult }).response;
      if (body) return body;
      throw err;
    }
  }

  private async runCheck(c: ReadinessCheck): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(c.name);
    try {
      await c.check();
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }
}
