import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../auth/auth.types.js';
import { AppException } from '../../common/app.exception.js';
import { parseChannelName } from './channel-name.js';

/**
 * Who may subscribe to the channels of one prefix. A module registers one policy
 * per prefix; the same function backs socket subscribe, HTTP recovery, SSE and
 * the policy guard, so access is decided in one place.
 */
export interface ChannelPolicy {
  prefix: string;
  /** `chat:{id}` needs an id; `presence` has none. */
  needsId: boolean;
  /** True when the caller may read the channel. Anonymous callers get `null`. */
  canSubscribe(user: AuthUser | null, resourceId: string | undefined): boolean | Promise<boolean>;
}

@Injectable()
export class ChannelPolicyRegistry {
  private readonly policies = new Map<string, ChannelPolicy>();

  constructor() {
    this.register({ prefix: 'announcements', needsId: false, canSubscribe: () => true });
    this.register({ prefix: 'presence', needsId: false, canSubscribe: (user) => user !== null });
    this.register({
      prefix: 'system',
      needsId: false,
      canSubscribe: (user) => user?.role === 'admin',
    });
    this.register({
      prefix: 'user',
      needsId: true,
      canSubscribe: (user, id) => user !== null && user.id === id,
    });
  }

  register(policy: ChannelPolicy): void {
    if (this.policies.has(policy.prefix))
      throw new Error(`channel prefix "${policy.prefix}" is already registered`);
    this.policies.set(policy.prefix, policy);
  }

  prefixes(): string[] {
    return [...this.policies.values()].map((p) => (p.needsId ? `${p.prefix}:*` : p.prefix));
  }

  /**
   * Throws NOT_FOUND for an unknown prefix or a malformed name, UNAUTHORIZED for
   * an anonymous caller on a private channel, FORBIDDEN when not allowed (a
   * resource that does not exist is FORBIDDEN too: existence is not revealed).
   */
  async authorize(user: AuthUser | null, channel: unknown): Promise<string> {
    const name = parseChannelName(channel);
    const policy = name ? this.policies.get(name.prefix) : undefined;
    if (!name || !policy)
      throw AppException.notFound(`Unknown channel: ${String(channel).slice(0, 100)}`);
    if (policy.needsId !== (name.resourceId !== undefined)) {
      throw AppException.notFound(`Unknown channel: ${name.channel}`);
    }
    const allowed = await policy.canSubscribe(user, name.resourceId);
    if (!allowed) {
      if (!user) throw AppException.unauthorized('This channel needs an authenticated socket');
      throw AppException.forbidden(`Not allowed on ${name.channel}`);
    }
    return name.channel;
  }
}
