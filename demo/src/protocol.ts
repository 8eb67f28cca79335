/**
 * The shapes the demo reads and writes: the socket protocol's come from the
 * generated client types; the REST-only ones (sign-in, lists, whole boards)
 * are declared here as the server's view classes give them.
 */

import type {
  AnnouncementView,
  CalendarEventDeletedView,
  CalendarEventView,
  CardMovedView,
  CardView,
  ColumnView,
  ConversationJoinedView,
  MemberChangedView,
  MemberRemovedView,
  MessageView,
  NotificationEventView,
  NotificationStateChangeView,
  ParticipantRemovedView,
  ParticipantView,
  ParticipantsAddedView,
  PresenceView,
  ReadReceiptView,
  ReadStateView,
  TypingView,
} from '../../client/src/generated/protocol.js';

/** The socket's shapes are the generated ones (from the server's AsyncAPI document). */
export type { CommandMap, EventMap } from '../../client/src/generated/protocol.js';
export type Message = MessageView;
export type Participant = ParticipantView;
export type ConversationJoined = ConversationJoinedView;
export type ReadState = ReadStateView;
export type ReadReceipt = ReadReceiptView;
export type Typing = TypingView;
export type ParticipantsAdded = ParticipantsAddedView;
export type ParticipantRemoved = ParticipantRemovedView;
export type NotificationStateChange = NotificationStateChangeView;
export type Card = CardView;
export type Column = ColumnView;
export type CardMoved = CardMovedView;
export type MemberChanged = MemberChangedView;
export type MemberRemoved = MemberRemovedView;
export type CalendarEvent = CalendarEventView;
export type CalendarEventDeleted = CalendarEventDeletedView;
export type Presence = PresenceView;
export type Announcement = AnnouncementView;

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

// ---- notifications --------------------------------------------------------------

/** A notification as events carry it; REST lists also say when it was acknowledged. */
export interface AppNotification extends NotificationEventView {
  ackedAt?: string | null;
}

export interface NotificationPage extends Page<AppNotification> {
  unreadCount: number;
}

// ---- boards -------------------------------------------------------------------------

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

export interface Deleted {
  id: string;
  version: number;
}

// ---- calendar -----------------------------------------------------------------------

export interface CalendarInfo {
  id: string;
  name: string;
  ownerId: string;
  access: 'owner' | 'read' | 'write';
}

// ---- presence and announcements ----------------------------------------------------

export type PresenceStatus = 'online' | 'away' | 'dnd' | 'offline';
export type ChosenStatus = Exclude<PresenceStatus, 'offline'>;
