import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import { AnnouncementsException } from './announcements.exception.js';

/**
 * Who may do what with announcements. Reading (the `announcements` channel and
 * `GET /api/announcements`) is open to everyone, anonymous sockets included: the
 * kernel registers that channel policy. Publishing is for admins: the @Roles
 * guard on both transports and the service ask the same rule.
 */
@Injectable()
export class AnnouncementsAccess {
  canPublish(user: AuthUser | null | undefined): boolean {
    return user?.role === 'admin';
  }

  requirePublisher(user: AuthUser | null | undefined): AuthUser {
    if (!user || !this.canPublish(user)) throw AnnouncementsException.notAdmin();
    return user;
  }
}
