import { parseChannelName } from './channel-name.js';

describe('parseChannelName', () => {
  it.each([
    ['chat:42', 'chat', '42'],
    ['user:0b6c2a4e-1f7d-4c55-9a8b-3a2e1d0c9b8a', 'user', '0b6c2a4e-1f7d-4c55-9a8b-3a2e1d0c9b8a'],
    ['board:a_b.c-D', 'board', 'a_b.c-D'],
    ['presence', 'presence', undefined],
    ['announcements', 'announcements', undefined],
    ['x1_-', 'x1_-', undefined],
  ])('parses %s', (channel, prefix, resourceId) => {
    expect(parseChannelName(channel)).toEqual({ channel, prefix, resourceId });
  });

  it.each([
    '',
    'Chat:1',
    '1chat:1',
    'chat:',
    ':1',
    'chat:1:2',
    'chat:a b',
    'chat:é',
    'chat:*',
    'chat 1',
    `${'a'.repeat(33)}:1`,
    `chat:${'1'.repeat(129)}`,
  ])('refuses %p', (channel) => {
    expect(parseChannelName(channel)).toBeUndefined();
  });

  it('lower-cases a UUID resource id, so that a channel has one spelling', () => {
    const lower = '0b6c2a4e-1f7d-4c55-9a8b-3a2e1d0c9b8a';
    expect(parseChannelName(`chat:${lower.toUpperCase()}`)).toEqual({
      channel: `chat:${lower}`,
      prefix: 'chat',
      resourceId: lower,
    });
    // Other ids keep their case: only UUIDs are case-insensitive in the database.
    expect(parseChannelName('test:Room-A')).toMatchObject({ channel: 'test:Room-A' });
  });

  it('accepts the longest prefix and id, and refuses anything that is not a string', () => {
    const longest = `${'a'.repeat(32)}:${'1'.repeat(128)}`;
    expect(parseChannelName(longest)).toMatchObject({ channel: longest });
    for (const value of [undefined, null, 42, { channel: 'chat:1' }, ['chat:1']])
      expect(parseChannelName(value)).toBeUndefined();
  });
});
