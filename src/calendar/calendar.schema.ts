import type { ModuleSchema } from '../database/module-schema.js';
import { CalendarEventEntity } from './entities/calendar-event.entity.js';
import { CalendarReminderEntity } from './entities/calendar-reminder.entity.js';
import { CalendarShareEntity } from './entities/calendar-share.entity.js';
import { CalendarEntity } from './entities/calendar.entity.js';
import { Calendar1763800001000 } from './migrations/1763800001000-calendar.js';

/**
 * The tables of calendar: calendars, shares, events and reminders.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const CALENDAR_SCHEMA: ModuleSchema = {
  entities: [CalendarEventEntity, CalendarReminderEntity, CalendarShareEntity, CalendarEntity],
  migrations: [Calendar1763800001000],
};
