import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeService, RealtimeTx } from '../realtime/realtime.service.js';
import { BoardAccess } from './boards.access.js';
import { boardChannel } from './boards.events.js';
import { BoardsException } from './boards.exception.js';
import { toCardView } from './boards.views.js';
import { CardDeletedView, CardView } from './dto/board-views.dto.js';
import { CreateCardBody, MoveCardBody, UpdateCardBody } from './dto/board.dto.js';
import { BoardCardEntity } from './entities/board-card.entity.js';
import { BoardColumnEntity } from './entities/board-column.entity.js';
import { BoardCardsRepository } from './repositories/board-cards.repository.js';
import { BoardColumnsRepository } from './repositories/board-columns.repository.js';
import { BoardsRepository } from './repositories/boards.repository.js';

/**
 * The cards of a board. A card carries `version`; the row is read FOR UPDATE
 * and a stale version is CONFLICT (nothing written). Position keys are computed
 * while holding the target column's row lock, so two writers never pick the
 * same key, and a move writes one row.
 */
@Injectable()
export class BoardCardsService {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly access: BoardAccess,
    private readonly boards: BoardsRepository,
    private readonly columns: BoardColumnsRepository,
    private readonly cards: BoardCardsRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async createCard(user: AuthUser, boardId: string, dto: CreateCardBody): Promise<CardView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, 'write');
      await this.lockColumnOf(em, boardId, dto.columnId, 'columnId');
      if (dto.assigneeId) await this.requireAssignable(em, boardId, dto.assigneeId);
      const position = await this.cards.cardKey(em, dto.columnId, dto.afterCardId);
      const card = await this.cards.insert(em, {
        boardId,
        columnId: dto.columnId,
        title: dto.title,
        description: dto.description ?? null,
        assigneeId: dto.assigneeId ?? null,
        dueAt: dto.dueAt ? new Date(dto.dueAt) : null,
        labels: dto.labels ?? [],
        position,
        createdBy: user.id,
      });
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
      card.position = await this.cards.cardKey(em, dto.toColumnId, dto.afterCardId, card.id);
      card.columnId = dto.toColumnId;
      const view = await this.saveCard(em, card);
      await tx.append(boardChannel(boardId), 'board.card.moved', { ...view, fromColumnId });
      return view;
    });
  }

  /** `version` undefined: no version check (REST only). */
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
      await this.cards.delete(em, card.id);
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

  private async boardOfCard(em: EntityManager, cardId: string): Promise<string> {
    const card = await this.cards.findCard(em, cardId);
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
    const column = await this.columns.lockColumn(em, columnId, 'share');
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
    const card = await this.cards.lockCard(em, cardId);
    if (!card) throw BoardsException.cardNotFound();
    if (version !== undefined && card.version !== version)
      throw BoardsException.stale('card', toCardView(card));
    return card;
  }

  private async saveCard(em: EntityManager, card: BoardCardEntity): Promise<CardView> {
    card.version += 1;
    card.updatedAt = new Date();
    await this.cards.update(em, card);
    return toCardView(card);
  }

  private async requireAssignable(
    em: EntityManager,
    boardId: string,
    assigneeId: string,
  ): Promise<void> {
    if ((await this.boards.memberRole(em, boardId, assigneeId)) === null)
      throw BoardsException.invalidReference(
        'assigneeId',
        'assigneeId is not a member of the board',
      );
  }

  /** The assignee hears about it on `user:{id}` (not when assigning oneself). */
  private async notifyAssignee(tx: RealtimeTx, actor: AuthUser, card: CardView): Promise<void> {
    if (!card.assigneeId || card.assigneeId === actor.id) return;
    const board = await this.boards.findBoard(tx.em, card.boardId);
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
