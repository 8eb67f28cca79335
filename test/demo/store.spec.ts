import type { Card, Message, MyConversation } from '../../demo/src/protocol.js';
import {
  applyEvent,
  cardsOf,
  expireTyping,
  initialState,
  mergeConversations,
  mergeHistory,
  openingBoard,
  receiptsByMessage,
  receiveMessage,
  setBoard,
  typingIn,
  upsertCard,
  type BoardState,
  type DemoEvent,
  type State,
} from '../../demo/src/store.js';

/** The demo's store folds REST answers and channel events; these run without a browser. */

const ME = { id: 'me', email: 'me@x.test', displayName: 'Me', role: 'user' as const };

function message(id: string, senderId: string, createdAt: string): Message {
  return {
    id,
    conversationId: 'c1',
    senderId,
    content: `text ${id}`,
    contentType: 'text',
    createdAt,
    editedAt: null,
    deletedAt: null,
  };
}

function conversation(): MyConversation {
  return {
    id: 'c1',
    type: 'direct',
    title: null,
    ownerId: null,
    participantIds: ['me', 'bob'],
    participants: [
      { userId: 'me', displayName: 'Me', joinedAt: '2026-01-01T00:00:00.000Z' },
      { userId: 'bob', displayName: 'Bob', joinedAt: '2026-01-01T00:00:00.000Z' },
    ],
    createdAt: '2026-01-01T00:00:00.000Z',
    lastActivityAt: '2026-01-01T00:00:00.000Z',
    lastMessage: null,
    unreadCount: 0,
    lastReadMessageId: null,
  };
}

