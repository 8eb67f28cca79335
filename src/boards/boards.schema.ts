import type { ModuleSchema } from '../database/module-schema.js';
import { BoardCardEntity } from './entities/board-card.entity.js';
import { BoardColumnEntity } from './entities/board-column.entity.js';
import { BoardMemberEntity } from './entities/board-member.entity.js';
import { BoardEntity } from './entities/board.entity.js';
import { Boards1763800000000 } from './migrations/1763800000000-boards.js';

/**
 * The tables of boards: boards, members, columns and cards.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const BOARDS_SCHEMA: ModuleSchema = {
  entities: [BoardCardEntity, BoardColumnEntity, BoardMemberEntity, BoardEntity],
  migrations: [Boards1763800000000],
};
