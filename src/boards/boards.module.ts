import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { BoardAccess } from './boards.access.js';
import { BoardsController } from './boards.controller.js';
import { BoardsGateway } from './boards.gateway.js';
import { BoardsRepository } from './boards.repository.js';
import { BoardsService } from './boards.service.js';

/** Kanban boards: members and roles, ordered columns and cards, events on `board:{id}`. */
@Module({
  imports: [AuthModule, NotificationsModule],
  providers: [BoardsRepository, BoardAccess, BoardsService, BoardsGateway],
  controllers: [BoardsController],
  exports: [BoardsService],
})
export class BoardsModule {}
