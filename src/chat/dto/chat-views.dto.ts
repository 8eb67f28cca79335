import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTENT_TYPES, type ContentType } from '../entities/message.entity.js';

/**
 * What clients receive: REST bodies, acks and event data share these shapes
 * (the classes are the types and the OpenAPI/AsyncAPI schemas at once).
 */
export class MessageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ format: 'uuid' }) senderId: string;
  @ApiProperty({ description: 'As sent; empty once deleted (the tombstone keeps its place)' })
  content: string;
  @ApiProperty({ enum: CONTENT_TYPES }) contentType: ContentType;
  @ApiPropertyOptional({ description: "The sender's idempotency key, when one was given" })
  clientMsgId?: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deletedAt: string | null;
}

export class MessagePage {
  @ApiProperty({ type: [MessageView], description: 'Newest first' }) items: MessageView[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' })
  nextCursor: string | null;
}

export class ParticipantView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ format: 'date-time' }) joinedAt: string;
}

export class ConversationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['direct', 'group'] }) type: 'direct' | 'group';
  @ApiProperty({ type: String, nullable: true }) title: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The group's owner (null for direct conversations)",
  })
  ownerId: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) participantIds: string[];
  @ApiProperty({ type: [ParticipantView] }) participants: ParticipantView[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) lastActivityAt: string;
}

/** The data of `chat.conversation.created`: the conversation, and where its channel stood when the user joined. */
export class ConversationJoinedView extends ConversationView {
  @ApiProperty({
    description:
      "The conversation channel's offset when the user joined: subscribing with `since` set to it receives every later event",
  })
  channelOffset: number;
}

/** A conversation in the caller's list: with its latest message and the caller's unread count. */
export class MyConversationView extends ConversationView {
  @ApiProperty({ type: MessageView, nullable: true }) lastMessage: MessageView | null;
  @ApiProperty({ description: 'Messages of others after my read cursor; at most 1000' })
  unreadCount: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  lastReadMessageId: string | null;
}

export class ConversationPage {
  @ApiProperty({ type: [MyConversationView] }) items: MyConversationView[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' })
  nextCursor: string | null;
}

export class ReadStateView {
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  lastReadMessageId: string | null;
  @ApiProperty({ description: 'Messages of others after my read cursor; at most 1000' })
  unreadCount: number;
}

/** The data of `chat.read` (on `chat:{id}`, and on the reader's `user:{id}`). */
export class ReadReceiptView {
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid', description: 'The newest message read' }) messageId: string;
  @ApiProperty({ format: 'date-time' }) readAt: string;
}

/** The data of the ephemeral `chat.typing` event (and the ack of the command). */
export class TypingView {
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() typing: boolean;
  @ApiPropertyOptional({
    description:
      'Clients drop a `typing: true` not refreshed within this time (the server also sends `typing: false`)',
  })
  expiresInMs?: number;
}

/** The data of `chat.participant.added`. */
export class ParticipantsAddedView {
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Who joined' }) userIds: string[];
  @ApiProperty({ format: 'uuid', description: 'Who added them' }) by: string;
}

/** The data of `chat.participant.removed` (to the conversation and to the removed user). */
export class ParticipantRemovedView {
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ format: 'uuid', description: 'Who left or was removed' }) userId: string;
  @ApiProperty({ format: 'uuid', description: 'Who removed them (themselves when leaving)' })
  by: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The owner afterwards (it moves on when the owner leaves)',
  })
  ownerId: string | null;
}
