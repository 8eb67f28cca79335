import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { ChannelAccess } from '../realtime/channels/channel-access.guard.js';
import { Acks } from '../realtime/command-ack.decorator.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { MessageView, ReadStateView, TypingView } from './dto/chat-views.dto.js';
import {
  DeleteMessageCommand,
  EditMessageCommand,
  ReadCommand,
  SendMessageCommand,
  TypingCommand,
} from './dto/chat.dto.js';
import { MessagesService } from './messages.service.js';
import { TypingService } from './typing.service.js';

/** Socket commands of chat (docs/protocol.md, "Commands and events"); each ack carries the resulting entity. */
@RealtimeGateway()
export class ChatGateway {
  constructor(
    private readonly messages: MessagesService,
    private readonly typingService: TypingService,
  ) {}

  /**
   * Acks with the message (the first one on an idempotent retry). Membership is
   * checked by the service, under the conversation's lock, in the statement
   * that inserts (FORBIDDEN otherwise): no separate check per send.
   */
  @SubscribeMessage('chat.send')
  @Acks(
    MessageView,
    'Sends a message to a conversation of yours; a retry with the same `clientMsgId` acks the first message and publishes nothing',
  )
  send(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: SendMessageCommand,
  ): Promise<CreatedOrExisting<MessageView>> {
    return this.messages.send(user, dto);
  }

  @SubscribeMessage('chat.edit')
  @Acks(MessageView, 'Edits one of your messages (sender only)')
  edit(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: EditMessageCommand,
  ): Promise<MessageView> {
    return this.messages.edit(user, dto.messageId, dto);
  }

  /** Acks with the tombstone. */
  @SubscribeMessage('chat.delete')
  @Acks(MessageView, 'Deletes a message (sender or admin); acks with the tombstone')
  delete(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: DeleteMessageCommand,
  ): Promise<MessageView> {
    return this.messages.delete(user, dto.messageId);
  }

  @SubscribeMessage('chat.read')
  @Acks(ReadStateView, 'Moves your read cursor to a message; acks with your unread count')
  @ChannelAccess({ prefix: 'chat', field: 'conversationId' })
  read(@CurrentUser() user: AuthUser, @MessageBody() dto: ReadCommand): Promise<ReadStateView> {
    return this.messages.read(user, dto);
  }

  @SubscribeMessage('chat.typing')
  @Acks(TypingView, 'Starts or stops your typing indicator (ephemeral; not sent back to you)')
  @ChannelAccess({ prefix: 'chat', field: 'conversationId' })
  typing(@CurrentUser() user: AuthUser, @MessageBody() dto: TypingCommand): Promise<TypingView> {
    return this.typingService.typing(user, dto);
  }
}
