import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AccountChange, AccountEvents } from '../../auth/account-events.js';
import { AuthenticationService } from '../../auth/authentication.service.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';
import { ChannelPolicyRegistry } from '../channels/channel-policy.registry.js';
import { ChannelHub } from '../hub/channel-hub.js';
import { CloseCode } from '../session/close-codes.js';
import { ConnectionRegistry } from '../session/connection-registry.js';
import type { RtSession } from '../session/session.js';
import { SessionKernel } from './session-kernel.js';

/**
 * The bus channel every node listens on for account changes (never a client
 * channel: `~` is not allowed in channel names), so that a change made on one
 * node reaches sessions on all of them, whatever channels they use.
 */
export const ACCOUNT_CONTROL_CHANNEL = '~accounts';
/** The control message carrying an AccountChange between nodes (never sent to clients). */
export const ACCOUNT_CONTROL_EVENT = 'system.account';

/**
 * Makes live sessions follow their account: a revoked login or a deleted
 * account ends its sockets (4401; STOMP: ERROR first) and event streams at once;
 * a changed role is re-read, and subscriptions the user may no longer read are
 * revoked (a demoted admin loses `system`). Applied here, then on every other
 * node through a control message on the bus.
 */
@Injectable()
export class AccountSessions implements OnModuleInit {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly hub: ChannelHub,
    private readonly registry: ConnectionRegistry,
    private readonly kernel: SessionKernel,
    private readonly policies: ChannelPolicyRegistry,
    private readonly authn: AuthenticationService,
    events: AccountEvents,
  ) {
    events.on((change) => {
      this.apply(change);
      this.hub.publishControl(ACCOUNT_CONTROL_CHANNEL, ACCOUNT_CONTROL_EVENT, change);
    });
    hub.onControl(ACCOUNT_CONTROL_EVENT, (_channel, data) => {
      const change = asAccountChange(data);
      if (change) this.apply(change);
    });
  }

  onModuleInit(): void {
    // Not awaited: a Redis that is down at start-up must not hold the start-up
    // (the bus subscribes again by itself once it is back). A change published
    // while Redis is away is lost for the other nodes: their sessions then end
    // at their token's expiry at the latest (see README).
    this.bus.subscribe(ACCOUNT_CONTROL_CHANNEL).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not listen for account changes on the bus');
    });
  }

  /** Applies a change to this node's sessions of that user. */
  apply(change: AccountChange): void {
    const sessions = [...this.registry.sessionsOf(change.userId)];
    switch (change.kind) {
      case 'account-deleted':
        for (const s of sessions)
          this.kernel.terminate(s, CloseCode.TOKEN_EXPIRED, 'account deleted');
        return;
      case 'login-revoked':
        for (const s of sessions)
          if (s.user?.sessionId === change.sessionId)
            this.kernel.terminate(s, CloseCode.TOKEN_EXPIRED, 'login revoked');
        return;
      case 'role-changed':
        for (const s of sessions)
          this.reload(s).catch((err: unknown) =>
            this.logger.warn({ err, sessionId: s.id }, 'could not re-read a session user'),
          );
    }
  }

  /** Re-reads the session's user; what it may no longer read is revoked. */
  private async reload(session: RtSession): Promise<void> {
    const cached = session.user;
    if (!cached || session.closed) return;
    const user = await this.authn.reload(cached);
    if (session.closed || session.user !== cached) return;
    if (!user) {
      this.kernel.terminate(session, CloseCode.TOKEN_EXPIRED, 'login revoked');
      return;
    }
    session.user = user;
    const channels = new Set([...session.subs.values()].map((sub) => sub.channel));
    for (const channel of channels) {
      const allowed = await this.policies.authorize(user, channel).then(
        () => true,
        () => false,
      );
      if (allowed || session.closed) continue;
      for (const sub of this.hub.leaveChannel(session, channel)) session.revoked(sub);
    }
  }
}

function asAccountChange(data: unknown): AccountChange | null {
  if (typeof data !== 'object' || data === null) return null;
  const { kind, userId, sessionId } = data as Record<string, unknown>;
  if (typeof userId !== 'string') return null;
  if (kind === 'account-deleted' || kind === 'role-changed') return { kind, userId };
  if (kind === 'login-revoked' && typeof sessionId === 'string') return { kind, userId, sessionId };
  return null;
}
