import type { CardView, ColumnView } from './dto/board-views.dto.js';
import type { BoardCardEntity } from './entities/board-card.entity.js';
import type { BoardColumnEntity } from './entities/board-column.entity.js';

export function toCardView(c: BoardCardEntity): CardView {
  return {
    id: c.id,
    boardId: c.boardId,
    columnId: c.columnId,
    title: c.title,
    description: c.description,
    assigneeId: c.assigneeId,
    dueAt: c.dueAt ? c.dueAt.toISOString() : null,
    labels: c.labels,
    position: c.position,
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function toColumnView(c: BoardColumnEntity): ColumnView {
  return {
    id: c.id,
    boardId: c.boardId,
    title: c.title,
    position: c.position,
    version: c.version,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
