import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../../auth/auth.types.js';
import { AcceptsQueryToken, CurrentUser, Public } from '../../auth/guards/decorators.js';
import { AppException } from '../../common/app.exception.js';
import { ChannelPolicyRegistry } from '../channels/channel-policy.registry.js';
import { ChannelLogService } from '../log/channel-log.service.js';
import { ChannelEventsPage, ChannelEventsQuery, StreamQuery } from './channels.dto.js';
import { SseService } from '../transports/sse/sse.service.js';

/** Recovery over plain HTTP: the same offsets and authorisation as `subscribe`. */
@ApiTags('channels')
@ApiBearerAuth()
@Public()
@Controller('api')
export class ChannelsController {
  constructor(
    private readonly policies: ChannelPolicyRegistry,
    private readonly log: ChannelLogService,
    private readonly sse: SseService,
  ) {}

  @Get('channels/:channel/events')
  @ApiOkResponse({ type: ChannelEventsPage })
  async events(
    @Param('channel') channel: string,
    @Query() q: ChannelEventsQuery,
    @CurrentUser() user: AuthUser | undefined,
  ): Promise<ChannelEventsPage> {
    const name = await this.policies.authorize(user ?? null, channel);
    const read = await this.log.readSince(name, q.since ?? 0, q.limit ?? 100);
    return {
      events: read.events.map((e) => ({
        type: 'event',
        channel: e.channel,
        offset: e.offset!,
        event: e.event,
        data: e.data,
        ts: e.ts,
      })),
      offset: read.latest,
      recovered: read.recovered,
    };
  }

  @Get('stream')
  @AcceptsQueryToken()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-Sent Events: `event:` the event name, `data:` the socket event frame, `id:` a resume cursor',
  })
  async stream(
    @Query() q: StreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentUser() user: AuthUser | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.sse.admit(req, user ?? null);
    const requested = [
      ...new Set(
        q.channels
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c.length > 0),
      ),
    ];
    if (requested.length === 0 || requested.length > 50)
      throw AppException.badRequest('channels must list 1 to 50 channels');
    const channels: string[] = [];
    for (const c of requested) channels.push(await this.policies.authorize(user ?? null, c));
    await this.sse.open(req, res, user ?? null, channels, lastEventId ?? q.lastEventId);
  }
}
