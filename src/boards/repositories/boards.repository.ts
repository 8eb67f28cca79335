import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserEntity } from '../../auth/entities/user.entity.js';
import { KeysetPosition, microsecondsOf, timestampOf } from '../../common/keyset-cursor.js';
import { toCardView, toColumnView } from '../boards.views.js';
import {
  BoardSummaryView,
  BoardView,
  ColumnWithCardsView,
  MemberView,
} from '../dto/board-views.dto.js';
import { BoardCardEntity } from '../entities/board-card.entity.js';
import { BoardColumnEntity } from '../entities/board-column.entity.js';
import { BoardMemberEntity, BoardRole } from '../entities/board-member.entity.js';
import { BoardEntity } from '../entities/board.entity.js';

/** Boards and their members; every method runs on the caller's entity manager (transaction). */
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

  insertBoard(em: EntityManager, name: string, createdBy: string): Promise<BoardEntity> {
    return em
      .getRepository(BoardEntity)
      .save(em.create(BoardEntity, { name, createdBy, version: 1 }));
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

  async insertMember(
    em: EntityManager,
    boardId: string,
    userId: string,
    role: BoardRole,
  ): Promise<void> {
    await em.getRepository(BoardMemberEntity).insert({ boardId, userId, role });
  }

  /** Adds the member, or changes the role of one. */
  async upsertMember(
    em: EntityManager,
    boardId: string,
    userId: string,
    role: BoardRole,
  ): Promise<void> {
    await em
      .getRepository(BoardMemberEntity)
      .upsert({ boardId, userId, role, updatedAt: new Date() }, ['boardId', 'userId']);
  }

  async deleteMember(em: EntityManager, boardId: string, userId: string): Promise<void> {
    await em.getRepository(BoardMemberEntity).delete({ boardId, userId });
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

  /**
   * The user's boards, most recently updated first; keyset on (updated_at, id).
   * Each row carries its position for the next page's cursor.
   */
  async listBoards(
    em: EntityManager,
    userId: string,
    limit: number,
    after?: KeysetPosition,
  ): Promise<(BoardSummaryView & { position: KeysetPosition })[]> {
    const qb = em
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
        `${microsecondsOf('b.updated_at')} AS "updatedUs"`,
      ])
      .orderBy('b.updated_at', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(limit);
    if (after)
      qb.andWhere(`(b.updated_at, b.id) < (${timestampOf(':afterUs')}, CAST(:afterId AS uuid))`, {
        afterUs: after.us,
        afterId: after.id,
      });
    const rows = await qb.getRawMany<{
      id: string;
      name: string;
      version: number;
      role: BoardRole;
      createdAt: Date;
      updatedAt: Date;
      updatedUs: string;
    }>();
    return rows.map(({ updatedUs, ...r }) => ({
      ...r,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      position: { us: updatedUs, id: r.id },
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
}
