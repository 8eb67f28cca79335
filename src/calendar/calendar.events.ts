import { defineEvents, type EventsOf } from '../realtime/events/event-catalogue.js';
import { CalendarEventDeletedView, CalendarEventView } from './dto/calendar-views.dto.js';

/** The channel of one calendar: its owner and the users it is shared with subscribe. */
export const calendarChannel = (calendarId: string): `calendar:${string}` =>
  `calendar:${calendarId}`;

const ON_CALENDAR = ['calendar:{calendarId}'] as const;

/** Every event of the calendar module, all on the calendar's channel. */
export const CALENDAR_EVENTS = defineEvents({
  'calendar.event.created': {
    channels: ON_CALENDAR,
    payload: CalendarEventView,
    description: 'An event was added to the calendar',
  },
  'calendar.event.updated': {
    channels: ON_CALENDAR,
    payload: CalendarEventView,
    description: 'An event was changed (`version` raised)',
  },
  'calendar.event.deleted': {
    channels: ON_CALENDAR,
    payload: CalendarEventDeletedView,
    description: 'An event was deleted',
  },
});

declare module '../realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof CALENDAR_EVENTS> {}
}
