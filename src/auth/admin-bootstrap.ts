import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { AuthException } from './auth.exception.js';
import type { Role } from './entities/user.entity.js';
import { UsersRepository } from './repositories/users.repository.js';

/** The header that carries ADMIN_BOOTSTRAP_SECRET at registration or first sign-in. */
export const ADMIN_BOOTSTRAP_HEADER = 'x-admin-bootstrap-secret';

/**
 * Who becomes admin through ADMIN_EMAILS. Without ADMIN_BOOTSTRAP_SECRET, a
 * listed address is admin (whoever registers it first: the email is never
 * verified). With it, a listed address becomes admin only by presenting the
 * secret when it registers or first signs in; the role is then stored, and the
 * list alone grants nothing, so registering the address first wins nothing.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly secretHash: Buffer | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly db: DataSource,
    private readonly users: UsersRepository,
  ) {
    const secret = config.adminBootstrapSecret;
    this.secretHash = secret === undefined ? undefined : digest(secret);
  }

  /** Whether ADMIN_EMAILS by itself makes `email` admin (no bootstrap secret configured). */
  listGrantsAdmin(email: string): boolean {
    return this.secretHash === undefined && this.config.adminEmails.has(email.toLowerCase());
  }

  /** The role of a new account; FORBIDDEN for a listed address without the secret. */
  roleAtRegistration(email: string, presented: string | undefined): Role {
    if (!this.config.adminEmails.has(email)) return 'user';
    this.requireSecret(presented);
    return 'admin';
  }

  /**
   * At sign-in: true when a listed address not yet admin presents the secret
   * (its role is to be stored now); FORBIDDEN when it comes without it.
   */
  promotesAtSignIn(email: string, stored: Role, presented: string | undefined): boolean {
    if (this.secretHash === undefined || stored === 'admin') return false;
    if (!this.config.adminEmails.has(email)) return false;
    this.requireSecret(presented);
    return true;
  }

  /**
   * Production without the secret: a listed address that has no account yet is
   * anyone's to claim. Said loudly at every start until that is fixed.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.nodeEnv !== 'production' || this.secretHash !== undefined) return;
    const listed = [...this.config.adminEmails];
    if (listed.length === 0) return;
    const taken = await this.users.existingEmails(this.db.manager, listed);
    const unclaimed = listed.filter((e) => !taken.has(e));
    if (unclaimed.length === 0) return;
    this.logger.error(
      { unclaimed },
      'SECURITY: ADMIN_EMAILS lists addresses without an account and ADMIN_BOOTSTRAP_SECRET is unset: ' +
        'whoever registers one of them first becomes admin. Set ADMIN_BOOTSTRAP_SECRET (see README).',
    );
  }

  private requireSecret(presented: string | undefined): void {
    if (this.secretHash === undefined) return;
    if (presented === undefined || !timingSafeEqual(digest(presented), this.secretHash))
      throw AuthException.adminBootstrapSecretRequired();
  }
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
