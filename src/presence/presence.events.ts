import { defineEvents, type EventsOf } from '../realtime/events/event-catalogue.js';
import { PresenceView } from './dto/presence.dto.js';

/** Every authenticated user may subscribe to it (the kernel's policy). */
export const PRESENCE_CHANNEL = 'presence';

/** The presence module's one event: ephemeral, never in the log. */
export const PRESENCE_EVENTS = defineEvents({
  'presence.changed': {
    channels: [PRESENCE_CHANNEL],
    payload: PresenceView,
    ephemeral: true,
    description:
      'A user came online, chose a status, or went offline (after PRESENCE_GRACE_MS without a socket anywhere)',
  },
});

declare module '../realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof PRESENCE_EVENTS> {}
}
