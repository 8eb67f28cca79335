import type { MessageView } from './dto/chat-views.dto.js';

export interface SendResult {
  message: MessageView;
  /** False on an idempotent retry (same sender and clientMsgId): nothing new was written or published. */
  created: boolean;
}
