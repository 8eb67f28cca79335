import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { NOTIFICATION_EVENTS } from './notifications.events.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsGateway } from './notifications.gateway.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

/**
 * Per-user notifications. Other modules import this module and call
 * `NotificationsService.create(input, tx?)`.
 */
@Module({
  imports: [AuthModule],
  providers: [NotificationsRepository, NotificationsService, NotificationsGateway],
  controllers: [NotificationsController],
  exports: [NotificationsService],
})
export class NotificationsModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('notifications', NOTIFICATION_EVENTS);
  }
}
