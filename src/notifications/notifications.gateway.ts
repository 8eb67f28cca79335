import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { Acks } from '../realtime/command-ack.decorator.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { AckNotificationsBody, ReadNotificationsBody } from './dto/notifications.dto.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationStateChangeView } from './dto/notification-views.dto.js';

/** Socket commands `notification.ack` and `notification.read` (`{ids}`). */
@RealtimeGateway()
export class NotificationsGateway {
  constructor(private readonly notifications: NotificationsService) {}

  @SubscribeMessage('notification.ack')
  @Acks(
    NotificationStateChangeView,
    'Acknowledges notifications: they are no longer pushed again at connect',
  )
  ack(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: AckNotificationsBody,
  ): Promise<NotificationStateChangeView> {
    return this.notifications.ack(user, dto);
  }

  @SubscribeMessage('notification.read')
  @Acks(
    NotificationStateChangeView,
    'Marks notifications read (`{ids}` or `{all: true}`): read ones are not pushed again at connect either',
  )
  read(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: ReadNotificationsBody,
  ): Promise<NotificationStateChangeView> {
    return this.notifications.read(user, dto);
  }
}
