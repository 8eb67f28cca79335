import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { UsersRepository } from '../auth/repositories/users.repository.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeService, RealtimeTx } from '../realtime/realtime.service.js';
import { BoardAccess } from './boards.access.js';
import { BoardsException } from './boards.exception.js';
import { BoardsRepository, toCardView, toColumnView } from './boards.repository.js';
import {
  BoardListView,
  BoardView,
  CardDeletedView,
  CardView,
  ColumnDeletedView,
  ColumnView,
  MemberView,
} from './dto/board-views.dto.js';
import {
  AddMemberDto,
  CreateBoardDto,
  CreateCardBody,
  CreateColumnBody,
  MoveCardBody,
  UpdateCardBody,
  UpdateColumnBody,
} from './dto/board.dto.js';
import { BoardCardEntity } from './entities/board-card.entity.js';
import { BoardColumnEntity } from './entities/board-column.entity.js';
import { BoardMemberEntity } from './entities/board-member.entity.js';
import { BoardEntity } from './entities/board.entity.js';

export const boardChannel = (boardId: string): string => `board:${boardId}`;

/**
 * Kanban boards: one write path for REST and socket commands. Every write checks
 * the caller's role (BoardAccess), writes its rows and appends its event to
 * `board:{id}` in one transaction; the kernel publishes after commit.
 *
 * Concurrency: a card or column carries `version`; the row is read FOR UPDATE
 * and a stale version is CONFLICT (nothing written). Position keys are computed
 * while holding the target column's (cards) or the board's (columns) row lock,
 * so two writers never pick the same key, and a move writes one row.
 */
@Injectable()
export class BoardsService {
  constructor(
    private readonly db: DataSource,
    private readonly realtime: RealtimeService,
    private readonly access: BoardAccess,
    private readonly repo: BoardsRepository,
    private readonly users: UsersRepository,
    private readonly notifications: NotificationsService,
  ) {}

  // Boards and members

  async createBoard(user: AuthUser, dto: CreateBoardDto): Promise<BoardView> {
    return this.realtime.transaction(async ({ em }) => {
      const board = await em
        .getRepository(BoardEntity)
        .save(em.create(BoardEntity, { name: dto.name, createdBy: user.id, version: 1 }));
      await em
        .getRepository(BoardMemberEntity)
        .insert({ boardId: board.id, userId: user.id, role: 'owner' });
      return (await this.repo.loadBoard(em, board.id))!;
    });
  }

  async listBoards(user: AuthUser): Promise<BoardListView> {
    return { items: await this.repo.listBoards(this.db.manager, user.id) };
  }

  /** The whole board from one snapshot (REPEATABLE READ), so columns and cards agree. */
  async getBoard(user: AuthUser, boardId: string): Promise<BoardView> {
    return this.db.transaction('REPEATABLE READ', async (em) => {
      await this.access.require(em, user, boardId, 'read');
      const board = await this.repo.loadBoard(em, boardId);
      if (!board) throw BoardsException.notMember(boardId);
      return board;
    });
  }

