/** `chat:42` → {prefix: 'chat', resourceId: '42'}; `presence` → {prefix: 'presence', resourceId: undefined}. */
export interface ChannelName {
  channel: string;
  prefix: string;
  resourceId: string | undefined;
}

const CHANNEL_RE = /^([a-z][a-z0-9_-]{0,31})(?::([A-Za-z0-9_.-]{1,128}))?$/;

export function parseChannelName(channel: unknown): ChannelName | undefined {
  if (typeof channel !== 'string' || channel.length > 161) return undefined;
  const m = CHANNEL_RE.exec(channel);
  if (!m) return undefined;
  return { channel, prefix: m[1], resourceId: m[2] };
}

/** The channel every session of a user is subscribed to at connect. */
export function userChannel(userId: string): `user:${string}` {
  return `user:${userId}`;
}
