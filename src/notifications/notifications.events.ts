import { defineEvents, type EventsOf } from '../realtime/events/event-catalogue.js';
import {
  NotificationEventView,
  NotificationStateChangeView,
} from './dto/notification-views.dto.js';

/** Every event of the notifications module: all on the recipient's own channel. */
export const NOTIFICATION_EVENTS = defineEvents({
  'notification.created': {
    channels: ['user:{userId}'],
    payload: NotificationEventView,
    description:
      'A notification for the user; also pushed again (without an offset) at every connect until acknowledged or read',
  },
  'notification.read': {
    channels: ['user:{userId}'],
    payload: NotificationStateChangeView,
    description:
      'Notifications were read (`readAt`) or acknowledged (`ackedAt`), on any device of the user',
  },
});

declare module '../realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof NOTIFICATION_EVENTS> {}
}
