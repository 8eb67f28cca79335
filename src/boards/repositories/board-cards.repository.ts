import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BoardCardEntity } from '../entities/board-card.entity.js';
import { Placement, positionKey } from './placement.js';

export type NewCard = Pick<
  BoardCardEntity,
  | 'boardId'
  | 'columnId'
  | 'title'
  | 'description'
  | 'assigneeId'
  | 'dueAt'
  | 'labels'
  | 'position'
  | 'createdBy'
>;

/** The `board_cards` rows; every method runs on the caller's entity manager (transaction). */
@Injectable()
export class BoardCardsRepository {
  findCard(em: EntityManager, id: string): Promise<BoardCardEntity | null> {
    return em.getRepository(BoardCardEntity).findOneBy({ id });
  }

  lockCard(em: EntityManager, id: string): Promise<BoardCardEntity | null> {
    return em
      .getRepository(BoardCardEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** A position key in a column; the caller holds that column's placement lock. */
  cardKey(
    em: EntityManager,
    columnId: string,
    after: Placement,
    movingId?: string,
  ): Promise<string> {
    return positionKey(
      em,
      {
        target: BoardCardEntity,
        scopeColumn: 'column_id',
        scopeId: columnId,
        field: 'afterCardId',
      },
      after,
      movingId,
    );
  }

  insert(em: EntityManager, card: NewCard): Promise<BoardCardEntity> {
    return em
      .getRepository(BoardCardEntity)
      .save(em.create(BoardCardEntity, { ...card, version: 1 }));
  }

  /** Writes every editable field of the card, its version and updatedAt as the caller set them. */
  async update(em: EntityManager, card: BoardCardEntity): Promise<void> {
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
  }

  async delete(em: EntityManager, id: string): Promise<void> {
    await em.getRepository(BoardCardEntity).delete({ id });
  }
}
