import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';
import { isUuid } from '../common/uuid.js';
import { AccountEvents } from './account-events.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthRateLimiter } from './auth-rate-limiter.js';
import type { AuthUser } from './auth.types.js';
import { AuthenticationService } from './authentication.service.js';
import type { TokenPairView, UserView } from './dto/auth-views.dto.js';
import { LoginBody, RegisterBody } from './dto/auth.dto.js';
import { Role, UserEntity } from './entities/user.entity.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import { AuthSessionsRepository } from './repositories/auth-sessions.repository.js';
import { UsersRepository } from './repositories/users.repository.js';
import { TokenService } from './token.service.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly db: DataSource,
    private readonly tokens: TokenService,
    private readonly authn: AuthenticationService,
    private readonly limiter: AuthRateLimiter,
    private readonly users: UsersRepository,
    private readonly sessions: AuthSessionsRepository,
    private readonly accountEvents: AccountEvents,
    private readonly admins: AdminBootstrap,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `adminSecret`: the X-Admin-Bootstrap-Secret header (see AdminBootstrap). */
  async register(dto: RegisterBody, ip: string, adminSecret?: string): Promise<TokenPairView> {
    this.requireLocalSignIn();
    const email = dto.email.toLowerCase();
    await this.limiter.check(ip, email);
    const role = this.admins.roleAtRegistration(email, adminSecret);
    const passwordHash = await hashPassword(dto.password);
    return this.db.transaction(async (em) => {
      const user = await this.users.insert(em, {
        email,
        passwordHash,
        displayName: dto.displayName.trim(),
        role,
      });
      if (!user) throw AppException.conflict('Email already registered');
      return this.startSession(em, user);
    });
  }

  async login(dto: LoginBody, ip: string, adminSecret?: string): Promise<TokenPairView> {
    this.requireLocalSignIn();
    const email = dto.email.toLowerCase();
    await this.limiter.check(ip, email);
    const user = await this.users.findByEmail(this.db.manager, email);
    if (!user) {
      await burnPasswordCheck(dto.password);
      throw AppException.unauthorized('Invalid email or password');
    }
    if (!(await verifyPassword(user.passwordHash, dto.password))) {
      throw AppException.unauthorized('Invalid email or password');
    }
    // Asked only once the password is right: a wrong one learns nothing of the list.
    const promote = this.admins.promotesAtSignIn(user.email, user.role, adminSecret);
    const pair = await this.db.transaction(async (em) => {
      const signedIn = promote ? await this.users.setRole(em, user.id, 'admin') : user;
      return this.startSession(em, signedIn ?? user);
    });
    if (promote) this.accountEvents.emit({ kind: 'role-changed', userId: user.id });
    return pair;
  }

  /**
   * Rotates a refresh token. A token works once: presenting a used one is taken
   * as theft and revokes the whole login (every refresh and access token of it).
   */
  async refresh(presented: string): Promise<TokenPairView> {
    this.requireLocalSignIn();
    const [id, secret] = presented.split('.');
    if (!id || !secret || !isUuid(id)) throw AppException.unauthorized('Invalid refresh token');
    const outcome = await this.db.transaction(async (em) => {
      const token = await this.sessions.lockRefreshToken(em, id);
      if (!token || !sameHash(token.tokenHash, hashSecret(secret))) return 'invalid' as const;
      const session = await this.sessions.find(em, token.sessionId);
      if (!session || session.revokedAt) return 'invalid' as const;
      if (token.usedAt) {
        await this.sessions.revoke(em, session.id, 'refresh token reuse');
        return { reused: session } as const;
      }
      if (token.expiresAt.getTime() <= Date.now()) return 'invalid' as const;
      await this.sessions.markRefreshTokenUsed(em, token.id);
      const user = await this.users.getById(em, token.userId);
      return this.issue(em, user, session.id);
    });
    if (outcome === 'invalid') throw AppException.unauthorized('Invalid refresh token');
    if ('reused' in outcome) {
      // Whoever holds the stolen token may hold a live socket of that login too.
      this.accountEvents.emit({
        kind: 'login-revoked',
        userId: outcome.reused.userId,
        sessionId: outcome.reused.id,
      });
      throw AppException.unauthorized('Refresh token already used: the session was revoked');
    }
    return outcome;
  }

  /**
   * Ends one login: the one the access token names, or the one a refresh token
   * belongs to (a client whose access token has expired). Its refresh tokens stop
   * working and its live sockets and event streams close at once, on every node.
   * Idempotent: an already revoked login answers the same.
   */
  async logout(caller: AuthUser | undefined, refreshToken: string | undefined): Promise<void> {
    const login = await this.loginToEnd(caller, refreshToken);
    if (!login) throw AppException.unauthorized('A valid access or refresh token is required');
    await this.db.transaction((em) => this.sessions.revoke(em, login.sessionId, 'logout'));
    this.accountEvents.emit({ kind: 'login-revoked', ...login });
  }

  private async loginToEnd(
    caller: AuthUser | undefined,
    refreshToken: string | undefined,
  ): Promise<{ userId: string; sessionId: string } | null> {
    if (caller?.sessionId) return { userId: caller.id, sessionId: caller.sessionId };
    if (refreshToken === undefined) return null;
    const [id, secret] = refreshToken.split('.');
    if (!id || !secret || !isUuid(id)) return null;
    const token = await this.sessions.findRefreshToken(this.db.manager, id);
    if (!token || !sameHash(token.tokenHash, hashSecret(secret))) return null;
    return { userId: token.userId, sessionId: token.sessionId };
  }

  /**
   * Sets a user's stored role (admins only, at the controller). Live sessions of
   * that user re-read it at once: a demoted admin loses admin channels and
   * commands without waiting for the token to expire.
   */
  async setRole(userId: string, role: Role): Promise<UserView> {
    const user = await this.users.setRole(this.db.manager, userId, role);
    if (!user) throw AppException.notFound('Unknown user');
    this.accountEvents.emit({ kind: 'role-changed', userId: user.id });
    return this.view(user);
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(this.db.manager, userId);
    if (!user) throw AppException.unauthorized('Unknown user');
    return this.view(user);
  }

  async deleteAccount(userId: string): Promise<void> {
    await this.users.delete(this.db.manager, userId);
    this.accountEvents.emit({ kind: 'account-deleted', userId });
  }

  view(user: UserEntity): UserView {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: this.authn.effectiveRole(user.email, user.role),
    };
  }

  private async startSession(em: EntityManager, user: UserEntity): Promise<TokenPairView> {
    const session = await this.sessions.create(em, user.id);
    return this.issue(em, user, session.id);
  }

  private async issue(
    em: EntityManager,
    user: UserEntity,
    sessionId: string,
  ): Promise<TokenPairView> {
    const secret = randomBytes(32).toString('base64url');
    const row = await this.sessions.insertRefreshToken(em, {
      sessionId,
      userId: user.id,
      tokenHash: hashSecret(secret),
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSec * 1000),
    });
    const access = this.tokens.signAccess(user.id, sessionId);
    return {
      user: this.view(user),
      accessToken: access.token,
      refreshToken: `${row.id}.${secret}`,
      expiresIn: access.expiresIn,
    };
  }

  private requireLocalSignIn(): void {
    if (!this.tokens.canIssue) {
      throw AppException.notFound('Local sign-in is disabled: tokens come from an external issuer');
    }
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
