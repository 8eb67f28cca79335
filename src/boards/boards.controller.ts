import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
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
import { VersionQuery } from '../common/dto/version.dto.js';
import { ChannelAccess } from '../realtime/channels/channel-access.guard.js';
import { BoardCardsService } from './board-cards.service.js';
import { BoardColumnsService } from './board-columns.service.js';
import { BoardsService } from './boards.service.js';
import { BoardPage, BoardView, CardView, ColumnView, MemberView } from './dto/board-views.dto.js';
import {
  AddMemberBody,
  CreateBoardBody,
  CreateCardBody,
  CreateColumnBody,
  ListBoardsQuery,
  MoveCardBody,
  UpdateCardBody,
  UpdateColumnBody,
} from './dto/board.dto.js';

const uuid = new ParseUUIDPipe();

/** REST side of the boards module (its routes: the OpenAPI document at /docs); same service as the gateway. */
@ApiTags('boards')
@ApiBearerAuth()
@Controller('api')
export class BoardsController {
  constructor(
    private readonly boards: BoardsService,
    private readonly columns: BoardColumnsService,
    private readonly cards: BoardCardsService,
  ) {}

  @Post('boards')
  @ApiOperation({ summary: 'Create a board; the caller becomes its owner' })
  @ApiCreatedResponse({ type: BoardView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateBoardBody): Promise<BoardView> {
    return this.boards.createBoard(user, dto);
  }

  @Get('boards')
  @ApiOperation({ summary: "The caller's boards" })
  @ApiOkResponse({ type: BoardPage })
  list(@CurrentUser() user: AuthUser, @Query() q: ListBoardsQuery): Promise<BoardPage> {
    return this.boards.listBoards(user, q);
  }

  @Get('boards/:id')
  @ChannelAccess({ prefix: 'board', param: 'id' })
  @ApiOperation({ summary: 'The whole board: members, columns and their cards, in order' })
  @ApiOkResponse({ type: BoardView })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<BoardView> {
    return this.boards.getBoard(user, id);
  }

  @Post('boards/:id/members')
  @ChannelAccess({ prefix: 'board', param: 'id' })
  @ApiOperation({ summary: 'Add a member (owner); 200 when only the role changed' })
  @ApiCreatedResponse({ type: MemberView })
  addMember(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: AddMemberBody,
  ): Promise<CreatedOrExisting<MemberView>> {
    return this.boards.addMember(user, id, dto);
  }

  @Delete('boards/:id/members/:userId')
  @HttpCode(204)
  @ChannelAccess({ prefix: 'board', param: 'id' })
  @ApiOperation({ summary: 'Remove a member (owner), or leave the board (yourself)' })
  @ApiNoContentResponse()
  async removeMember(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('userId', uuid) userId: string,
  ): Promise<void> {
    await this.boards.removeMember(user, id, userId);
  }

  @Post('boards/:id/columns')
  @ChannelAccess({ prefix: 'board', param: 'id' })
  @ApiOperation({ summary: 'Add a column (editor or owner)' })
  @ApiCreatedResponse({ type: ColumnView })
  createColumn(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreateColumnBody,
  ): Promise<ColumnView> {
    return this.columns.createColumn(user, id, dto);
  }

  @Patch('columns/:id')
  @ApiOperation({ summary: 'Rename or move a column; a stale version is 409 CONFLICT' })
  @ApiOkResponse({ type: ColumnView })
  updateColumn(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateColumnBody,
  ): Promise<ColumnView> {
    return this.columns.updateColumn(user, id, dto);
  }

  @Delete('columns/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a column and its cards (?version= checked when given)' })
  @ApiNoContentResponse()
  async deleteColumn(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Query() q: VersionQuery,
  ): Promise<void> {
    await this.columns.deleteColumn(user, id, q.version);
  }

  @Post('boards/:id/cards')
  @ChannelAccess({ prefix: 'board', param: 'id' })
  @ApiOperation({ summary: 'Add a card (editor or owner); the assignee is notified' })
  @ApiCreatedResponse({ type: CardView })
  createCard(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreateCardBody,
  ): Promise<CardView> {
    return this.cards.createCard(user, id, dto);
  }

  @Patch('cards/:id')
  @ApiOperation({ summary: 'Edit a card; a stale version is 409 CONFLICT with details.current' })
  @ApiOkResponse({ type: CardView })
  updateCard(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateCardBody,
  ): Promise<CardView> {
    return this.cards.updateCard(user, id, dto);
  }

  @Post('cards/:id/move')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a card; a stale version is 409 CONFLICT with details.current' })
  @ApiOkResponse({ type: CardView })
  moveCard(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Body() dto: MoveCardBody,
  ): Promise<CardView> {
    return this.cards.moveCard(user, id, dto);
  }

  @Delete('cards/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a card (?version= checked when given)' })
  @ApiNoContentResponse()
  async deleteCard(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Query() q: VersionQuery,
  ): Promise<void> {
    await this.cards.deleteCard(user, id, q.version);
  }
}
