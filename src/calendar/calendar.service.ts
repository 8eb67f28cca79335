import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { UsersRepository } from '../auth/repositories/users.repository.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { pageLimit } from '../common/dto/page.dto.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../common/keyset-cursor.js';
import { InviteLimiter } from '../common/rate-limit/invite-limiter.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeService, RealtimeTx } from '../realtime/realtime.service.js';
import { CalendarAccess } from './calendar.access.js';
import { calendarChannel } from './calendar.events.js';
import { CalendarException } from './calendar.exception.js';
import { CalendarRepository, toEventView } from './calendar.repository.js';
import {
  CalendarDetailView,
  CalendarEventDeletedView,
  CalendarEventPage,
  CalendarEventView,
  CalendarPage,
  CalendarView,
  ShareView,
} from './dto/calendar-views.dto.js';
import {
  CreateCalendarBody,
  CreateEventBody,
  EventRangeQuery,
  ListCalendarsQuery,
  ShareCalendarBody,
  UpdateEventBody,
} from './dto/calendar.dto.js';
import { CalendarEventEntity } from './entities/calendar-event.entity.js';

/**
 * Calendars, their shares and events: one write path for REST and socket
 * commands. Event writes append to `calendar:{id}` in the same transaction;
 * a stale `version` is CONFLICT (row read FOR UPDATE, nothing written).
 */
@Injectable()
export class CalendarService {
  constructor(
    private readonly db: DataSource,
    private readonly realtime: RealtimeService,
    private readonly access: CalendarAccess,
    private readonly repo: CalendarRepository,
    private readonly users: UsersRepository,
    private readonly notifications: NotificationsService,
    private readonly invites: InviteLimiter,
  ) {}

  // Calendars and shares

  async createCalendar(user: AuthUser, dto: CreateCalendarBody): Promise<CalendarView> {
    const calendar = await this.repo.insertCalendar(this.db.manager, user.id, dto.name);
    return {
      id: calendar.id,
      name: calendar.name,
      ownerId: calendar.ownerId,
      access: 'owner',
      createdAt: calendar.createdAt.toISOString(),
      updatedAt: calendar.updatedAt.toISOString(),
    };
  }

  async listCalendars(user: AuthUser, q: ListCalendarsQuery): Promise<CalendarPage> {
    const limit = pageLimit(q);
    const rows = await this.repo.listForUser(this.db.manager, user.id, {
      limit: limit + 1,
      after: decodeKeysetCursor(q.cursor),
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(({ position: _position, ...calendar }) => calendar),
      nextCursor: rows.length > limit ? encodeKeysetCursor(page[page.length - 1].position) : null,
    };
  }

  async getCalendar(user: AuthUser, calendarId: string): Promise<CalendarDetailView> {
    const em = this.db.manager;
    await this.access.require(em, user, calendarId, 'read');
    const [found] = await this.repo.listForUser(em, user.id, { limit: 1, calendarId });
    if (!found) throw CalendarException.noAccess(calendarId);
    const { position: _position, ...calendar } = found;
    return { ...calendar, shares: await this.repo.shares(em, calendarId) };
  }

  /** Shares with a user (created), or changes their access (existing). */
  async share(
    user: AuthUser,
    calendarId: string,
    dto: ShareCalendarBody,
  ): Promise<CreatedOrExisting<ShareView>> {
    return this.db.transaction(async (em) => {
      await this.access.require(em, user, calendarId, 'manage');
      const calendar = await this.repo.findCalendar(em, calendarId);
      if (!calendar) throw CalendarException.noAccess(calendarId);
      if (!(await this.users.exists(em, dto.userId))) throw CalendarException.userNotFound();
      if (dto.userId === calendar.ownerId)
        throw CalendarException.invalidReference('userId', 'the owner already has full access');
      const existing = await this.repo.findShare(em, calendarId, dto.userId);
      await this.repo.upsertShare(em, calendarId, dto.userId, dto.access);
      const [share] = await this.repo.shares(em, calendarId, dto.userId);
      return new CreatedOrExisting(share, existing === null);
    });
  }

  /** The owner unshares anyone; a user may drop a calendar shared with them. */
  async unshare(user: AuthUser, calendarId: string, userId: string): Promise<void> {
    await this.realtime.transaction(async (tx) => {
      await this.access.require(tx.em, user, calendarId, userId === user.id ? 'read' : 'manage');
      if (!(await this.repo.deleteShare(tx.em, calendarId, userId)))
        throw CalendarException.shareNotFound();
      tx.afterCommit(() => this.realtime.revokeEverywhere(userId, calendarChannel(calendarId)));
    });
  }

  // Events

  /** Events overlapping [from, to): `startsAt < to AND endsAt > from`. */
  async listEvents(
    user: AuthUser,
    calendarId: string,
    q: EventRangeQuery,
  ): Promise<CalendarEventPage> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (!(from.getTime() < to.getTime())) throw CalendarException.badRange();
    const em = this.db.manager;
    await this.access.require(em, user, calendarId, 'read');
    const limit = pageLimit(q);
    const rows = await this.repo.eventsInRange(em, calendarId, {
      from,
      to,
      limit: limit + 1,
      after: decodeKeysetCursor(q.cursor),
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => toEventView(r.event)),
      nextCursor: rows.length > limit ? encodeKeysetCursor(page[page.length - 1].position) : null,
    };
  }

