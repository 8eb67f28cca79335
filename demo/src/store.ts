import type { ChannelEvent, ConnectionState, TransportKind } from '../../client/src/index.js';
import type {
  Announcement,
  AppNotification,
  Board,
  BoardSummary,
  CalendarEvent,
  CalendarInfo,
  Card,
  Column,
  EventMap,
  Member,
  Message,
  MyConversation,
  NotificationPage,
  NotificationStateChange,
  Page,
  Presence,
  User,
} from './protocol.js';
import { mondayOf } from './week.js';

/**
 * The whole UI state, one immutable object: REST answers and channel events
 * are folded into it by the pure functions below, and the components only
 * render it. Keeping the folding pure keeps it testable without a browser.
 */

export type View = 'chat' | 'board' | 'calendar';

export interface Route {
  view: View;
  /** The open conversation, board or calendar. */
  id: string | null;
}

export interface History {
  /** Oldest first. */
  items: Message[];
  /** The cursor of the next older page; null once the start is loaded. */
  nextCursor: string | null;
  loaded: boolean;
}

/** A message sent but not yet acknowledged (queued while offline, or in flight). */
export interface PendingMessage {
  clientMsgId: string;
  conversationId: string;
  content: string;
  failed: boolean;
}

export interface BoardState {
  id: string;
  name: string;
  members: Member[];
  columns: Column[];
  cards: Record<string, Card>;
}

export interface ConnectionInfo {
  state: ConnectionState;
  transport: TransportKind;
  retryInMs?: number;
}

export interface State {
  me: User | null;
  connection: ConnectionInfo;
  route: Route;
  /** userId → display name, of everyone the user has met in a conversation or board. */
  names: Record<string, string>;
  conversations: Record<string, MyConversation>;
  history: Record<string, History>;
  pending: PendingMessage[];
  /** conversationId → userId → when their typing indicator expires (ms since the epoch). */
  typing: Record<string, Record<string, number>>;
  /** conversationId → userId → the newest message they have read. */
  receipts: Record<string, Record<string, string>>;
  notifications: { items: AppNotification[]; unreadCount: number };
  boards: BoardSummary[];
  board: BoardState | null;
  calendars: CalendarInfo[];
  /** The events of the open calendar, by id. */
  calendarEvents: Record<string, CalendarEvent>;
  /** The Monday (local midnight, ms since the epoch) of the week the calendar shows. */
  weekStart: number;
  presence: Record<string, Presence>;
  announcements: Announcement[];
  /** A passing message for the user: a conflict, a failed command. */
  notice: string | null;
}

export const initialState: State = {
  me: null,
  connection: { state: 'connecting', transport: 'websocket' },
  route: { view: 'chat', id: null },
  names: {},
  conversations: {},
  history: {},
  pending: [],
  typing: {},
  receipts: {},
  notifications: { items: [], unreadCount: 0 },
  boards: [],
  board: null,
  calendars: [],
  calendarEvents: {},
  weekStart: mondayOf(new Date()).getTime(),
  presence: {},
  announcements: [],
  notice: null,
};

/** Holds the state and tells the view when it changed. */
export class Store {
  private readonly listeners = new Set<() => void>();

  constructor(private current: State = initialState) {}

  get state(): State {
    return this.current;
  }

