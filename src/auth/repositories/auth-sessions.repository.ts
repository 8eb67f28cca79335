import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { AuthSessionEntity } from '../entities/auth-session.entity.js';
import { RefreshTokenEntity } from '../entities/refresh-token.entity.js';

export type NewRefreshToken = Pick<
  RefreshTokenEntity,
  'sessionId' | 'userId' | 'tokenHash' | 'expiresAt'
>;

/**
 * Logins (`auth_sessions`) and the single-use refresh tokens issued from them
 * (`refresh_tokens`). Every method runs in the caller's transaction.
 */
@Injectable()
export class AuthSessionsRepository {
  create(em: EntityManager, userId: string): Promise<AuthSessionEntity> {
    return em.save(em.create(AuthSessionEntity, { userId }));
  }

  find(em: EntityManager, id: string): Promise<AuthSessionEntity | null> {
    return em.findOneBy(AuthSessionEntity, { id });
  }

  /** Keeps the first revocation's time and reason when it is revoked again. */
  async revoke(em: EntityManager, id: string, reason: string): Promise<void> {
    await em.update(
      AuthSessionEntity,
      { id, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  insertRefreshToken(em: EntityManager, token: NewRefreshToken): Promise<RefreshTokenEntity> {
    return em.save(em.create(RefreshTokenEntity, token));
  }

  findRefreshToken(em: EntityManager, id: string): Promise<RefreshTokenEntity | null> {
    return em.findOneBy(RefreshTokenEntity, { id });
  }

  /** Locked until the caller's transaction ends, so a token is rotated at most once. */
  lockRefreshToken(em: EntityManager, id: string): Promise<RefreshTokenEntity | null> {
    return em
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.id = :id', { id })
      .getOne();
  }

  async markRefreshTokenUsed(em: EntityManager, id: string): Promise<void> {
    await em.update(RefreshTokenEntity, { id }, { usedAt: new Date() });
  }
}
