import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { ChannelAccess } from '../realtime/channels/channel-access.guard.js';
import { Acks } from '../realtime/command-ack.decorator.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { BoardCardsService } from './board-cards.service.js';
import { BoardColumnsService } from './board-columns.service.js';
import { CardDeletedView, CardView, ColumnDeletedView, ColumnView } from './dto/board-views.dto.js';
import {
  CreateCardCommand,
  CreateColumnCommand,
  DeleteCardCommand,
  DeleteColumnCommand,
  MoveCardCommand,
  UpdateCardCommand,
  UpdateColumnCommand,
} from './dto/board.dto.js';

/** Socket commands of the boards module (docs/protocol.md, "Commands and events"); the ack carries the entity. */
@RealtimeGateway()
export class BoardsGateway {
  constructor(
    private readonly columns: BoardColumnsService,
    private readonly cards: BoardCardsService,
  ) {}

  @SubscribeMessage('board.column.create')
  @Acks(ColumnView, 'Adds a column (editor or owner)')
  @ChannelAccess({ prefix: 'board', field: 'boardId' })
  createColumn(
    @CurrentUser() user: AuthUser,
    @MessageBody() { boardId, ...dto }: CreateColumnCommand,
  ): Promise<ColumnView> {
    return this.columns.createColumn(user, boardId, dto);
  }

  @SubscribeMessage('board.column.update')
  @Acks(ColumnView, 'Renames or moves a column at its current `version`')
  updateColumn(
    @CurrentUser() user: AuthUser,
    @MessageBody() { columnId, ...dto }: UpdateColumnCommand,
  ): Promise<ColumnView> {
    return this.columns.updateColumn(user, columnId, dto);
  }

  @SubscribeMessage('board.column.delete')
  @Acks(ColumnDeletedView, 'Deletes a column and its cards at its current `version`')
  deleteColumn(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: DeleteColumnCommand,
  ): Promise<ColumnDeletedView> {
    return this.columns.deleteColumn(user, dto.columnId, dto.version);
  }

  @SubscribeMessage('board.card.create')
  @Acks(CardView, 'Adds a card to a column (editor or owner)')
  @ChannelAccess({ prefix: 'board', field: 'boardId' })
  createCard(
    @CurrentUser() user: AuthUser,
    @MessageBody() { boardId, ...dto }: CreateCardCommand,
  ): Promise<CardView> {
    return this.cards.createCard(user, boardId, dto);
  }

  @SubscribeMessage('board.card.update')
  @Acks(CardView, 'Edits a card at its current `version`')
  updateCard(
    @CurrentUser() user: AuthUser,
    @MessageBody() { cardId, ...dto }: UpdateCardCommand,
  ): Promise<CardView> {
    return this.cards.updateCard(user, cardId, dto);
  }

  @SubscribeMessage('board.card.move')
  @Acks(
    CardView,
    'Moves a card within or across columns, after `afterCardId` (null: top of the column)',
  )
  moveCard(
    @CurrentUser() user: AuthUser,
    @MessageBody() { cardId, ...dto }: MoveCardCommand,
  ): Promise<CardView> {
    return this.cards.moveCard(user, cardId, dto);
  }

  @SubscribeMessage('board.card.delete')
  @Acks(CardDeletedView, 'Deletes a card at its current `version`')
  deleteCard(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: DeleteCardCommand,
  ): Promise<CardDeletedView> {
    return this.cards.deleteCard(user, dto.cardId, dto.version);
  }
}
