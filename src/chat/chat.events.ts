import { defineEvents, type EventsOf } from '../realtime/events/event-catalogue.js';
import {
  ConversationJoinedView,
  MessageView,
  ParticipantRemovedView,
  ParticipantsAddedView,
  ReadReceiptView,
  TypingView,
} from './dto/chat-views.dto.js';

/** The channel of one conversation: its participants subscribe to it. */
export const chatChannel = (conversationId: string): `chat:${string}` => `chat:${conversationId}`;

/** Every event of the chat module, the channels it goes to and its data. */
export const CHAT_EVENTS = defineEvents({
  'chat.message.created': {
    channels: ['chat:{conversationId}'],
    payload: MessageView,
    description: 'A message was sent (over the socket or REST)',
  },
  'chat.message.updated': {
    channels: ['chat:{conversationId}'],
    payload: MessageView,
    description: 'The sender edited a message (`editedAt` set)',
  },
  'chat.message.deleted': {
    channels: ['chat:{conversationId}'],
    payload: MessageView,
    description: 'A message was deleted: the tombstone (`deletedAt` set, empty content)',
  },
  'chat.read': {
    channels: ['chat:{conversationId}', 'user:{userId}'],
    payload: ReadReceiptView,
    description:
      "A participant's read cursor moved: a read receipt to the conversation, and to the reader's other devices",
  },
  'chat.typing': {
    channels: ['chat:{conversationId}'],
    payload: TypingView,
    ephemeral: true,
    description: 'A participant started or stopped typing (never sent to the typist)',
  },
  'chat.participant.added': {
    channels: ['chat:{conversationId}'],
    payload: ParticipantsAddedView,
    description: 'The group owner added participants',
  },
  'chat.participant.removed': {
    channels: ['chat:{conversationId}', 'user:{userId}'],
    payload: ParticipantRemovedView,
    description:
      'A participant left or was removed (also to that user, whose subscription then ends)',
  },
  'chat.conversation.created': {
    channels: ['user:{userId}'],
    payload: ConversationJoinedView,
    description:
      'The user takes part in a new conversation (created, or added to a group), with the offset its channel had then',
  },
});

declare module '../realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof CHAT_EVENTS> {}
}
