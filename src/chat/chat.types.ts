import type { MessageView } from './dto/chat-views.dto.js';

export type {
  ConversationView,
  MessageView,
  MyConversationView,
  ParticipantView,
  ReadReceiptView,
  ReadStateView,
  TypingView,
} from './dto/chat-views.dto.js';

/** A page of a list: `nextCursor` is null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SendResult {
  message: MessageView;
  /** False on an idempotent retry (same sender and clientMsgId): nothing new was written or published. */
  created: boolean;
}
