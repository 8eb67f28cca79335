import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';

/**
 * A change to an account that live connections must follow at once: a token
 * checked at connect says nothing of what happened since.
 */
export type AccountChange =
  /** One login (its refresh tokens and the access tokens naming it) is over. */
  | { kind: 'login-revoked'; userId: string; sessionId: string }
  /** The account is gone, every login with it. */
  | { kind: 'account-deleted'; userId: string }
  /** The stored role changed: what live sessions cached is stale. */
  | { kind: 'role-changed'; userId: string };

export type AccountChangeListener = (change: AccountChange) => void;

/**
 * Auth tells whoever listens (the realtime kernel, which imports auth, not the
 * other way round) about account changes once they are committed.
 */
@Injectable()
export class AccountEvents {
  private readonly listeners: AccountChangeListener[] = [];

  constructor(@Inject(ROOT_LOGGER) private readonly logger: RootLogger) {}

  on(listener: AccountChangeListener): void {
    this.listeners.push(listener);
  }

  /** Call after the change committed; a failing listener is logged, never the caller's error. */
  emit(change: AccountChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error({ err, change: change.kind }, 'account change listener failed');
      }
    }
  }
}
