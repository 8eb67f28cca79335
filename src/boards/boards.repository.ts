import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserEntity } from '../auth/entities/user.entity.js';
import {
  BoardSummaryView,
  BoardView,
  CardView,
  ColumnView,
  ColumnWithCardsView,
  MemberView,
} from './dto/board-views.dto.js';
import { BoardCardEntity } from './entities/board-card.entity.js';
import { BoardColumnEntity } from './entities/board-column.entity.js';
import { BoardMemberEntity, BoardRole } from './entities/board-member.entity.js';
import { BoardEntity } from './entities/board.entity.js';
import { BoardsException } from './boards.exception.js';
import { keyBetween } from './position-key.js';

/** Where a new or moved row goes: left out (the end), null (the start), or after a sibling. */
export type Placement = string | null | undefined;

type Ordered = typeof BoardColumnEntity | typeof BoardCardEntity;

/** Rows of the boards module; every method runs on the caller's entity manager (transaction). */
@Injectable()
export class BoardsRepository {
  findBoard(em: EntityManager, id: string): Promise<BoardEntity | null> {
    return em.getRepository(BoardEntity).findOneBy({ id });
  }

  /** Serialises column placement and membership changes of one board. */
  lockBoard(em: EntityManager, id: string): Promise<BoardEntity | null> {
    return em
      .getRepository(BoardEntity)
      .findOne({ where: { id }, lock: { mode: 'for_no_key_update' } });
  }

  async bumpBoard(em: EntityManager, board: BoardEntity): Promise<void> {
    board.version += 1;
    board.updatedAt = new Date();
    await em
      .getRepository(BoardEntity)
      .update({ id: board.id }, { version: board.version, updatedAt: board.updatedAt });
  }

  async memberRole(em: EntityManager, boardId: string, userId: string): Promise<BoardRole | null> {
    const m = await em.getRepository(BoardMemberEntity).findOneBy({ boardId, userId });
    return m?.role ?? null;
  }

  async members(em: EntityManager, boardId: string, userId?: string): Promise<MemberView[]> {
    const qb = em
      .getRepository(BoardMemberEntity)
      .createQueryBuilder('m')
      .innerJoin(UserEntity, 'u', 'u.id = m.user_id')
      .select([
        'm.board_id AS "boardId"',
        'm.user_id AS "userId"',
        'u.display_name AS "displayName"',
        'm.role AS role',
      ])
      .where('m.board_id = :boardId', { boardId })
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.user_id', 'ASC');
    if (userId) qb.andWhere('m.user_id = :userId', { userId });
    return qb.getRawMany<MemberView>();
  }

  countOwners(em: EntityManager, boardId: string): Promise<number> {
    return em.getRepository(BoardMemberEntity).countBy({ boardId, role: 'owner' });
  }

  async listBoards(em: EntityManager, userId: string): Promise<BoardSummaryView[]> {
    const rows = await em
      .getRepository(BoardEntity)
      .createQueryBuilder('b')
      .innerJoin(BoardMemberEntity, 'm', 'm.board_id = b.id AND m.user_id = :userId', { userId })
      .select([
        'b.id AS id',
        'b.name AS name',
        'b.version AS version',
        'm.role AS role',
        'b.created_at AS "createdAt"',
        'b.updated_at AS "updatedAt"',
      ])
      .orderBy('b.updated_at', 'DESC')
      .addOrderBy('b.id', 'ASC')
      .getRawMany<{
        id: string;
        name: string;
        version: number;
        role: BoardRole;
        createdAt: Date;
        updatedAt: Date;
      }>();
    return rows.map((r) => ({
      ...r,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    }));
  }

