import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { AckNotificationsBody, ReadNotificationsBody } from './dto/notifications.dto.js';
import { NotificationsService } from './notifications.service.js';
import type { NotificationStateChangeView } from './notifications.types.js';

/** Socket commands `notification.ack` and `notification.read` (`{ids}`). */
@RealtimeGateway()
export class NotificationsGateway {
  constructor(private readonly notifications: NotificationsService) {}

  @SubscribeMessage('notification.ack')
  ack(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: AckNotificationsBody,
  ): Promise<NotificationStateChangeView> {
    return this.notifications.ack(user, dto);
  }

  @SubscribeMessage('notification.read')
  read(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: ReadNotificationsBody,
  ): Promise<NotificationStateChangeView> {
    return this.notifications.read(user, dto);
  }
}
