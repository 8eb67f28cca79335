import { ApiProperty } from '@nestjs/swagger';
import { BOARD_ROLES, type BoardRole } from '../entities/board-member.entity.js';

/** What clients receive: REST bodies, acks and event data share these shapes. */
export class CardView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) boardId: string;
  @ApiProperty({ format: 'uuid' }) columnId: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assigneeId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt: string | null;
  @ApiProperty({ type: [String] }) labels: string[];
  @ApiProperty({ description: 'Fractional index key: cards of a column sort by it (bytewise)' })
  position: string;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ColumnView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) boardId: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'Fractional index key: columns sort by it (bytewise)' })
  position: string;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ColumnWithCardsView extends ColumnView {
  @ApiProperty({ type: [CardView], description: 'In board order' }) cards: CardView[];
}

export class MemberView {
  @ApiProperty({ format: 'uuid' }) boardId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: BOARD_ROLES }) role: BoardRole;
}

export class BoardView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Raised by changes of the board itself and of its members' })
  version: number;
  @ApiProperty({ type: [MemberView] }) members: MemberView[];
  @ApiProperty({ type: [ColumnWithCardsView], description: 'In board order' })
  columns: ColumnWithCardsView[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class BoardSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() version: number;
  @ApiProperty({ enum: BOARD_ROLES, description: "The caller's role" }) role: BoardRole;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class BoardPage {
  @ApiProperty({ type: [BoardSummaryView], description: 'Most recently updated first' })
  items: BoardSummaryView[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' })
  nextCursor: string | null;
}

export class CardDeletedView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) boardId: string;
  @ApiProperty({ format: 'uuid' }) columnId: string;
  @ApiProperty({ description: 'The version the card had when it was deleted' }) version: number;
}

export class ColumnDeletedView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) boardId: string;
  @ApiProperty({ description: 'The version the column had when it was deleted' }) version: number;
}

/** The data of `board.member.added` and `board.member.updated`. */
export class MemberChangedView extends MemberView {
  @ApiProperty({ description: "The board's version after the change" }) boardVersion: number;
}

/** The data of `board.member.removed`. */
export class MemberRemovedView {
  @ApiProperty({ format: 'uuid' }) boardId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ description: "The board's version after the change" }) boardVersion: number;
}

/** The data of `board.card.moved`: the card where it is now, and the column it left. */
export class CardMovedView extends CardView {
  @ApiProperty({ format: 'uuid' }) fromColumnId: string;
}
