import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { PresenceException } from './presence.exception.js';
import { PRESENCE_CHANNEL } from './presence.events.js';

/**
 * Who may see presence: whoever may subscribe to the `presence` channel (every
 * authenticated user; the kernel registers that policy). Reads over REST ask the
 * same policy, so the two cannot disagree.
 */
@Injectable()
export class PresenceAccess {
  constructor(private readonly realtime: RealtimeService) {}

  async requireReader(user: AuthUser | null | undefined): Promise<AuthUser> {
    if (!user) throw PresenceException.anonymous();
    await this.realtime.authorize(user, PRESENCE_CHANNEL);
    return user;
  }
}
