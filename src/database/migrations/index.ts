import { Accounts1763770000000 } from './1763770000000-accounts.js';
import { ChannelLog1763780000000 } from './1763780000000-channel-log.js';

/** Migrations in the order they apply. Never edit one that has landed: add a new one. */
export const MIGRATIONS = [Accounts1763770000000, ChannelLog1763780000000];