  /** The whole board in four queries (board, members, columns, cards), whatever its size. */
  async loadBoard(em: EntityManager, boardId: string): Promise<BoardView | null> {
    const board = await this.findBoard(em, boardId);
    if (!board) return null;
    const members = await this.members(em, boardId);
    const columns = await em
      .getRepository(BoardColumnEntity)
      .find({ where: { boardId }, order: { position: 'ASC' } });
    const cards = await em
      .getRepository(BoardCardEntity)
      .find({ where: { boardId }, order: { position: 'ASC' } });
    const byColumn = new Map<string, ColumnWithCardsView>();
    const columnViews = columns.map((c) => {
      const view: ColumnWithCardsView = { ...toColumnView(c), cards: [] };
      byColumn.set(c.id, view);
      return view;
    });
    for (const card of cards) byColumn.get(card.columnId)?.cards.push(toCardView(card));
    return {
      id: board.id,
      name: board.name,
      version: board.version,
      members,
      columns: columnViews,
      createdAt: board.createdAt.toISOString(),
      updatedAt: board.updatedAt.toISOString(),
    };
  }

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

  findCard(em: EntityManager, id: string): Promise<BoardCardEntity | null> {
    return em.getRepository(BoardCardEntity).findOneBy({ id });
  }

  lockCard(em: EntityManager, id: string): Promise<BoardCardEntity | null> {
    return em
      .getRepository(BoardCardEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * A position key for a column of the board. The caller holds the board lock,
   * so no other writer computes a key among the same neighbours meanwhile.
   */
  columnKey(
    em: EntityManager,
    boardId: string,
    after: Placement,
    movingId?: string,
  ): Promise<string> {
    return this.keyFor(
      em,
      BoardColumnEntity,
      'board_id',
      boardId,
      after,
      movingId,
      'afterColumnId',
    );
  }

  /** A position key in a column; the caller holds that column's placement lock. */
  cardKey(
    em: EntityManager,
    columnId: string,
    after: Placement,
    movingId?: string,
  ): Promise<string> {
    return this.keyFor(em, BoardCardEntity, 'column_id', columnId, after, movingId, 'afterCardId');
  }

  private async keyFor(
    em: EntityManager,
    target: Ordered,
    scopeColumn: 'board_id' | 'column_id',
    scopeId: string,
    after: Placement,
    movingId: string | undefined,
    field: string,
  ): Promise<string> {
    const neighbour = async (
      direction: 'first' | 'last' | 'after',
      position?: string,
    ): Promise<string | null> => {
      const qb = em
        .createQueryBuilder(target, 'x')
        .select('x.position', 'position')
        .where(`x.${scopeColumn} = :scopeId`, { scopeId });
      if (movingId) qb.andWhere('x.id <> :movingId', { movingId });
      if (direction === 'after') qb.andWhere('x.position > :position', { position });
      qb.orderBy('x.position', direction === 'last' ? 'DESC' : 'ASC').limit(1);
      const row = await qb.getRawOne<{ position: string }>();
      return row?.position ?? null;
    };
    if (after === undefined) return keyBetween(await neighbour('last'), null);
    if (after === null) return keyBetween(null, await neighbour('first'));
    if (after === movingId)
      throw BoardsException.invalidReference(field, `${field} cannot be the item being moved`);
    const anchor = await em
      .createQueryBuilder(target, 'x')
      .select('x.position', 'position')
      .where('x.id = :after', { after })
      .andWhere(`x.${scopeColumn} = :scopeId`, { scopeId })
      .getRawOne<{ position: string }>();
    if (!anchor)
      throw BoardsException.invalidReference(field, `${field} is not in the target list`);
    return keyBetween(anchor.position, await neighbour('after', anchor.position));
  }
}

export function toCardView(c: BoardCardEntity): CardView {
  return {
    id: c.id,
    boardId: c.boardId,
    columnId: c.columnId,
    title: c.title,
    description: c.description,
    assigneeId: c.assigneeId,
    dueAt: c.dueAt ? c.dueAt.toISOString() : null,
    labels: c.labels,
    position: c.position,
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function toColumnView(c: BoardColumnEntity): ColumnView {
  return {
    id: c.id,
    boardId: c.boardId,
    title: c.title,
    position: c.position,
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
