import { defineEvents, type EventsOf } from '../realtime/events/event-catalogue.js';
import {
  CardDeletedView,
  CardMovedView,
  CardView,
  ColumnDeletedView,
  ColumnView,
  MemberChangedView,
  MemberRemovedView,
} from './dto/board-views.dto.js';

/** The channel of one board: its members subscribe to it. */
export const boardChannel = (boardId: string): `board:${string}` => `board:${boardId}`;

const ON_BOARD = ['board:{boardId}'] as const;

/** Every event of the boards module, all on the board's channel. */
export const BOARD_EVENTS = defineEvents({
  'board.member.added': {
    channels: ON_BOARD,
    payload: MemberChangedView,
    description: 'The owner added a member',
  },
  'board.member.updated': {
    channels: ON_BOARD,
    payload: MemberChangedView,
    description: "The owner changed a member's role",
  },
  'board.member.removed': {
    channels: ON_BOARD,
    payload: MemberRemovedView,
    description: 'A member left or was removed (their subscription then ends)',
  },
  'board.column.created': {
    channels: ON_BOARD,
    payload: ColumnView,
    description: 'A column was added',
  },
  'board.column.updated': {
    channels: ON_BOARD,
    payload: ColumnView,
    description: 'A column was renamed or moved (`version` raised)',
  },
  'board.column.deleted': {
    channels: ON_BOARD,
    payload: ColumnDeletedView,
    description: 'A column and its cards were deleted',
  },
  'board.card.created': { channels: ON_BOARD, payload: CardView, description: 'A card was added' },
  'board.card.updated': {
    channels: ON_BOARD,
    payload: CardView,
    description: 'A card was edited (`version` raised)',
  },
  'board.card.moved': {
    channels: ON_BOARD,
    payload: CardMovedView,
    description: 'A card moved within or across columns (one row written)',
  },
  'board.card.deleted': {
    channels: ON_BOARD,
    payload: CardDeletedView,
    description: 'A card was deleted',
  },
});

declare module '../realtime/events/event-catalogue.js' {
  interface RealtimeEvents extends EventsOf<typeof BOARD_EVENTS> {}
}
