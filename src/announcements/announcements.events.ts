import { defineEvents, type EventsOf } from '../realtime/events/event-catalogue.js';
import { AnnouncementView } from './dto/announcement.dto.js';

/** Everyone may subscribe to it, anonymous sockets included (the kernel's policy). */
export const ANNOUNCEMENTS_CHANNEL = 'announcements';

/** The announcements module's one event. */
export const ANNOUNCEMENT_EVENTS = defineEvents({
  'announcement.created': {
    channels: [ANNOUNCEMENTS_CHANNEL],
    payload: AnnouncementView,
    description: 'An admin published an announcement',
  },
});

declare module '../realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof ANNOUNCEMENT_EVENTS> {}
}
