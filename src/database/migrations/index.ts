import { Accounts1763770000000 } from './1763770000000-accounts.js';
import { ChannelLog1763780000000 } from './1763780000000-channel-log.js';
import { Chat1763790000000 } from './1763790000000-chat.js';
import { Notifications1763790001000 } from './1763790001000-notifications.js';
import { Boards1763800000000 } from './1763800000000-boards.js';
import { Calendar1763800001000 } from './1763800001000-calendar.js';
import { Presence1763800002000 } from './1763800002000-presence.js';
import { Announcements1763800003000 } from './1763800003000-announcements.js';

/** Migrations in the order they apply. Never edit one that has landed: add a new one. */
export const MIGRATIONS = [
  Accounts1763770000000,
  ChannelLog1763780000000,
  Chat1763790000000,
  Notifications1763790001000,
  Boards1763800000000,
  Calendar1763800001000,
  Presence1763800002000,
  Announcements1763800003000,
];
