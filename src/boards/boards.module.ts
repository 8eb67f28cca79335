import { Module, OnModuleInit } from '@nestjs/common';
import { RealtimeService } from '../realtime/realtime.service.js';
import { BOARD_EVENTS } from './boards.events.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { BoardAccess } from './boards.access.js';
import { BoardsController } from './boards.controller.js';
import { BoardsGateway } from './boards.gateway.js';
import { BoardsRepository } from './boards.repository.js';
import { BoardsService } from './boards.service.js';

/** Kanban boards: members and roles, ordered columns and cards, events on `board:{id}`. */
@Module({
  imports: [NotificationsModule],
  providers: [BoardsRepository, BoardAccess, BoardsService, BoardsGateway],
  controllers: [BoardsController],
  exports: [BoardsService],
})
export class BoardsModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('boards', BOARD_EVENTS);
  }
}
