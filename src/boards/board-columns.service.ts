import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { BoardAccess } from './boards.access.js';
import { boardChannel } from './boards.events.js';
import { BoardsException } from './boards.exception.js';
import { toColumnView } from './boards.views.js';
import { ColumnDeletedView, ColumnView } from './dto/board-views.dto.js';
import { CreateColumnBody, UpdateColumnBody } from './dto/board.dto.js';
import { BoardColumnsRepository } from './repositories/board-columns.repository.js';
import { BoardsRepository } from './repositories/boards.repository.js';

/**
 * The columns of a board. A column carries `version`; the row is read FOR
 * UPDATE and a stale version is CONFLICT (nothing written). Position keys are
 * computed while holding the board's row lock, so two writers never pick the
 * same key.
 */
@Injectable()
export class BoardColumnsService {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly access: BoardAccess,
    private readonly boards: BoardsRepository,
    private readonly columns: BoardColumnsRepository,
  ) {}

  async createColumn(user: AuthUser, boardId: string, dto: CreateColumnBody): Promise<ColumnView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, 'write');
      await this.lockPlacement(em, boardId);
      const position = await this.columns.columnKey(em, boardId, dto.afterColumnId);
      const column = await this.columns.insert(em, { boardId, title: dto.title, position });
      const view = toColumnView(column);
      await tx.append(boardChannel(boardId), 'board.column.created', view);
      return view;
    });
  }

  async updateColumn(user: AuthUser, columnId: string, dto: UpdateColumnBody): Promise<ColumnView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const boardId = await this.boardOfColumn(em, columnId);
      await this.access.require(em, user, boardId, 'write');
      if (dto.afterColumnId !== undefined) await this.lockPlacement(em, boardId);
      const column = await this.columns.lockColumn(em, columnId, 'exclusive');
      if (!column) throw BoardsException.columnNotFound();
      if (column.version !== dto.version)
        throw BoardsException.stale('column', toColumnView(column));
      if (dto.title !== undefined) column.title = dto.title;
      if (dto.afterColumnId !== undefined)
        column.position = await this.columns.columnKey(em, boardId, dto.afterColumnId, column.id);
      column.version += 1;
      column.updatedAt = new Date();
      await this.columns.update(em, column);
      const view = toColumnView(column);
      await tx.append(boardChannel(boardId), 'board.column.updated', view);
      return view;
    });
  }

  /** Deletes the column and its cards. `version` undefined: no version check (REST only). */
  async deleteColumn(
    user: AuthUser,
    columnId: string,
    version: number | undefined,
  ): Promise<ColumnDeletedView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const boardId = await this.boardOfColumn(em, columnId);
      await this.access.require(em, user, boardId, 'write');
      const column = await this.columns.lockColumn(em, columnId, 'exclusive');
      if (!column) throw BoardsException.columnNotFound();
      if (version !== undefined && column.version !== version)
        throw BoardsException.stale('column', toColumnView(column));
      await this.columns.delete(em, column.id);
      const deleted: ColumnDeletedView = { id: column.id, boardId, version: column.version };
      await tx.append(boardChannel(boardId), 'board.column.deleted', deleted);
      return deleted;
    });
  }

  /** Column placement takes turns on the board's row. */
  private async lockPlacement(em: EntityManager, boardId: string): Promise<void> {
    if (!(await this.boards.lockBoard(em, boardId))) throw BoardsException.notMember(boardId);
  }

  private async boardOfColumn(em: EntityManager, columnId: string): Promise<string> {
    const column = await this.columns.findColumn(em, columnId);
    if (!column) throw BoardsException.columnNotFound();
    return column.boardId;
  }
}
