import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BoardColumnEntity } from '../entities/board-column.entity.js';
import { Placement, positionKey } from './placement.js';

/** The `board_columns` rows; every method runs on the caller's entity manager (transaction). */
@Injectable()
export class BoardColumnsRepository {
  findColumn(em: EntityManager, id: string): Promise<BoardColumnEntity | null> {
    return em.getRepository(BoardColumnEntity).findOneBy({ id });
  }

  /**
   * `share`: placing cards in the column (FOR NO KEY UPDATE, so two writers
   * computing a position key there take turns); `exclusive`: changing the column.
   */
  lockColumn(
    em: EntityManager,
    id: string,
    mode: 'share' | 'exclusive',
  ): Promise<BoardColumnEntity | null> {
    return em.getRepository(BoardColumnEntity).findOne({
      where: { id },
      lock: { mode: mode === 'share' ? 'for_no_key_update' : 'pessimistic_write' },
    });
  }

  /** A position key for a column of the board; the caller holds the board lock. */
  columnKey(
    em: EntityManager,
    boardId: string,
    after: Placement,
    movingId?: string,
  ): Promise<string> {
    return positionKey(
      em,
      {
        target: BoardColumnEntity,
        scopeColumn: 'board_id',
        scopeId: boardId,
        field: 'afterColumnId',
      },
      after,
      movingId,
    );
  }

  insert(
    em: EntityManager,
    column: Pick<BoardColumnEntity, 'boardId' | 'title' | 'position'>,
  ): Promise<BoardColumnEntity> {
    return em
      .getRepository(BoardColumnEntity)
      .save(em.create(BoardColumnEntity, { ...column, version: 1 }));
  }

  /** Writes the column's title, position, version and updatedAt as the caller set them. */
  async update(em: EntityManager, column: BoardColumnEntity): Promise<void> {
    await em.getRepository(BoardColumnEntity).update(
      { id: column.id },
      {
        title: column.title,
        position: column.position,
        version: column.version,
        updatedAt: column.updatedAt,
      },
    );
  }

  /** Its cards go with it (ON DELETE CASCADE). */
  async delete(em: EntityManager, id: string): Promise<void> {
    await em.getRepository(BoardColumnEntity).delete({ id });
  }
}
