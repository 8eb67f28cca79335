import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';
import { isUuid } from '../common/uuid.js';
import { AuthRateLimiter } from './auth-rate-limiter.js';
import { AuthenticationService } from './authentication.service.js';
import type { TokenPairView, UserView } from './dto/auth-views.dto.js';
import { LoginBody, RegisterBody } from './dto/auth.dto.js';
import { UserEntity } from './entities/user.entity.js';
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(dto: RegisterBody, ip: string): Promise<TokenPairView> {
    this.requireLocalSignIn();
    const email = dto.email.toLowerCase();
    await this.limiter.check(ip, email);
    const passwordHash = await hashPassword(dto.password);
    return this.db.transaction(async (em) => {
      const user = await this.users.insert(em, {
        email,
        passwordHash,
        displayName: dto.displayName.trim(),
        role: this.config.adminEmails.has(email) ? 'admin' : 'user',
      });
      if (!user) throw AppException.conflict('Email already registered');
      return this.startSession(em, user);
    });
  }

  async login(dto: LoginBody, ip: string): Promise<TokenPairView> {
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
    return this.db.transaction((em) => this.startSession(em, user));
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
        return 'reused' as const;
      }
      if (token.expiresAt.getTime() <= Date.now()) return 'invalid' as const;
      await this.sessions.markRefreshTokenUsed(em, token.id);
      const user = await this.users.getById(em, token.userId);
      return this.issue(em, user, session.id);
    });
    if (outcome === 'reused')
      throw AppException.unauthorized('Refresh token already used: the session was revoked');
    if (outcome === 'invalid') throw AppException.unauthorized('Invalid refresh token');
    return outcome;
  }

  async me(userId: string): Promise<UserView> {
    const user = await this.users.findById(this.db.manager, userId);
    if (!user) throw AppException.unauthorized('Unknown user');
    return this.view(user);
  }

  async deleteAccount(userId: string): Promise<void> {
    await this.users.delete(this.db.manager, userId);
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
