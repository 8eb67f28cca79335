import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { UserEntity } from '../auth/entities/user.entity.js';
import { KeysetPosition, microsecondsOf, timestampOf } from '../common/keyset-cursor.js';
import { queryRows } from '../common/sql-rows.js';
import {
  CalendarAccessLevel,
  CalendarEventView,
  CalendarView,
  ShareView,
} from './dto/calendar-views.dto.js';
import { CalendarEventEntity } from './entities/calendar-event.entity.js';
import { CalendarReminderEntity } from './entities/calendar-reminder.entity.js';
import { CalendarShareEntity, ShareAccess } from './entities/calendar-share.entity.js';
import { CalendarEntity } from './entities/calendar.entity.js';

export type NewCalendarEvent = Pick<
  CalendarEventEntity,
  | 'calendarId'
  | 'title'
  | 'description'
  | 'startsAt'
  | 'endsAt'
  | 'allDay'
  | 'attendeeIds'
  | 'reminderMinutes'
  | 'createdBy'
>;

/** A reminder claimed for firing: locked until the claiming transaction ends. */
export interface DueReminder {
  id: string;
  event_id: string;
}

interface CalendarRow {
  id: string;
  name: string;
  owner_id: string;
  access: CalendarAccessLevel;
  created_at: Date;
  updated_at: Date;
  /** created_at in microseconds, for the list cursor. */
  created_us: string;
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
  /**
   * The calendars a user owns or has a share of, oldest first; keyset on
   * (created_at, id). `calendarId`: that one only.
   */
  async listForUser(
    em: EntityManager,
    userId: string,
    page: { limit: number; after?: KeysetPosition; calendarId?: string },
  ): Promise<(CalendarView & { position: KeysetPosition })[]> {
    const { limit, after, calendarId } = page;
    const rows = await queryRows<CalendarRow>(
      em,
      `SELECT c.id, c.name, c.owner_id, c.created_at, c.updated_at,
              ${microsecondsOf('c.created_at')} AS created_us,
              CASE WHEN c.owner_id = $1 THEN 'owner' ELSE s.access END AS access
         FROM calendars c
         LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.user_id = $1
        WHERE (c.owner_id = $1 OR s.user_id IS NOT NULL) AND ($2::uuid IS NULL OR c.id = $2)
          AND ($4::text IS NULL OR (c.created_at, c.id) > (${timestampOf('$4')}, $5::uuid))
        ORDER BY c.created_at, c.id
        LIMIT $3`,
      [userId, calendarId ?? null, limit, after?.us ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      ownerId: r.owner_id,
      access: r.access,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      position: { us: r.created_us, id: r.id },
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

  insertCalendar(em: EntityManager, ownerId: string, name: string): Promise<CalendarEntity> {
    const calendars = em.getRepository(CalendarEntity);
    return calendars.save(calendars.create({ ownerId, name }));
  }

  findCalendar(em: EntityManager, id: string): Promise<CalendarEntity | null> {
    return em.getRepository(CalendarEntity).findOneBy({ id });
  }

  findShare(
    em: EntityManager,
    calendarId: string,
    userId: string,
  ): Promise<CalendarShareEntity | null> {
    return em.getRepository(CalendarShareEntity).findOneBy({ calendarId, userId });
  }

  /** Shares the calendar with the user, or changes the access of their share. */
  async upsertShare(
    em: EntityManager,
    calendarId: string,
    userId: string,
    access: ShareAccess,
  ): Promise<void> {
    await em
      .getRepository(CalendarShareEntity)
      .upsert({ calendarId, userId, access, updatedAt: new Date() }, ['calendarId', 'userId']);
  }

  /** False when there was no such share. */
  async deleteShare(em: EntityManager, calendarId: string, userId: string): Promise<boolean> {
    const result = await em.getRepository(CalendarShareEntity).delete({ calendarId, userId });
    return !!result.affected;
  }

  findEvent(em: EntityManager, id: string): Promise<CalendarEventEntity | null> {
    return em.getRepository(CalendarEventEntity).findOneBy({ id });
  }

  findEvents(em: EntityManager, ids: string[]): Promise<CalendarEventEntity[]> {
    return em.getRepository(CalendarEventEntity).findBy({ id: In(ids) });
  }

  lockEvent(em: EntityManager, id: string): Promise<CalendarEventEntity | null> {
    return em
      .getRepository(CalendarEventEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  insertEvent(em: EntityManager, event: NewCalendarEvent): Promise<CalendarEventEntity> {
    return em
      .getRepository(CalendarEventEntity)
      .save(em.create(CalendarEventEntity, { ...event, version: 1 }));
  }

  /** Writes the event's editable fields, its version and updatedAt as the caller set them. */
  async updateEvent(em: EntityManager, event: CalendarEventEntity): Promise<void> {
    await em.getRepository(CalendarEventEntity).update(
      { id: event.id },
      {
        title: event.title,
        description: event.description,
        startsAt: event.startsAt,
        endsAt: event.endsAt,
        allDay: event.allDay,
        attendeeIds: event.attendeeIds,
        reminderMinutes: event.reminderMinutes,
        version: event.version,
        updatedAt: event.updatedAt,
      },
    );
  }

  async deleteEvent(em: EntityManager, id: string): Promise<void> {
    await em.getRepository(CalendarEventEntity).delete({ id });
  }

  /** Half-open overlap with [from, to): starts before `to` and ends after `from`. */
  /**
   * Events of a range (half-open), by start; keyset on (starts_at, id). Each
   * comes with its position for the next page's cursor.
   */
  async eventsInRange(
    em: EntityManager,
    calendarId: string,
    range: { from: Date; to: Date; limit: number; after?: KeysetPosition },
  ): Promise<{ event: CalendarEventEntity; position: KeysetPosition }[]> {
    const qb = em
      .getRepository(CalendarEventEntity)
      .createQueryBuilder('e')
      .addSelect(microsecondsOf('e.starts_at'), 'starts_us')
      .where('e.calendar_id = :calendarId', { calendarId })
      .andWhere('e.starts_at < :to', { to: range.to })
      .andWhere('e.ends_at > :from', { from: range.from })
      .orderBy('e.starts_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(range.limit);
    if (range.after)
      qb.andWhere(`(e.starts_at, e.id) > (${timestampOf(':afterUs')}, CAST(:afterId AS uuid))`, {
        afterUs: range.after.us,
        afterId: range.after.id,
      });
    const { entities, raw } = await qb.getRawAndEntities<{ starts_us: string; e_id: string }>();
    const positions = new Map(raw.map((r) => [r.e_id, r.starts_us]));
    return entities.map((event) => ({
      event,
      position: { us: positions.get(event.id)!, id: event.id },
    }));
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

  /**
   * Claims up to `limit` due reminders, the earliest first. SKIP LOCKED: a
   * reminder another instance has claimed is left to it.
   */
  claimDueReminders(em: EntityManager, limit: number): Promise<DueReminder[]> {
    return queryRows<DueReminder>(
      em,
      `SELECT id, event_id FROM calendar_reminders
        WHERE fired_at IS NULL AND due_at <= now()
        ORDER BY due_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async markRemindersFired(em: EntityManager, ids: string[]): Promise<void> {
    await queryRows(
      em,
      `UPDATE calendar_reminders SET fired_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`,
      [ids],
    );
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
