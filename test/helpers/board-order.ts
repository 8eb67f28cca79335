import type { Frame } from './ws-client.js';

interface Placed {
  columnId: string;
  position: string;
}

export interface BoardBody {
  columns: { id: string; cards: { id: string }[] }[];
}

/**
 * The card order of every column, rebuilt from a subscriber's `board:{id}`
 * events alone (created / updated / moved / deleted, and column deletions).
 * Cards sort by their position key, compared bytewise as the server does.
 */
export function orderFromEvents(events: Frame[]): Record<string, string[]> {
  const cards = new Map<string, Placed>();
  const columns = new Set<string>();
  for (const e of events) {
    const data = e.data as Record<string, unknown>;
    switch (e.event) {
      case 'board.column.created':
        columns.add(data.id as string);
        break;
      case 'board.column.deleted':
        columns.delete(data.id as string);
        for (const [id, c] of cards) if (c.columnId === data.id) cards.delete(id);
        break;
      case 'board.card.created':
      case 'board.card.updated':
      case 'board.card.moved':
        cards.set(data.id as string, {
          columnId: data.columnId as string,
          position: data.position as string,
        });
        break;
      case 'board.card.deleted':
        cards.delete(data.id as string);
        break;
    }
  }
  const order: Record<string, string[]> = {};
  for (const id of columns) order[id] = [];
  const sorted = [...cards.entries()].sort(([, a], [, b]) =>
    a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
  for (const [id, c] of sorted) (order[c.columnId] ??= []).push(id);
  return order;
}

/** The same shape from `GET /api/boards/:id`. */
export function orderFromBoard(board: BoardBody): Record<string, string[]> {
  const order: Record<string, string[]> = {};
  for (const col of board.columns) order[col.id] = col.cards.map((c) => c.id);
  return order;
}
