import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { rankedAccess } from '../common/access/ranked-access.js';
import { isUuid } from '../common/uuid.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { BoardRole } from './entities/board-member.entity.js';
import { BoardsException } from './boards.exception.js';
import { BoardsRepository } from './repositories/boards.repository.js';

/** What an operation needs: read (any member), write (editor or owner), manage (owner). */
export type BoardPermission = 'read' | 'write' | 'manage';

const lacks = rankedAccess<BoardRole, BoardPermission>(['viewer', 'editor', 'owner'], {
  read: 'viewer',
  write: 'editor',
  manage: 'owner',
});

/**
 * The one place that decides who may do what on a board. The `board:{id}`
 * channel policy (socket subscribe, SSE, HTTP recovery and the @ChannelAccess
 * guard) and every service method ask it.
 */
@Injectable()
export class BoardAccess implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly realtime: RealtimeService,
    private readonly repo: BoardsRepository,
  ) {}

  onModuleInit(): void {
    this.realtime.registerPolicy({
      prefix: 'board',
      needsId: true,
      canSubscribe: async (user, boardId) =>
        user !== null && boardId !== undefined && (await this.roleOf(user.id, boardId)) !== null,
    });
  }

  /** The user's role on the board, or null (not a member, or no such board). */
  roleOf(
    userId: string,
    boardId: string,
    em: EntityManager = this.db.manager,
  ): Promise<BoardRole | null> {
    if (!isUuid(boardId)) return Promise.resolve(null);
    return this.repo.memberRole(em, boardId, userId);
  }

  /** Throws FORBIDDEN unless the user's role allows `permission`; returns the role. */
  async require(
    em: EntityManager,
    user: AuthUser,
    boardId: string,
    permission: BoardPermission,
  ): Promise<BoardRole> {
    const role = await this.roleOf(user.id, boardId, em);
    if (role === null) throw BoardsException.notMember(boardId);
    const needed = lacks(role, permission);
    if (needed !== null) throw BoardsException.roleTooLow(needed);
    return role;
  }
}
