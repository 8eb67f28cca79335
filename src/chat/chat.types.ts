import type { ContentType } from './entities/message.entity.js';

/** A message as events, acks and REST carry it (the data of `chat.message.*`). */
export interface MessageView {
  id: string;
  conversationId: string;
  senderId: string;
  /** As sent; empty once deleted (the tombstone keeps its place in history). */
  content: string;
  contentType: ContentType;
  clientMsgId?: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
}

export interface ParticipantView {
  userId: string;
  displayName: string;
  joinedAt: string;
}

export interface ConversationView {
  id: string;
  type: 'direct' | 'group';
  title: string | null;
  /** The group's owner (null for direct conversations). */
  ownerId: string | null;
  participantIds: string[];
  participants: ParticipantView[];
  createdAt: string;
  lastActivityAt: string;
}

/** A conversation in the caller's list: with its latest message and the caller's unread count. */
export interface MyConversationView extends ConversationView {
  lastMessage: MessageView | null;
  unreadCount: number;
  lastReadMessageId: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ReadState {
  conversationId: string;
  lastReadMessageId: string | null;
  unreadCount: number;
}

/** The data of `chat.read` (on `chat:{id}`, and on the reader's `user:{id}`). */
export interface ReadReceipt {
  conversationId: string;
  userId: string;
  messageId: string;
  readAt: string;
}

/** The data of the ephemeral `chat.typing` event. */
export interface TypingEvent {
  conversationId: string;
  userId: string;
  typing: boolean;
  /** Clients drop a `typing: true` not refreshed within this time (the server also sends `typing: false`). */
  expiresInMs?: number;
}

export interface SendResult {
  message: MessageView;
  /** False on an idempotent retry (same sender and clientMsgId): nothing new was written or published. */
  created: boolean;
}
