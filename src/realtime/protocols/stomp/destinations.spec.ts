import type { AuthUser } from '../../../auth/auth.types.js';
import { AppException } from '../../../common/app.exception.js';
import { resolveSend, resolveSubscribe } from './destinations.js';

const me: AuthUser = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'me@example.test',
  displayName: 'Me',
  role: 'user',
  exp: Math.floor(Date.now() / 1000) + 600,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (err) {
    if (err instanceof AppException) return err.code;
    throw err;
  }
}

describe('STOMP SUBSCRIBE destinations', () => {
  it.each([
    ['/topic/chat/42', 'chat:42'],
    ['/topic/conversation/42', 'chat:42'],
    ['/topic/board/b-1', 'board:b-1'],
    ['/topic/calendar/c_1', 'calendar:c_1'],
    ['/topic/presence', 'presence'],
    ['/topic/announcements', 'announcements'],
    ['/topic/system', 'system'],
  ])('%s reads the channel %s, every event', (destination, channel) => {
    expect(resolveSubscribe(destination, me)).toEqual({ kind: 'channel', channel });
  });

  it("maps the user's queues to their channel, filtered, and to the conversations family", () => {
    expect(resolveSubscribe('/user/queue/notifications', me)).toEqual({
      kind: 'channel',
      channel: `user:${me.id}`,
      eventPrefix: 'notification.',
    });
    expect(resolveSubscribe('/user/queue/events', me)).toEqual({
      kind: 'channel',
      channel: `user:${me.id}`,
    });
    expect(resolveSubscribe('/user/queue/messages', me)).toEqual({
      kind: 'user-channels',
      family: 'conversations',
      eventPrefix: 'chat.message.',
    });
    expect(resolveSubscribe('/user/queue/errors', me)).toEqual({ kind: 'errors' });
    expect(resolveSubscribe(`/user/${me.id}/queue/messages`, me)).toMatchObject({
      kind: 'user-channels',
    });
  });

  it.each([
    ['/topic/chat/42', null, 'OK'],
    ['/user/queue/messages', null, 'UNAUTHORIZED'],
    ['/user/22222222-2222-4222-8222-222222222222/queue/events', me, 'FORBIDDEN'],
    ['/user/queue/unknown', me, 'NOT_FOUND'],
    ['/queue/chat', me, 'NOT_FOUND'],
    ['/topic/', me, 'NOT_FOUND'],
    ['/topic/chat/42/more', me, 'NOT_FOUND'],
    ['/topic/chat/a b', me, 'NOT_FOUND'],
    ['topic/chat/42', me, 'NOT_FOUND'],
    ['', me, 'NOT_FOUND'],
  ] as const)('%s for %o: %s', (destination, user, expected) => {
    expect(codeOf(() => resolveSubscribe(destination, user))).toBe(expected);
  });
});

describe('STOMP SEND destinations', () => {
  it('runs a module command, the chat aliases, and the no-op heartbeat', () => {
    expect(resolveSend('/app/chat.send')).toEqual({ command: 'chat.send' });
    expect(resolveSend('/app/board.card.move')).toEqual({ command: 'board.card.move' });
    expect(resolveSend('/app/chat/42/send')).toEqual({
      command: 'chat.send',
      pathData: { conversationId: '42' },
    });
    expect(resolveSend('/app/conversations/42/send')).toEqual({
      command: 'chat.send',
      pathData: { conversationId: '42' },
    });
    expect(resolveSend('/app/heartbeat')).toEqual({ command: null });
  });

  it.each([
    '/app/',
    '/app/ping',
    '/app/chat/42',
    '/topic/chat/42',
    '/app/chat.send/x',
    '/app/Chat.send',
  ])('refuses %s with NOT_FOUND', (destination) => {
    expect(codeOf(() => resolveSend(destination))).toBe('NOT_FOUND');
  });
});
