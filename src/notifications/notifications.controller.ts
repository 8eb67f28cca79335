import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth.types.js';
import { AcceptsQueryToken, CurrentUser, Roles } from '../auth/guards/decorators.js';
import { EventStreamQuery } from '../common/dto/event-stream.dto.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import {
  AckNotificationsBody,
  CreateNotificationBody,
  ListNotificationsQuery,
  ReadNotificationsBody,
} from './dto/notifications.dto.js';
import { NotificationsService } from './notifications.service.js';
import {
  NotificationPage,
  NotificationStateChangeView,
  NotificationView,
} from './dto/notification-views.dto.js';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly realtime: RealtimeService,
  ) {}

  @Get()
  @ApiOkResponse({ type: NotificationPage })
  list(
    @CurrentUser() user: AuthUser,
    @Query() q: ListNotificationsQuery,
  ): Promise<NotificationPage> {
    return this.notifications.list(user, q);
  }

  @Get('stream')
  @AcceptsQueryToken()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-Sent Events of the caller\'s user:{id} channel (notification.created, notification.read, …); resumable with Last-Event-ID; a ": ping" comment every heartbeatMs',
  })
  async stream(
    @CurrentUser() user: AuthUser,
    @Query() q: EventStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.realtime.openEventStream(
      req,
      res,
      user,
      [`user:${user.id}`],
      lastEventId ?? q.lastEventId,
    );
  }

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: NotificationView })
  create(@Body() dto: CreateNotificationBody): Promise<NotificationView> {
    return this.notifications.createByAdmin(dto);
  }

  @Post('read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationStateChangeView })
  read(
    @CurrentUser() user: AuthUser,
    @Body() dto: ReadNotificationsBody,
  ): Promise<NotificationStateChangeView> {
    return this.notifications.read(user, dto);
  }

  @Post('ack')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationStateChangeView })
  ack(
    @CurrentUser() user: AuthUser,
    @Body() dto: AckNotificationsBody,
  ): Promise<NotificationStateChangeView> {
    return this.notifications.ack(user, dto);
  }
}
