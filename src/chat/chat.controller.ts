import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { ChannelAccess } from '../realtime/channels/channel-access.guard.js';
import { MaxDataBytes } from '../realtime/limits/limit.decorators.js';
import {
  ConversationPage,
  ConversationView,
  MessagePage,
  MessageView,
  ReadStateView,
} from './dto/chat-views.dto.js';
import { ConversationsService } from './conversations.service.js';
import {
  AddParticipantsBody,
  CreateConversationBody,
  EditMessageBody,
  HistoryQuery,
  ListConversationsQuery,
  ReadBody,
  SendMessageBody,
} from './dto/chat.dto.js';
import { MessagesService } from './messages.service.js';

/** Room for 500 quoted UUIDs (about 20 KB) over the default 16 KiB command limit. */
const PARTICIPANT_LIST_BYTES = 32 * 1024;

/** REST side of chat (its routes: the OpenAPI document at /docs): the same services as the socket commands. */
@ApiTags('chat')
@ApiBearerAuth()
@Controller('api')
export class ChatController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {}

  @Post('conversations')
  @MaxDataBytes(PARTICIPANT_LIST_BYTES)
  @ApiCreatedResponse({ type: ConversationView, description: 'Created' })
  @ApiOkResponse({ type: ConversationView, description: 'The existing direct conversation' })
  createConversation(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateConversationBody,
  ): Promise<CreatedOrExisting<ConversationView>> {
    return this.conversations.create(user, dto);
  }

  @Get('conversations')
  @ApiOkResponse({ type: ConversationPage })
  listConversations(
    @CurrentUser() user: AuthUser,
    @Query() q: ListConversationsQuery,
  ): Promise<ConversationPage> {
    return this.conversations.listMine(user, q);
  }

  @Post('conversations/:id/participants')
  @MaxDataBytes(PARTICIPANT_LIST_BYTES)
  @ChannelAccess({ prefix: 'chat', param: 'id' })
  @ApiOperation({ summary: 'Add participants (group owner); 200 when all were participants' })
  @ApiCreatedResponse({ type: ConversationView })
  addParticipants(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: AddParticipantsBody,
  ): Promise<CreatedOrExisting<ConversationView>> {
    return this.conversations.addParticipants(user, id, dto);
  }

  @Delete('conversations/:id/participants/:userId')
  @ChannelAccess({ prefix: 'chat', param: 'id' })
  @HttpCode(204)
  @ApiNoContentResponse()
  removeParticipant(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('userId') userId: string,
  ): Promise<void> {
    return this.conversations.removeParticipant(user, id, userId);
  }

  @Get('conversations/:id/messages')
  @ChannelAccess({ prefix: 'chat', param: 'id' })
  @ApiOkResponse({ type: MessagePage })
  history(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() q: HistoryQuery,
  ): Promise<MessagePage> {
    return this.messages.history(user, id, q);
  }

  /** Membership is checked by the service, under the conversation's lock (FORBIDDEN). */
  @Post('conversations/:id/messages')
  @ApiCreatedResponse({ type: MessageView, description: 'Sent' })
  @ApiOkResponse({ type: MessageView, description: 'An idempotent retry: the first message' })
  send(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: SendMessageBody,
  ): Promise<CreatedOrExisting<MessageView>> {
    return this.messages.send(user, { ...dto, conversationId: id });
  }

  @Post('conversations/:id/read')
  @ChannelAccess({ prefix: 'chat', param: 'id' })
  @HttpCode(200)
  @ApiOkResponse({ type: ReadStateView })
  read(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: ReadBody,
  ): Promise<ReadStateView> {
    return this.messages.read(user, { conversationId: id, messageId: dto.messageId });
  }

  @Patch('messages/:id')
  @ApiOkResponse({ type: MessageView })
  edit(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: EditMessageBody,
  ): Promise<MessageView> {
    return this.messages.edit(user, id, dto);
  }

  @Delete('messages/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.messages.delete(user, id);
  }
}
