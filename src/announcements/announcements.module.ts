import { Module, OnModuleInit } from '@nestjs/common';
import { RealtimeService } from '../realtime/realtime.service.js';
import { ANNOUNCEMENT_EVENTS } from './announcements.events.js';
import { AnnouncementsAccess } from './announcements.access.js';
import { AnnouncementsController } from './announcements.controller.js';
import { AnnouncementsGateway } from './announcements.gateway.js';
import { AnnouncementsRepository } from './announcements.repository.js';
import { AnnouncementsService } from './announcements.service.js';

/** Admin announcements on the public `announcements` channel. */
@Module({
  providers: [
    AnnouncementsRepository,
    AnnouncementsAccess,
    AnnouncementsService,
    AnnouncementsGateway,
  ],
  controllers: [AnnouncementsController],
  exports: [AnnouncementsService],
})
export class AnnouncementsModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('announcements', ANNOUNCEMENT_EVENTS);
  }
}
