import { Module } from '@nestjs/common';
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
export class AnnouncementsModule {}
