/**
 * The shapes the demo reads and writes, as the server's DTO classes declare
 * them (src/<module>/dto/*-views.dto.ts). Only the events and commands the
 * demo uses are listed: the client types everything else loosely.
 */

export type Role = 'user' | 'admin';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

export interface AuthResult {
  user: User;
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** One page of a list: `nextCursor` is null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// ---- chat ---------------------------------------------------------------------

export interface Message {
  id: string;
  conversationId: string;
  senderId: string;
  content: string;
  contentType: 'text' | 'markdown';
  clientMsgId?: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface Participant {
  userId: string;
  displayName: string;
  joinedAt: string;
}

export interface Conversation {
  id: string;
  type: 'direct' | 'group';
  title: string | null;
  ownerId: string | null;
  participantIds: string[];
  participants: Participant[];
  createdAt: string;
  lastActivityAt: string;
}

/** A conversation of `GET /api/conversations`: with my unread count. */
export interface MyConversation extends Conversation {
  lastMessage: Message | null;
  unreadCount: number;
  lastReadMessageId: string | null;
}

export interface ConversationJoined extends Conversation {
  /** The channel's offset when I joined: subscribing from it misses nothing. */
  channelOffset: number;
}

export interface ReadState {
  conversationId: string;
  lastReadMessageId: string | null;
  unreadCount: number;
}

export interface ReadReceipt {
  conversationId: string;
  userId: string;
  messageId: string;
  readAt: string;
}

export interface Typing {
  conversationId: string;
  userId: string;
  typing: boolean;
  expiresInMs?: number;
}

export interface ParticipantsAdded {
  conversationId: string;
  userIds: string[];
  by: string;
}

export interface ParticipantRemoved {
  conversationId: string;
  userId: string;
  by: string;
  ownerId: string | null;
}

// ---- notifications --------------------------------------------------------------

export interface AppNotification {
  id: string;
  type: string;
  title: string;
  body: string;
  link?: string;
  readAt: string | null;
  createdAt: string;
  /** REST lists say when it was acknowledged; events leave it out. */
  ackedAt?: string | null;
}

export interface NotificationPage extends Page<AppNotification> {
  unreadCount: number;
}

export interface NotificationStateChange {
  ids: string[];
  readAt?: string;
  ackedAt?: string;
  unreadCount: number;
}

// ---- boards -------------------------------------------------------------------------

export interface Card {
  id: string;
  boardId: string;
  columnId: string;
  title: string;
  description: string | null;
  assigneeId: string | null;
  dueAt: string | null;
  labels: string[];
  /** Fractional index: the cards of a column sort by it, bytewise. */
  position: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Column {
  id: string;
  boardId: string;
  title: string;
  position: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Member {
  boardId: string;
  userId: string;
  displayName: string;
  role: 'owner' | 'editor' | 'viewer';
}

export interface Board {
  id: string;
  name: string;
  version: number;
  members: Member[];
  columns: (Column & { cards: Card[] })[];
  createdAt: string;
  updatedAt: string;
}

export interface BoardSummary {
  id: string;
  name: string;
  version: number;
  role: Member['role'];
}

export interface CardMoved extends Card {
  fromColumnId: string;
}

export interface Deleted {
  id: string;
  version: number;
}

export interface MemberChanged extends Member {
  boardVersion: number;
}

export interface MemberRemoved {
  boardId: string;
  userId: string;
  boardVersion: number;
}

// ---- calendar -----------------------------------------------------------------------

export interface CalendarInfo {
  id: string;
  name: string;
  ownerId: string;
  access: 'owner' | 'read' | 'write';
}

export interface CalendarEvent {
  id: string;
  calendarId: string;
  title: string;
  description: string | null;
  startsAt: string;
  /** Exclusive. */
  endsAt: string;
  allDay: boolean;
  attendeeIds: string[];
  version: number;
}

export interface CalendarEventDeleted extends Deleted {
  calendarId: string;
}

// ---- presence and announcements ----------------------------------------------------

export type PresenceStatus = 'online' | 'away' | 'dnd' | 'offline';
export type ChosenStatus = Exclude<PresenceStatus, 'offline'>;

export interface Presence {
  userId: string;
  status: PresenceStatus;
  lastSeenAt: string | null;
}

export interface Announcement {
  id: string;
  title: string;
  body: string;
  authorId: string | null;
  expiresAt: string | null;
  createdAt: string;
}

// ---- the socket's maps ------------------------------------------------------------------

/** Event name → data, for `connect<EventMap, CommandMap>`. */
export type EventMap = {
  'chat.message.created': Message;
  'chat.message.updated': Message;
  'chat.message.deleted': Message;
  'chat.read': ReadReceipt;
  'chat.typing': Typing;
  'chat.participant.added': ParticipantsAdded;
  'chat.participant.removed': ParticipantRemoved;
  'chat.conversation.created': ConversationJoined;
  'notification.created': AppNotification;
  'notification.read': NotificationStateChange;
  'board.card.created': Card;
  'board.card.updated': Card;
  'board.card.moved': CardMoved;
  'board.card.deleted': Deleted & { boardId: string; columnId: string };
  'board.column.created': Column;
  'board.column.updated': Column;
  'board.column.deleted': Deleted & { boardId: string };
  'board.member.added': MemberChanged;
  'board.member.updated': MemberChanged;
  'board.member.removed': MemberRemoved;
  'calendar.event.created': CalendarEvent;
  'calendar.event.updated': CalendarEvent;
  'calendar.event.deleted': CalendarEventDeleted;
  'presence.changed': Presence;
  'announcement.created': Announcement;
};

/** Command name → `{ data; result }` (the result is the ack's data). */
export type CommandMap = {
  'chat.send': {
    data: { conversationId: string; content: string; clientMsgId?: string };
    result: Message;
  };
  'chat.read': { data: { conversationId: string; messageId: string }; result: ReadState };
  'chat.typing': { data: { conversationId: string; typing: boolean }; result: Typing };
  'notification.read': { data: { ids: string[] }; result: NotificationStateChange };
  'notification.ack': { data: { ids: string[] }; result: NotificationStateChange };
  'board.column.create': { data: { boardId: string; title: string }; result: Column };
  'board.card.create': {
    data: { boardId: string; columnId: string; title: string };
    result: Card;
  };
  'board.card.move': {
    data: { cardId: string; version: number; toColumnId: string; afterCardId: string | null };
    result: CardMoved;
  };
  'calendar.event.create': {
    data: { calendarId: string; title: string; startsAt: string; endsAt: string };
    result: CalendarEvent;
  };
  'calendar.event.delete': {
    data: { eventId: string; version: number };
    result: CalendarEventDeleted;
  };
  'presence.set': { data: { status: ChosenStatus }; result: Presence };
};
