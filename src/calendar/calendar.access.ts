import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { rankedAccess } from '../common/access/ranked-access.js';
import { isUuid } from '../common/uuid.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { CalendarException } from './calendar.exception.js';
import { CalendarRepository } from './calendar.repository.js';
import { CalendarAccessLevel } from './dto/calendar-views.dto.js';

/** read: owner or any share; write: owner or a write share; manage: the owner. */
export type CalendarPermission = 'read' | 'write' | 'manage';

const lacks = rankedAccess<CalendarAccessLevel, CalendarPermission>(['read', 'write', 'owner'], {
  read: 'read',
  write: 'write',
  manage: 'owner',
});

/**
 * The one place that decides who may do what on a calendar: the
 * `calendar:{id}` channel policy, the @ChannelAccess guard and the service.
 */
@Injectable()
export class CalendarAccess implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly realtime: RealtimeService,
    private readonly repo: CalendarRepository,
  ) {}

  onModuleInit(): void {
    this.realtime.registerPolicy({
      prefix: 'calendar',
      needsId: true,
      canSubscribe: async (user, calendarId) =>
        user !== null &&
        calendarId !== undefined &&
        (await this.levelOf(user.id, calendarId)) !== null,
    });
  }

  levelOf(
    userId: string,
    calendarId: string,
    em: EntityManager = this.db.manager,
  ): Promise<CalendarAccessLevel | null> {
    if (!isUuid(calendarId)) return Promise.resolve(null);
    return this.repo.accessLevel(em, calendarId, userId);
  }

  /** Throws FORBIDDEN unless the user may do `permission`; returns their level. */
  async require(
    em: EntityManager,
    user: AuthUser,
    calendarId: string,
    permission: CalendarPermission,
  ): Promise<CalendarAccessLevel> {
    const level = await this.levelOf(user.id, calendarId, em);
    if (level === null) throw CalendarException.noAccess(calendarId);
    const needed = lacks(level, permission);
    if (needed !== null) throw CalendarException.needs(needed === 'owner' ? 'owner' : 'write');
    return level;
  }
}
