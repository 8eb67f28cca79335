import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppException } from '../common/app.exception.js';
import { GroupCommit } from '../common/group-commit.js';
import { isUuid } from '../common/uuid.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthUser } from './auth.types.js';
import { Role } from './entities/user.entity.js';
import { TokenUserRow, UsersRepository } from './repositories/users.repository.js';
import { TokenService } from './token.service.js';

/**
 * The one authenticate function: token → user, role and expiry. The HTTP guard,
 * the WebSocket upgrade and the SSE routes all call it.
 */
@Injectable()
export class AuthenticationService {
  /**
   * Token lookups of the same moment share one query (every socket of a
   * reconnect storm, every request of a burst): one round trip per batch
   * instead of one per connect. At rest a lookup runs alone, at once.
   */
  private readonly lookups: GroupCommit<TokenRef, TokenUserRow | null>;

  constructor(
    private readonly tokens: TokenService,
    private readonly db: DataSource,
    private readonly users: UsersRepository,
    private readonly admins: AdminBootstrap,
  ) {
    this.lookups = new GroupCommit(
      (refs) => this.users.findManyForToken(this.db.manager, refs),
      (ref) => this.users.findForToken(this.db.manager, ref.userId, ref.sessionId),
    );
  }

  async authenticate(token: string): Promise<AuthUser> {
    const claims = this.tokens.verify(token);
    if (!isUuid(claims.sub) || (claims.sid !== undefined && !isUuid(claims.sid))) {
      throw AppException.unauthorized('Invalid token subject');
    }
    const row = await this.lookups.submit({ userId: claims.sub, sessionId: claims.sid });
    if (!row) throw AppException.unauthorized('Unknown user');
    if (row.session_revoked === true) throw AppException.unauthorized('Session revoked');
    return {
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      role: this.effectiveRole(row.email, row.role),
      exp: claims.exp,
      sessionId: claims.sid,
    };
  }

  /**
   * What a live session of `user` may still do: the user as stored now (role,
   * name) with the token's expiry and login kept, or null when the account or
   * that login is gone. Sessions call it when told their account changed.
   */
  async reload(user: AuthUser): Promise<AuthUser | null> {
    const row = await this.lookups.submit({ userId: user.id, sessionId: user.sessionId });
    if (!row || row.session_revoked === true) return null;
    return {
      ...user,
      email: row.email,
      displayName: row.display_name,
      role: this.effectiveRole(row.email, row.role),
    };
  }

  effectiveRole(email: string, stored: Role): Role {
    return this.admins.listGrantsAdmin(email) ? 'admin' : stored;
  }
}

/**
 * The bearer token of an `Authorization` header: undefined when there is no header,
 * '' (never valid) when the header is there but is not a bearer token.
 */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1] : '';
}

interface TokenRef {
  userId: string;
  sessionId: string | undefined;
}