  async createEvent(
    user: AuthUser,
    calendarId: string,
    dto: CreateEventBody,
  ): Promise<CalendarEventView> {
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (!(endsAt.getTime() > startsAt.getTime())) throw CalendarException.endsBeforeStart();
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      await this.access.require(em, user, calendarId, 'write');
      const attendeeIds = dto.attendeeIds ?? [];
      await this.requireUsers(em, attendeeIds);
      const event = await this.repo.insertEvent(em, {
        calendarId,
        title: dto.title,
        description: dto.description ?? null,
        startsAt,
        endsAt,
        allDay: dto.allDay ?? false,
        attendeeIds,
        reminderMinutes: dto.reminderMinutes ?? null,
        createdBy: user.id,
      });
      await this.repo.scheduleReminder(em, event);
      const view = toEventView(event);
      await tx.append(calendarChannel(calendarId), 'calendar.event.created', view);
      await this.invite(tx, user, view, attendeeIds);
      return view;
    });
  }

  async updateEvent(
    user: AuthUser,
    eventId: string,
    dto: UpdateEventBody,
  ): Promise<CalendarEventView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const calendarId = await this.calendarOfEvent(em, eventId);
      await this.access.require(em, user, calendarId, 'write');
      const event = await this.lockEvent(em, eventId, dto.version);
      const before = { startsAt: event.startsAt.getTime(), reminder: event.reminderMinutes };
      const previousAttendees = new Set(event.attendeeIds);
      if (dto.title !== undefined) event.title = dto.title;
      if (dto.description !== undefined) event.description = dto.description;
      if (dto.startsAt !== undefined) event.startsAt = new Date(dto.startsAt);
      if (dto.endsAt !== undefined) event.endsAt = new Date(dto.endsAt);
      if (dto.allDay !== undefined) event.allDay = dto.allDay;
      if (dto.reminderMinutes !== undefined) event.reminderMinutes = dto.reminderMinutes;
      if (dto.attendeeIds !== undefined) {
        await this.requireUsers(em, dto.attendeeIds);
        event.attendeeIds = dto.attendeeIds;
      }
      if (!(event.endsAt.getTime() > event.startsAt.getTime()))
        throw CalendarException.endsBeforeStart();
      event.version += 1;
      event.updatedAt = new Date();
      await this.repo.updateEvent(em, event);
      if (before.startsAt !== event.startsAt.getTime() || before.reminder !== event.reminderMinutes)
        await this.repo.scheduleReminder(em, event);
      const view = toEventView(event);
      await tx.append(calendarChannel(calendarId), 'calendar.event.updated', view);
      await this.invite(
        tx,
        user,
        view,
        event.attendeeIds.filter((id) => !previousAttendees.has(id)),
      );
      return view;
    });
  }

  async deleteEvent(
    user: AuthUser,
    eventId: string,
    version: number | undefined,
  ): Promise<CalendarEventDeletedView> {
    return this.realtime.transaction(async (tx) => {
      const { em } = tx;
      const calendarId = await this.calendarOfEvent(em, eventId);
      await this.access.require(em, user, calendarId, 'write');
      const event = await this.lockEvent(em, eventId, version);
      await this.repo.deleteEvent(em, event.id);
      const deleted: CalendarEventDeletedView = {
        id: event.id,
        calendarId,
        version: event.version,
      };
      await tx.append(calendarChannel(calendarId), 'calendar.event.deleted', deleted);
      return deleted;
    });
  }

  // Helpers

  private async calendarOfEvent(em: EntityManager, eventId: string): Promise<string> {
    const event = await this.repo.findEvent(em, eventId);
    if (!event) throw CalendarException.eventNotFound();
    return event.calendarId;
  }

  private async lockEvent(
    em: EntityManager,
    eventId: string,
    version: number | undefined,
  ): Promise<CalendarEventEntity> {
    const event = await this.repo.lockEvent(em, eventId);
    if (!event) throw CalendarException.eventNotFound();
    if (version !== undefined && event.version !== version)
      throw CalendarException.stale(toEventView(event));
    return event;
  }

  private async requireUsers(em: EntityManager, ids: string[]): Promise<void> {
    const found = await this.users.existingIds(em, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw CalendarException.invalidReference(
        'attendeeIds',
        `unknown users: ${missing.join(', ')}`,
      );
  }

  /**
   * Invited attendees hear about it on `user:{id}` (not the one who invited
   * them), within the inviter's budget of people (a refusal rolls back the write).
   */
  private async invite(
    tx: RealtimeTx,
    actor: AuthUser,
    event: CalendarEventView,
    userIds: string[],
  ): Promise<void> {
    const invited = [...new Set(userIds)].filter((id) => id !== actor.id);
    this.invites.spend(actor.id, invited.length);
    for (const userId of invited) {
      await this.notifications.create(
        {
          userId,
          type: 'calendar.event.invited',
          title: `Invitation: ${event.title}`,
          body: `${actor.displayName} invited you to "${event.title}" on ${event.startsAt}`,
          link: `/calendars/${event.calendarId}?event=${event.id}`,
          entity: { type: 'calendar.event', id: event.id },
        },
        tx,
      );
    }
  }
}
