import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { BOARD_EVENTS } from './boards.events.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { BoardCardsService } from './board-cards.service.js';
import { BoardColumnsService } from './board-columns.service.js';
import { BoardAccess } from './boards.access.js';
import { BoardsController } from './boards.controller.js';
import { BoardsGateway } from './boards.gateway.js';
import { BoardsService } from './boards.service.js';
import { BoardCardsRepository } from './repositories/board-cards.repository.js';
import { BoardColumnsRepository } from './repositories/board-columns.repository.js';
import { BoardsRepository } from './repositories/boards.repository.js';

/** Kanban boards: members and roles, ordered columns and cards, events on `board:{id}`. */
@Module({
  imports: [AuthModule, NotificationsModule],
  providers: [
    BoardsRepository,
    BoardColumnsRepository,
    BoardCardsRepository,
    BoardAccess,
    BoardsService,
    BoardColumnsService,
    BoardCardsService,
    BoardsGateway,
  ],
  controllers: [BoardsController],
  exports: [BoardsService],
})
export class BoardsModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('boards', BOARD_EVENTS);
  }
}