  update(change: (s: State) => State): void {
    const next = change(this.current);
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export type DemoEvent = ChannelEvent<EventMap>;

// ---- reading the state ----------------------------------------------------------

/** Keys compare as plain bytes (the server's COLLATE "C"), which `<` does for ASCII. */
function byPosition(a: { position: string }, b: { position: string }): number {
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

export function sortedColumns(board: BoardState): Column[] {
  return [...board.columns].sort(byPosition);
}

export function cardsOf(board: BoardState, columnId: string): Card[] {
  return Object.values(board.cards)
    .filter((c) => c.columnId === columnId)
    .sort(byPosition);
}

/** Last activity first, as `GET /api/conversations` lists them. */
export function sortedConversations(s: State): MyConversation[] {
  return Object.values(s.conversations).sort((a, b) =>
    b.lastActivityAt.localeCompare(a.lastActivityAt),
  );
}

export function conversationTitle(s: State, c: MyConversation): string {
  if (c.title) return c.title;
  const others = c.participants.filter((p) => p.userId !== s.me?.id).map((p) => p.displayName);
  return others.join(', ') || 'Just me';
}

/** The users typing in a conversation now (never the user themselves). */
export function typingIn(s: State, conversationId: string, now: number): string[] {
  const entries = Object.entries(s.typing[conversationId] ?? {});
  return entries.filter(([, until]) => until > now).map(([userId]) => userId);
}

/** Every user id the state knows of, but the user's own (whose presence to fetch). */
export function knownUserIds(s: State): string[] {
  return Object.keys(s.names).filter((id) => id !== s.me?.id);
}

// ---- folding REST answers in -------------------------------------------------------

/**
 * Of two copies of one message, the later one: a REST page read before an
 * event applied meanwhile must not undo the edit or deletion the event carried.
 */
function laterMessage(a: Message, b: Message): Message {
  if (a.deletedAt || b.deletedAt) return a.deletedAt ? a : b;
  return (b.editedAt ?? '') >= (a.editedAt ?? '') ? b : a;
}

/** Inserts or replaces messages, keeping the list oldest first and each message once. */
export function mergeMessages(items: Message[], incoming: Message[]): Message[] {
  const byId = new Map(items.map((m) => [m.id, m]));
  for (const m of incoming) {
    const known = byId.get(m.id);
    byId.set(m.id, known ? laterMessage(known, m) : m);
  }
  return [...byId.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
}

/** One page of `GET /api/conversations/:id/messages` (newest first); `older` pages go on top. */
export function mergeHistory(
  s: State,
  conversationId: string,
  page: Page<Message>,
  older: boolean,
): State {
  const h = s.history[conversationId] ?? { items: [], nextCursor: null, loaded: false };
  const next: History = {
    items: mergeMessages(h.items, page.items),
    // A first page after live events arrived still sets where older pages start.
    nextCursor: older || !h.loaded ? page.nextCursor : h.nextCursor,
    loaded: true,
  };
  return { ...s, history: { ...s.history, [conversationId]: next } };
}

/** Conversations from `GET /api/conversations`, each as the server has it now. */
export function mergeConversations(s: State, list: MyConversation[]): State {
  const conversations = { ...s.conversations };
  const names = { ...s.names };
  for (const c of list) {
    conversations[c.id] = c;
    for (const p of c.participants) names[p.userId] = p.displayName;
  }
  return { ...s, conversations, names };
}

/**
 * The whole board from `GET /api/boards/:id`. Events of the board that came
 * while the request was out were applied already: for the same board, the
 * higher version of each card and column wins.
 */
export function setBoard(s: State, b: Board): State {
  const known = s.board?.id === b.id ? s.board : null;
  const cards: Record<string, Card> = { ...known?.cards };
  for (const col of b.columns) {
    for (const card of col.cards) cards[card.id] = newerVersion(cards[card.id], card);
  }
  const columns = new Map(known?.columns.map((c) => [c.id, c]));
  for (const { cards: _cards, ...col } of b.columns) {
    columns.set(col.id, newerVersion(columns.get(col.id), col));
  }
  const names = { ...s.names };
  for (const m of b.members) names[m.userId] = m.displayName;
  const board = {
    id: b.id,
    name: b.name,
    members: b.members,
    columns: [...columns.values()],
    cards,
  };
  return { ...s, names, board };
}

/** An empty board to collect the events that arrive before the board itself. */
export function openingBoard(s: State, id: string, name: string): State {
  return { ...s, board: { id, name, members: [], columns: [], cards: {} } };
}

function newerVersion<T extends { version: number }>(known: T | undefined, other: T): T {
  return known && known.version > other.version ? known : other;
}

/** A card from an ack, a CONFLICT's `details.current` or an event: the higher version wins. */
export function upsertCard(s: State, card: Card): State {
  const board = s.board;
  if (!board || board.id !== card.boardId) return s;
  const known = board.cards[card.id];
  if (known && known.version > card.version) return s;
  return { ...s, board: { ...board, cards: { ...board.cards, [card.id]: card } } };
}

export function setNotifications(s: State, page: NotificationPage): State {
  return { ...s, notifications: { items: page.items, unreadCount: page.unreadCount } };
}

/** A read or an ack (its event, or the answer to one's own): the dates set, the server's count. */
export function notificationsChanged(s: State, change: NotificationStateChange): State {
  const { ids, readAt, ackedAt, unreadCount } = change;
  const items = s.notifications.items.map((n) =>
    ids.includes(n.id)
      ? { ...n, readAt: readAt ?? n.readAt, ackedAt: ackedAt ?? n.ackedAt ?? null }
      : n,
  );
  return { ...s, notifications: { items, unreadCount } };
}

/** Events of the open calendar from REST, merged with those events taught meanwhile. */
export function setCalendarEvents(s: State, items: CalendarEvent[]): State {
  const calendarEvents = { ...s.calendarEvents };
  for (const e of items) calendarEvents[e.id] = newerVersion(calendarEvents[e.id], e);
  return { ...s, calendarEvents };
}

export function upsertCalendarEvent(s: State, e: CalendarEvent): State {
  if (s.route.view !== 'calendar' || s.route.id !== e.calendarId) return s;
  const known = s.calendarEvents[e.id];
  if (known && known.version > e.version) return s;
  return { ...s, calendarEvents: { ...s.calendarEvents, [e.id]: e } };
}

export function setPresence(s: State, list: Presence[]): State {
  const presence = { ...s.presence };
  for (const p of list) presence[p.userId] = p;
  return { ...s, presence };
}

export function addPending(s: State, p: PendingMessage): State {
  return { ...s, pending: [...s.pending, p] };
}

export function settlePending(s: State, clientMsgId: string, failed: boolean): State {
  const pending = failed
    ? s.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, failed: true } : p))
    : s.pending.filter((p) => p.clientMsgId !== clientMsgId);
  return { ...s, pending };
}

/** A new message (from an event or from the ack of one's own send). */
export function receiveMessage(s: State, m: Message): State {
  const conv = s.conversations[m.conversationId];
  const h = s.history[m.conversationId];
  const seen = conv?.lastMessage?.id === m.id || h?.items.some((x) => x.id === m.id);
  let next: State = s;
  if (h) {
    next = {
      ...next,
      history: {
        ...next.history,
        [m.conversationId]: { ...h, items: mergeMessages(h.items, [m]) },
      },
    };
  }
  if (m.clientMsgId) next = settlePending(next, m.clientMsgId, false);
  if (conv && !seen) {
    const fromOther = m.senderId !== s.me?.id;
    const open = s.route.view === 'chat' && s.route.id === m.conversationId;
    next = {
      ...next,
      conversations: {
        ...next.conversations,
        [conv.id]: {
          ...conv,
          lastMessage: m,
          lastActivityAt: m.createdAt > conv.lastActivityAt ? m.createdAt : conv.lastActivityAt,
          // The open conversation is marked read as the message shows.
          unreadCount: fromOther && !open ? conv.unreadCount + 1 : conv.unreadCount,
        },
      },
    };
  }
  // The server moves a sender's read cursor to the message they send: it reads as their receipt.
  if (m.senderId !== s.me?.id) next = setReceipt(next, m.conversationId, m.senderId, m.id);
  return stopTyping(next, m.conversationId, m.senderId);
}

function setReceipt(s: State, conversationId: string, userId: string, messageId: string): State {
  const receipts = { ...s.receipts[conversationId], [userId]: messageId };
  return { ...s, receipts: { ...s.receipts, [conversationId]: receipts } };
}

/**
 * Where the read receipts show: under the newest of my messages that each
 * other participant has read up to, as message id → their user ids.
 */
export function receiptsByMessage(s: State, conversationId: string): Record<string, string[]> {
  const items = s.history[conversationId]?.items ?? [];
  const byMessage: Record<string, string[]> = {};
  for (const [userId, upTo] of Object.entries(s.receipts[conversationId] ?? {})) {
    if (userId === s.me?.id) continue;
    const read = items.slice(0, items.findIndex((m) => m.id === upTo) + 1);
    const mine = read.filter((m) => m.senderId === s.me?.id).pop();
    if (mine) byMessage[mine.id] = [...(byMessage[mine.id] ?? []), userId];
  }
  return byMessage;
}

function stopTyping(s: State, conversationId: string, userId: string): State {
  const inConv = s.typing[conversationId];
  if (!inConv || !(userId in inConv)) return s;
  const { [userId]: _gone, ...rest } = inConv;
  return { ...s, typing: { ...s.typing, [conversationId]: rest } };
}

/** Typing indicators whose time is up (the server sends `typing: false` too, unless it was lost). */
export function expireTyping(s: State, now: number): State {
  let next = s;
  for (const [conversationId, users] of Object.entries(s.typing)) {
    for (const [userId, until] of Object.entries(users)) {
      if (until <= now) next = stopTyping(next, conversationId, userId);
    }
  }
  return next;
}

// ---- folding channel events in ---------------------------------------------------------

/** Applies one channel event; `now` dates typing indicators. */
export function applyEvent(s: State, e: DemoEvent, now: number): State {
  switch (e.event) {
    case 'chat.message.created':
      return receiveMessage(s, e.data);
    case 'chat.message.updated':
    case 'chat.message.deleted': {
      const h = s.history[e.data.conversationId];
      if (!h) return s;
      const items = mergeMessages(h.items, [e.data]);
      return { ...s, history: { ...s.history, [e.data.conversationId]: { ...h, items } } };
    }
    case 'chat.read': {
      const { conversationId, userId, messageId } = e.data;
      const withReceipt = setReceipt(s, conversationId, userId, messageId);
      const conv = s.conversations[conversationId];
      if (userId !== s.me?.id || !conv) return withReceipt;
      // My own read, maybe from another device: caught up if it is the latest message.
      const caughtUp = conv.lastMessage?.id === messageId;
      const updated = {
        ...conv,
        lastReadMessageId: messageId,
        unreadCount: caughtUp ? 0 : conv.unreadCount,
      };
      return { ...withReceipt, conversations: { ...s.conversations, [conv.id]: updated } };
    }
    case 'chat.typing': {
      const { conversationId, userId, typing, expiresInMs } = e.data;
      if (!typing || userId === s.me?.id) return stopTyping(s, conversationId, userId);
      const until = now + (expiresInMs ?? 8000);
      return {
        ...s,
        typing: { ...s.typing, [conversationId]: { ...s.typing[conversationId], [userId]: until } },
      };
    }
    case 'chat.conversation.created': {
      const { channelOffset: _offset, ...conv } = e.data;
      const known: MyConversation | undefined = s.conversations[conv.id];
      const mine: MyConversation = known
        ? { ...known, ...conv }
        : { ...conv, lastMessage: null, unreadCount: 0, lastReadMessageId: null };
      return mergeConversations(s, [mine]);
    }
    case 'chat.participant.removed': {
      const { conversationId, userId } = e.data;
      const conv = s.conversations[conversationId];
      if (!conv) return s;
      if (userId === s.me?.id) {
        const { [conversationId]: _gone, ...conversations } = s.conversations;
        return { ...s, conversations };
      }
      const updated = {
        ...conv,
        ownerId: e.data.ownerId,
        participantIds: conv.participantIds.filter((id) => id !== userId),
        participants: conv.participants.filter((p) => p.userId !== userId),
      };
      return { ...s, conversations: { ...s.conversations, [conv.id]: updated } };
    }
    case 'chat.participant.added':
      // Carries ids only: the app reloads the list for the names.
      return s;
    case 'notification.created': {
      const n = e.data;
      if (s.notifications.items.some((x) => x.id === n.id)) return s;
      const unread = s.notifications.unreadCount + (n.readAt === null ? 1 : 0);
      return { ...s, notifications: { items: [n, ...s.notifications.items], unreadCount: unread } };
    }
    case 'notification.read':
      return notificationsChanged(s, e.data);
    case 'board.card.created':
    case 'board.card.updated':
    case 'board.card.moved':
      return upsertCard(s, e.data);
    case 'board.card.deleted': {
      const board = s.board;
      if (!board || board.id !== e.data.boardId) return s;
      const { [e.data.id]: _gone, ...cards } = board.cards;
      return { ...s, board: { ...board, cards } };
    }
    case 'board.column.created':
    case 'board.column.updated': {
      const board = s.board;
      const col = e.data;
      if (!board || board.id !== col.boardId) return s;
      const known = board.columns.find((c) => c.id === col.id);
      if (known && known.version > col.version) return s;
      const columns = [...board.columns.filter((c) => c.id !== col.id), col];
      return { ...s, board: { ...board, columns } };
    }
    case 'board.column.deleted': {
      const board = s.board;
      const id = e.data.id;
      if (!board || board.id !== e.data.boardId) return s;
      const cards = Object.fromEntries(
        Object.entries(board.cards).filter(([, c]) => c.columnId !== id),
      );
      return {
        ...s,
        board: { ...board, columns: board.columns.filter((c) => c.id !== id), cards },
      };
    }
    case 'board.member.added':
    case 'board.member.updated': {
      const board = s.board;
      const m = e.data;
      if (!board || board.id !== m.boardId) return s;
      const { boardVersion: _v, ...member } = m;
      const members = [...board.members.filter((x) => x.userId !== m.userId), member];
      return {
        ...s,
        names: { ...s.names, [m.userId]: m.displayName },
        board: { ...board, members },
      };
    }
    case 'board.member.removed': {
      const board = s.board;
      if (!board || board.id !== e.data.boardId) return s;
      if (e.data.userId === s.me?.id) {
        return { ...s, board: null, notice: `You were removed from the board ${board.name}` };
      }
      const members = board.members.filter((x) => x.userId !== e.data.userId);
      return { ...s, board: { ...board, members } };
    }
    case 'calendar.event.created':
    case 'calendar.event.updated':
      return upsertCalendarEvent(s, e.data);
    case 'calendar.event.deleted': {
      const { [e.data.id]: _gone, ...calendarEvents } = s.calendarEvents;
      return { ...s, calendarEvents };
    }
    case 'presence.changed':
      return setPresence(s, [e.data]);
    case 'announcement.created':
      if (s.announcements.some((a) => a.id === e.data.id)) return s;
      return { ...s, announcements: [e.data, ...s.announcements] };
  }
}