function card(id: string, columnId: string, position: string, version: number): Card {
  return {
    id,
    boardId: 'b1',
    columnId,
    title: id,
    description: null,
    assigneeId: null,
    dueAt: null,
    labels: [],
    position,
    version,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function event<K extends DemoEvent['event']>(
  name: K,
  data: Extract<DemoEvent, { event: K }>['data'],
): DemoEvent {
  return { channel: 'x', event: name, data, ts: '' } as DemoEvent;
}

function boardOf(s: State): BoardState {
  if (!s.board) throw new Error('no board open');
  return s.board;
}

const signedIn: State = mergeConversations({ ...initialState, me: ME }, [conversation()]);

describe('demo store', () => {
  it("counts another user's message once, whether the event or a REST page brings it first", () => {
    const m = message('m1', 'bob', '2026-01-01T10:00:00.000Z');
    let s = receiveMessage(signedIn, m);
    s = receiveMessage(s, m);
    s = mergeHistory(s, 'c1', { items: [m], nextCursor: null }, false);
    expect(s.conversations.c1.unreadCount).toBe(1);
    expect(s.history.c1.items.map((x) => x.id)).toEqual(['m1']);
  });

  it('does not count messages of the open conversation, nor my own', () => {
    const open: State = { ...signedIn, route: { view: 'chat', id: 'c1' } };
    const s = receiveMessage(open, message('m1', 'bob', '2026-01-01T10:00:00.000Z'));
    expect(s.conversations.c1.unreadCount).toBe(0);
    const mine = receiveMessage(signedIn, message('m2', 'me', '2026-01-01T10:00:00.000Z'));
    expect(mine.conversations.c1.unreadCount).toBe(0);
  });

  it('keeps history oldest first across pages, and a deletion over an older REST copy', () => {
    const [a, b, c] = ['10', '11', '12'].map((h, i) =>
      message(`m${i}`, 'bob', `2026-01-01T${h}:00:00.000Z`),
    );
    let s = mergeHistory(signedIn, 'c1', { items: [c, b], nextCursor: 'cur' }, false);
    s = applyEvent(
      s,
      event('chat.message.deleted', { ...b, content: '', deletedAt: c.createdAt }),
      0,
    );
    s = mergeHistory(s, 'c1', { items: [b, a], nextCursor: null }, true);
    expect(s.history.c1.items.map((x) => x.id)).toEqual(['m0', 'm1', 'm2']);
    expect(s.history.c1.items[1].deletedAt).toBe(c.createdAt);
    expect(s.history.c1.nextCursor).toBeNull();
  });

  it('clears my unread count when my read receipt reaches the latest message', () => {
    const m = message('m1', 'bob', '2026-01-01T10:00:00.000Z');
    let s = receiveMessage(signedIn, m);
    s = applyEvent(
      s,
      event('chat.read', { conversationId: 'c1', userId: 'me', messageId: 'm1', readAt: '' }),
      0,
    );
    expect(s.conversations.c1.unreadCount).toBe(0);
    expect(s.receipts.c1).toEqual({ bob: 'm1', me: 'm1' });
  });

  it('shows each receipt under my newest message the reader has reached, a reply counting as one', () => {
    const mine = ['10', '11'].map((h, i) => message(`m${i}`, 'me', `2026-01-01T${h}:00:00.000Z`));
    let s = mergeHistory(signedIn, 'c1', { items: mine, nextCursor: null }, false);
    s = applyEvent(
      s,
      event('chat.read', { conversationId: 'c1', userId: 'bob', messageId: 'm0', readAt: '' }),
      0,
    );
    expect(receiptsByMessage(s, 'c1')).toEqual({ m0: ['bob'] });
    s = receiveMessage(s, message('m2', 'bob', '2026-01-01T12:00:00.000Z'));
    expect(receiptsByMessage(s, 'c1')).toEqual({ m1: ['bob'] });
  });

  it('shows typing until it expires or the typist sends', () => {
    const typing = event('chat.typing', {
      conversationId: 'c1',
      userId: 'bob',
      typing: true,
      expiresInMs: 1000,
    });
    const s = applyEvent(signedIn, typing, 5000);
    expect(typingIn(s, 'c1', 5500)).toEqual(['bob']);
    expect(typingIn(expireTyping(s, 6000), 'c1', 6000)).toEqual([]);
    const sent = receiveMessage(s, message('m1', 'bob', '2026-01-01T10:00:00.000Z'));
    expect(typingIn(sent, 'c1', 5500)).toEqual([]);
  });

  it('applies card versions in order whatever way they arrive, and sorts by position', () => {
    let s = openingBoard(signedIn, 'b1', 'Board');
    // A move event arrives before the board itself, whose copy of the card is older.
    s = applyEvent(
      s,
      event('board.card.moved', { ...card('k1', 'done', 'a1', 2), fromColumnId: 'todo' }),
      0,
    );
    s = setBoard(s, {
      id: 'b1',
      name: 'Board',
      version: 1,
      members: [],
      createdAt: '',
      updatedAt: '',
      columns: [
        {
          id: 'todo',
          boardId: 'b1',
          title: 'To do',
          position: 'a0',
          version: 1,
          createdAt: '',
          updatedAt: '',
          cards: [card('k1', 'todo', 'a0', 1), card('k2', 'todo', 'a1', 1)],
        },
      ],
    });
    s = upsertCard(s, card('k3', 'done', 'a0', 1));
    s = upsertCard(s, card('k1', 'todo', 'a0', 1)); // a stale ack: ignored
    expect(cardsOf(boardOf(s), 'done').map((c) => c.id)).toEqual(['k3', 'k1']);
    expect(cardsOf(boardOf(s), 'todo').map((c) => c.id)).toEqual(['k2']);
  });

  it('counts a notification once, and takes the count of a read from the server', () => {
    const n = {
      id: 'n1',
      type: 'x',
      title: 'Hi',
      body: '',
      readAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    let s = applyEvent(signedIn, event('notification.created', n), 0);
    s = applyEvent(s, event('notification.created', n), 0);
    expect(s.notifications.unreadCount).toBe(1);
    s = applyEvent(
      s,
      event('notification.read', { ids: ['n1'], readAt: 'now', unreadCount: 0 }),
      0,
    );
    expect(s.notifications).toEqual({
      items: [{ ...n, readAt: 'now', ackedAt: null }],
      unreadCount: 0,
    });
  });
});
