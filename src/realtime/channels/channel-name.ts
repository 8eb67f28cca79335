import { isUuid } from '../../common/uuid.js';

/** `chat:42` → {prefix: 'chat', resourceId: '42'}; `presence` → {prefix: 'presence', resourceId: undefined}. */
export interface ChannelName {
  channel: string;
  prefix: string;
  resourceId: string | undefined;
}

const CHANNEL_RE = /^([a-z][a-z0-9_-]{0,31})(?::([A-Za-z0-9_.-]{1,128}))?$/;

/**
 * Parses a channel name. A UUID resource id is lower-cased, so that a channel
 * has one spelling whatever case the client used (`channel` is the canonical
 * name: subscribe, revoke and the log all use it).
 */
export function parseChannelName(channel: unknown): ChannelName | undefined {
  if (typeof channel !== 'string' || channel.length > 161) return undefined;
  const m = CHANNEL_RE.exec(channel);
  if (!m) return undefined;
  const [, prefix, id] = m;
  if (isUuid(id) && id !== id.toLowerCase()) {
    const resourceId = id.toLowerCase();
    return { channel: `${prefix}:${resourceId}`, prefix, resourceId };
  }
  return { channel, prefix, resourceId: id };
}

/** The channel every session of a user is subscribed to at connect. */
export function userChannel(userId: string): `user:${string}` {
  return `user:${userId}`;
}
