import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserEntity } from '../auth/entities/user.entity.js';
import { queryRows } from '../common/sql-rows.js';
import {
  CalendarAccessLevel,
  CalendarEventView,
  CalendarView,
  ShareView,
} from './dto/calendar-views.dto.js';
import { CalendarEventEntity } from './entities/calendar-event.entity.js';
import { CalendarReminderEntity } from './entities/calendar-reminder.entity.js';
import { CalendarShareEntity } from './entities/calendar-share.entity.js';
import { CalendarEntity } from './entities/calendar.entity.js';

interface CalendarRow {
  id: string;
  name: string;
  owner_id: string;
  access: CalendarAccessLevel;
  created_at: Date;
  updated_at: Date;
}

/** Rows of the calendar module; every method runs on the caller's entity manager. */
@Injectable()
export class CalendarRepository {
  async accessLevel(
    em: EntityManager,
    calendarId: string,
    userId: string,
  ): Promise<CalendarAccessLevel | null> {
    const rows = await queryRows<{ owner_id: string; access: CalendarAccessLevel | null }>(
      em,
      `SELECT c.owner_id, s.access FROM calendars c
         LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.user_id = $2
        WHERE c.id = $1`,
      [calendarId, userId],
    );
    if (rows.length === 0) return null;
    if (rows[0].owner_id === userId) return 'owner';
    return rows[0].access;
  }

  /** Calendars the user owns or that are shared with them, with their access. */
  async listForUser(
    em: EntityManager,
    userId: string,
    calendarId?: string,
  ): Promise<CalendarView[]> {
    const rows = await queryRows<CalendarRow>(
      em,
      `SELECT c.id, c.name, c.owner_id, c.created_at, c.updated_at,
              CASE WHEN c.owner_id = $1 THEN 'owner' ELSE s.access END AS access
         FROM calendars c
         LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.user_id = $1
        WHERE (c.owner_id = $1 OR s.user_id IS NOT NULL) AND ($2::uuid IS NULL OR c.id = $2)
        ORDER BY c.created_at, c.id`,
      [userId, calendarId ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      ownerId: r.owner_id,
      access: r.access,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  shares(em: EntityManager, calendarId: string, userId?: string): Promise<ShareView[]> {
    const qb = em
      .getRepository(CalendarShareEntity)
      .createQueryBuilder('s')
      .innerJoin(UserEntity, 'u', 'u.id = s.user_id')
      .select([
        's.calendar_id AS "calendarId"',
        's.user_id AS "userId"',
        'u.display_name AS "displayName"',
        's.access AS access',
      ])
      .where('s.calendar_id = :calendarId', { calendarId })
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.user_id', 'ASC');
    if (userId) qb.andWhere('s.user_id = :userId', { userId });
    return qb.getRawMany<ShareView>();
  }

  findCalendar(em: EntityManager, id: string): Promise<CalendarEntity | null> {
    return em.getRepository(CalendarEntity).findOneBy({ id });
  }

  findEvent(em: EntityManager, id: string): Promise<CalendarEventEntity | null> {
    return em.getRepository(CalendarEventEntity).findOneBy({ id });
  }

  lockEvent(em: EntityManager, id: string): Promise<CalendarEventEntity | null> {
    return em
      .getRepository(CalendarEventEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Half-open overlap with [from, to): starts before `to` and ends after `from`. */
  eventsInRange(
    em: EntityManager,
    calendarId: string,
    from: Date,
    to: Date,
  ): Promise<CalendarEventEntity[]> {
    return em
      .getRepository(CalendarEventEntity)
      .createQueryBuilder('e')
      .where('e.calendar_id = :calendarId', { calendarId })
      .andWhere('e.starts_at < :to', { to })
      .andWhere('e.ends_at > :from', { from })
      .orderBy('e.starts_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
  }

  /**
   * Replaces the pending reminder of an event: one due `reminderMinutes` before
   * the start, unless the event has already started. Fired ones stay as history.
   */
  async scheduleReminder(em: EntityManager, event: CalendarEventEntity): Promise<void> {
    await queryRows(em, `DELETE FROM calendar_reminders WHERE event_id = $1 AND fired_at IS NULL`, [
      event.id,
    ]);
    if (event.reminderMinutes === null || event.startsAt.getTime() <= Date.now()) return;
    await em.getRepository(CalendarReminderEntity).insert({
      eventId: event.id,
      dueAt: new Date(event.startsAt.getTime() - event.reminderMinutes * 60_000),
    });
  }
}

export function toEventView(e: CalendarEventEntity): CalendarEventView {
  return {
    id: e.id,
    calendarId: e.calendarId,
    title: e.title,
    description: e.description,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    allDay: e.allDay,
    attendeeIds: e.attendeeIds,
    reminderMinutes: e.reminderMinutes,
    createdBy: e.createdBy,
    version: e.version,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
