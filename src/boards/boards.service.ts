import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { UsersRepository } from '../auth/repositories/users.repository.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { pageLimit } from '../common/dto/page.dto.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../common/keyset-cursor.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { BoardAccess } from './boards.access.js';
import { boardChannel } from './boards.events.js';
import { BoardsException } from './boards.exception.js';
import { BoardPage, BoardView, MemberView } from './dto/board-views.dto.js';
import { AddMemberBody, CreateBoardBody, ListBoardsQuery } from './dto/board.dto.js';
import { BoardEntity } from './entities/board.entity.js';
import { BoardsRepository } from './repositories/boards.repository.js';

/**
 * Kanban boards and their members: one write path for REST and socket
 * commands. Every write checks the caller's role (BoardAccess), writes its rows
 * and appends its event to `board:{id}` in one transaction; the kernel
 * publishes after commit. Columns and cards: BoardColumnsService, BoardCardsService.
 */
@Injectable()
export class BoardsService {
  constructor(
    private readonly db: DataSource,
    private readonly realtime: RealtimeService,
    private readonly access: BoardAccess,
    private readonly boards: BoardsRepository,
    private readonly users: UsersRepository,
  ) {}

  async createBoard(user: AuthUser, dto: CreateBoardBody): Promise<BoardView> {
    return this.realtime.transaction(async ({ em }) => {
      const board = await this.boards.insertBoard(em, dto.name, user.id);
      await this.boards.insertMember(em, board.id, user.id, 'owner');
      return (await this.boards.loadBoard(em, board.id))!;
    });
  }

  async listBoards(user: AuthUser, q: ListBoardsQuery): Promise<BoardPage> {
    const limit = pageLimit(q);
    const rows = await this.boards.listBoards(
      this.db.manager,
      user.id,
      limit + 1,
      decodeKeysetCursor(q.cursor),
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(({ position: _position, ...board }) => board),
      nextCursor: rows.length > limit ? encodeKeysetCursor(page[page.length - 1].position) : null,
    };
  }

  /** The whole board from one snapshot (REPEATABLE READ), so columns and cards agree. */
  async getBoard(user: AuthUser, boardId: string): Promise<BoardView> {
    return this.db.transaction('REPEATABLE READ', async (em) => {
      await this.access.require(em, user, boardId, 'read');
      const board = await this.boards.loadBoard(em, boardId);
      if (!board) throw BoardsException.notMember(boardId);
      return board;
    });
  }

  /** Adds a member (created), or changes the role of one (existing). */
  async addMember(
    user: AuthUser,
    boardId: string,
    dto: AddMemberBody,
  ): Promise<CreatedOrExisting<MemberView>> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, 'manage');
      const board = await this.lockBoard(em, boardId);
      if (!(await this.users.exists(em, dto.userId))) throw BoardsException.userNotFound();
      const previous = await this.boards.memberRole(em, boardId, dto.userId);
      if (previous === dto.role) {
        const [member] = await this.boards.members(em, boardId, dto.userId);
        return new CreatedOrExisting(member, false);
      }
      if (previous === 'owner' && (await this.boards.countOwners(em, boardId)) <= 1)
        throw BoardsException.lastOwner();
      await this.boards.upsertMember(em, boardId, dto.userId, dto.role);
      await this.boards.bumpBoard(em, board);
      const [member] = await this.boards.members(em, boardId, dto.userId);
      await tx.append(
        boardChannel(boardId),
        previous === null ? 'board.member.added' : 'board.member.updated',
        { ...member, boardVersion: board.version },
      );
      return new CreatedOrExisting(member, previous === null);
    });
  }

  /** The owner removes anyone; a member may remove themselves (leave). */
  async removeMember(user: AuthUser, boardId: string, userId: string): Promise<void> {
    await this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, boardId, userId === user.id ? 'read' : 'manage');
      const board = await this.lockBoard(em, boardId);
      const role = await this.boards.memberRole(em, boardId, userId);
      if (role === null) throw BoardsException.memberNotFound();
      if (role === 'owner' && (await this.boards.countOwners(em, boardId)) <= 1)
        throw BoardsException.lastOwner();
      await this.boards.deleteMember(em, boardId, userId);
      await this.boards.bumpBoard(em, board);
      await tx.append(boardChannel(boardId), 'board.member.removed', {
        boardId,
        userId,
        boardVersion: board.version,
      });
      // After the event went out: the removed user's sockets see it, then lose the channel.
      tx.afterCommit(() => this.realtime.revokeEverywhere(userId, boardChannel(boardId)));
    });
  }

  /** Membership changes of one board take turns on its row. */
  private async lockBoard(em: EntityManager, boardId: string): Promise<BoardEntity> {
    const board = await this.boards.lockBoard(em, boardId);
    if (!board) throw BoardsException.notMember(boardId);
    return board;
  }
}
