import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/guards/decorators.js';
import { ChannelHub } from '../hub/channel-hub.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly hub: ChannelHub,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus text format' })
  async scrape(): Promise<string> {
    this.metrics.channels.set(this.hub.channelCount);
    this.metrics.subscriptions.set(this.hub.subscriptionCount());
    return this.metrics.registry.metrics();
  }
}
