import type { AuthUser } from '../../../auth/auth.types.js';
import { AppException } from '../../../common/app.exception.js';
import { userChannel } from '../../channels/channel-name.js';

/**
 * Where a STOMP SUBSCRIBE reads from, as Spring applications name their
 * destinations: `/topic/<channel>` for shared channels, `/user/queue/<name>`
 * for what belongs to the connected user. The kernel's policies decide access
 * exactly as for the JSON protocol's `subscribe`.
 */
export type SubscribeTarget =
  /** One channel, every event or those whose name starts with `eventPrefix`. */
  | { kind: 'channel'; channel: string; eventPrefix?: string }
  /** Every channel of a family the user takes part in, now or later (their conversations). */
  | { kind: 'user-channels'; family: string; eventPrefix: string }
  /** No channel: where errors of SEND commands are reported. */
  | { kind: 'errors' };

/** `/topic/<name>` and `/topic/<prefix>/<id>` aliases that Spring apps commonly use. */
const TOPIC_ALIASES: Readonly<Record<string, string>> = { conversation: 'chat' };

/** The user's queues: `/user/queue/<name>`. */
const USER_QUEUES: Readonly<Record<string, (user: AuthUser) => SubscribeTarget>> = {
  notifications: (u) => ({
    kind: 'channel',
    channel: userChannel(u.id),
    eventPrefix: 'notification.',
  }),
  events: (u) => ({ kind: 'channel', channel: userChannel(u.id) }),
  messages: () => ({
    kind: 'user-channels',
    family: 'conversations',
    eventPrefix: 'chat.message.',
  }),
  errors: () => ({ kind: 'errors' }),
};

const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Resolves a SUBSCRIBE destination. Throws NOT_FOUND for a destination that
 * names nothing, UNAUTHORIZED for a user queue of an anonymous session,
 * FORBIDDEN for another user's queue (`/user/{userId}/queue/...`). Whether the
 * channel itself may be read is the channel policy's to say, afterwards.
 */
export function resolveSubscribe(destination: string, user: AuthUser | null): SubscribeTarget {
  const parts = destination.split('/');
  // ['', 'topic', name] or ['', 'topic', prefix, id]
  if (parts[0] === '' && parts[1] === 'topic' && parts.slice(2).every((p) => SEGMENT.test(p))) {
    if (parts.length === 3) return { kind: 'channel', channel: parts[2] };
    if (parts.length === 4)
      return { kind: 'channel', channel: `${TOPIC_ALIASES[parts[2]] ?? parts[2]}:${parts[3]}` };
  }
  // ['', 'user', 'queue', name] or ['', 'user', userId, 'queue', name]
  if (parts[0] === '' && parts[1] === 'user') {
    const named = parts.length === 5 && parts[3] === 'queue';
    const queue =
      parts.length === 4 && parts[2] === 'queue' ? parts[3] : named ? parts[4] : undefined;
    const target = queue === undefined ? undefined : USER_QUEUES[queue];
    if (target) {
      if (!user) throw AppException.unauthorized('User queues need an authenticated session');
      if (named && parts[2] !== user.id)
        throw AppException.forbidden("Another user's queue cannot be subscribed");
      return target(user);
    }
  }
  throw AppException.notFound(`Unknown destination: ${destination.slice(0, 200)}`);
}

/** A SEND destination: the module command it runs and what the path adds to its data. */
export interface SendTarget {
  /** A module command (`chat.send`), or null for `/app/heartbeat` (a no-op). */
  command: string | null;
  /** Fields taken from the destination (`/app/chat/42/send` gives `conversationId`). */
  pathData?: Record<string, string>;
}

const COMMAND = /^[a-z][a-z0-9_-]*(\.[a-zA-Z][a-zA-Z0-9_-]*)+$/;

/**
 * Resolves a SEND destination: `/app/<command>` runs that command with the
 * body as its data; `/app/chat/{id}/send` and `/app/conversations/{id}/send`
 * are `chat.send` to that conversation; `/app/heartbeat` does nothing.
 * Throws NOT_FOUND for anything else.
 */
export function resolveSend(destination: string): SendTarget {
  const parts = destination.split('/');
  if (parts[0] === '' && parts[1] === 'app') {
    if (parts.length === 3 && parts[2] === 'heartbeat') return { command: null };
    if (parts.length === 3 && COMMAND.test(parts[2]) && parts[2].length <= 64)
      return { command: parts[2] };
    if (
      parts.length === 5 &&
      (parts[2] === 'chat' || parts[2] === 'conversations') &&
      SEGMENT.test(parts[3]) &&
      parts[4] === 'send'
    )
      return { command: 'chat.send', pathData: { conversationId: parts[3] } };
  }
  throw AppException.notFound(`Unknown destination: ${destination.slice(0, 200)}`);
}