  /** Adds a member, or changes the role of one; `created` tells which. */
  async addMember(
    user: AuthUser,
    boardId: string,
    dto: AddMemberDto,
  ): Promise<{ member: MemberView; created: boolean }> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, 'manage');
      const board = await this.lockBoard(em, boardId);
      if (!(await this.users.exists(em, dto.userId))) throw BoardsException.userNotFound();
      const previous = await this.repo.memberRole(em, boardId, dto.userId);
      if (previous === dto.role) {
        const [member] = await this.repo.members(em, boardId, dto.userId);
        return { member, created: false };
      }
      if (previous === 'owner' && (await this.repo.countOwners(em, boardId)) <= 1)
        throw BoardsException.lastOwner();
      await em
        .getRepository(BoardMemberEntity)
        .upsert({ boardId, userId: dto.userId, role: dto.role, updatedAt: new Date() }, [
          'boardId',
          'userId',
        ]);
      await this.repo.bumpBoard(em, board);
      const [member] = await this.repo.members(em, boardId, dto.userId);
      await tx.append(
        boardChannel(boardId),
        previous === null ? 'board.member.added' : 'board.member.updated',
        { ...member, boardVersion: board.version },
      );
      return { member, created: previous === null };
    });
  }

  /** The owner removes anyone; a member may remove themselves (leave). */
  async removeMember(user: AuthUser, boardId: string, userId: string): Promise<void> {
    await this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, userId === user.id ? 'read' : 'manage');
      const board = await this.lockBoard(em, boardId);
      const role = await this.repo.memberRole(em, boardId, userId);
      if (role === null) throw BoardsException.memberNotFound();
      if (role === 'owner' && (await this.repo.countOwners(em, boardId)) <= 1)
        throw BoardsException.lastOwner();
      await em.getRepository(BoardMemberEntity).delete({ boardId, userId });
      await this.repo.bumpBoard(em, board);
      await tx.append(boardChannel(boardId), 'board.member.removed', {
        boardId,
        userId,
        boardVersion: board.version,
      });
      // After the event went out: the removed user's sockets see it, then lose the channel.
      tx.afterCommit(() => this.realtime.revokeEverywhere(userId, boardChannel(boardId)));
    });
  }

  // Columns

  async createColumn(user: AuthUser, boardId: string, dto: CreateColumnBody): Promise<ColumnView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, 'write');
      await this.lockBoard(em, boardId);
      const position = await this.repo.columnKey(em, boardId, dto.afterColumnId);
      const column = await em
        .getRepository(BoardColumnEntity)
        .save(em.create(BoardColumnEntity, { boardId, title: dto.title, position, version: 1 }));
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
      if (dto.afterColumnId !== undefined) await this.lockBoard(em, boardId);
      const column = await this.repo.lockColumn(em, columnId, 'exclusive');
      if (!column) throw BoardsException.columnNotFound();
      if (column.version !== dto.version)
        throw BoardsException.stale('column', toColumnView(column));
      if (dto.title !== undefined) column.title = dto.title;
      if (dto.afterColumnId !== undefined)
        column.position = await this.repo.columnKey(em, boardId, dto.afterColumnId, column.id);
      column.version += 1;
      column.updatedAt = new Date();
      await em.getRepository(BoardColumnEntity).update(
        { id: column.id },
        {
          title: column.title,
          position: column.position,
          version: column.version,
          updatedAt: column.updatedAt,
        },
      );
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
      const column = await this.repo.lockColumn(em, columnId, 'exclusive');
      if (!column) throw BoardsException.columnNotFound();
      if (version !== undefined && column.version !== version)
        throw BoardsException.stale('column', toColumnView(column));
      await em.getRepository(BoardColumnEntity).delete({ id: column.id });
      const deleted: ColumnDeletedView = { id: column.id, boardId, version: column.version };
      await tx.append(boardChannel(boardId), 'board.column.deleted', deleted);
      return deleted;
    });
  }

  // Cards

  async createCard(user: AuthUser, boardId: string, dto: CreateCardBody): Promise<CardView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, 'write');
      await this.lockColumnOf(em, boardId, dto.columnId, 'columnId');
      if (dto.assigneeId) await this.requireAssignable(em, boardId, dto.assigneeId);
      const position = await this.repo.cardKey(em, dto.columnId, dto.afterCardId);
      const card = await em.getRepository(BoardCardEntity).save(
        em.create(BoardCardEntity, {
          boardId,
          columnId: dto.columnId,
          title: dto.title,
          description: dto.description ?? null,
          assigneeId: dto.assigneeId ?? null,
          dueAt: dto.dueAt ? new Date(dto.dueAt) : null,
          labels: dto.labels ?? [],
          position,
          version: 1,
          createdBy: user.id,
        }),
      );
      const view = toCardView(card);
      await tx.append(boardChannel(boardId), 'board.card.created', view);
      if (card.assigneeId) await this.notifyAssignee(tx, user, view);
      return view;
    });
  }

  async updateCard(user: AuthUser, cardId: string, dto: UpdateCardBody): Promise<CardView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const boardId = await this.boardOfCard(em, cardId);
      await this.access.require(em, user, boardId, 'write');
      const card = await this.lockCard(em, cardId, dto.version);
      const previousAssignee = card.assigneeId;
      if (dto.assigneeId) await this.requireAssignable(em, boardId, dto.assigneeId);
      if (dto.title !== undefined) card.title = dto.title;
      if (dto.description !== undefined) card.description = dto.description;
      if (dto.assigneeId !== undefined) card.assigneeId = dto.assigneeId;
      if (dto.dueAt !== undefined) card.dueAt = dto.dueAt === null ? null : new Date(dto.dueAt);
      if (dto.labels !== undefined) card.labels = dto.labels;
      const view = await this.saveCard(em, card);
      await tx.append(boardChannel(boardId), 'board.card.updated', view);
      if (card.assigneeId && card.assigneeId !== previousAssignee)
        await this.notifyAssignee(tx, user, view);
      return view;
    });
  }

  /**
   * Moves a card within or across columns: one row written. Locks the target
   * column (key placement), then the card (version check).
   */
  async moveCard(user: AuthUser, cardId: string, dto: MoveCardBody): Promise<CardView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const boardId = await this.boardOfCard(em, cardId);
      await this.access.require(em, user, boardId, 'write');
      await this.lockColumnOf(em, boardId, dto.toColumnId, 'toColumnId');
      const card = await this.lockCard(em, cardId, dto.version);
      const fromColumnId = card.columnId;
      card.position = await this.repo.cardKey(em, dto.toColumnId, dto.afterCardId, card.id);
      card.columnId = dto.toColumnId;
      const view = await this.saveCard(em, card);
      await tx.append(boardChannel(boardId), 'board.card.moved', { ...view, fromColumnId });
      return view;
    });
  }

  async deleteCard(
    user: AuthUser,
    cardId: string,
    version: number | undefined,
  ): Promise<CardDeletedView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const boardId = await this.boardOfCard(em, cardId);
      await this.access.require(em, user, boardId, 'write');
      const card = await this.lockCard(em, cardId, version);
      await em.getRepository(BoardCardEntity).delete({ id: card.id });
      const deleted: CardDeletedView = {
        id: card.id,
        boardId,
        columnId: card.columnId,
        version: card.version,
      };
      await tx.append(boardChannel(boardId), 'board.card.deleted', deleted);
      return deleted;
    });
  }

  // Helpers

  private async lockBoard(em: EntityManager, boardId: string): Promise<BoardEntity> {
    const board = await this.repo.lockBoard(em, boardId);
    if (!board) throw BoardsException.notMember(boardId);
    return board;
  }

  private async boardOfColumn(em: EntityManager, columnId: string): Promise<string> {
    const column = await this.repo.findColumn(em, columnId);
    if (!column) throw BoardsException.columnNotFound();
    return column.boardId;
  }

  private async boardOfCard(em: EntityManager, cardId: string): Promise<string> {
    const card = await this.repo.findCard(em, cardId);
    if (!card) throw BoardsException.cardNotFound();
    return card.boardId;
  }

  /** Takes the placement lock of a column of this board; a column elsewhere is BAD_REQUEST. */
  private async lockColumnOf(
    em: EntityManager,
    boardId: string,
    columnId: string,
    field: string,
  ): Promise<BoardColumnEntity> {
    const column = await this.repo.lockColumn(em, columnId, 'share');
    if (!column || column.boardId !== boardId)
      throw BoardsException.invalidReference(field, `${field} is not a column of this board`);
    return column;
  }

  /** The card, locked; a stale `version` is CONFLICT with the card as it is now. */
  private async lockCard(
    em: EntityManager,
    cardId: string,
    version: number | undefined,
  ): Promise<BoardCardEntity> {
    const card = await this.repo.lockCard(em, cardId);
    if (!card) throw BoardsException.cardNotFound();
    if (version !== undefined && card.version !== version)
      throw BoardsException.stale('card', toCardView(card));
    return card;
  }

  private async saveCard(em: EntityManager, card: BoardCardEntity): Promise<CardView> {
    card.version += 1;
    card.updatedAt = new Date();
    await em.getRepository(BoardCardEntity).update(
      { id: card.id },
      {
        columnId: card.columnId,
        title: card.title,
        description: card.description,
        assigneeId: card.assigneeId,
        dueAt: card.dueAt,
        labels: card.labels,
        position: card.position,
        version: card.version,
        updatedAt: card.updatedAt,
      },
    );
    return toCardView(card);
  }

  private async requireAssignable(
    em: EntityManager,
    boardId: string,
    assigneeId: string,
  ): Promise<void> {
    if ((await this.repo.memberRole(em, boardId, assigneeId)) === null)
      throw BoardsException.invalidReference(
        'assigneeId',
        'assigneeId is not a member of the board',
      );
  }

  /** The assignee hears about it on `user:{id}` (not when assigning oneself). */
  private async notifyAssignee(tx: RealtimeTx, actor: AuthUser, card: CardView): Promise<void> {
    if (!card.assigneeId || card.assigneeId === actor.id) return;
    const board = await this.repo.findBoard(tx.em, card.boardId);
    await this.notifications.create(
      {
        userId: card.assigneeId,
        type: 'board.card.assigned',
        title: `You were assigned "${card.title}"`,
        body: `${actor.displayName} assigned you a card on ${board?.name ?? 'a board'}`,
        link: `/boards/${card.boardId}?card=${card.id}`,
        entity: { type: 'board.card', id: card.id },
      },
      tx,
    );
  }
}
