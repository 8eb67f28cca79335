import { EntityManager } from 'typeorm';
import { BoardsException } from '../boards.exception.js';
import { BoardCardEntity } from '../entities/board-card.entity.js';
import { BoardColumnEntity } from '../entities/board-column.entity.js';
import { keyBetween } from '../position-key.js';

/** Where a new or moved row goes: left out (the end), null (the start), or after a sibling. */
export type Placement = string | null | undefined;

/** An ordered list: the columns of a board, or the cards of a column. */
export interface OrderedList {
  target: typeof BoardColumnEntity | typeof BoardCardEntity;
  scopeColumn: 'board_id' | 'column_id';
  scopeId: string;
  /** The request field that names the sibling, for INVALID_REFERENCE. */
  field: string;
}

/**
 * A position key for `placement` in the list, leaving out `movingId` (the row
 * being moved). The caller holds the list's placement lock, so no other writer
 * computes a key among the same neighbours meanwhile.
 */
export async function positionKey(
  em: EntityManager,
  { target, scopeColumn, scopeId, field }: OrderedList,
  after: Placement,
  movingId: string | undefined,
): Promise<string> {
  const neighbour = async (
    direction: 'first' | 'last' | 'after',
    position?: string,
  ): Promise<string | null> => {
    const qb = em
      .createQueryBuilder(target, 'x')
      .select('x.position', 'position')
      .where(`x.${scopeColumn} = :scopeId`, { scopeId });
    if (movingId) qb.andWhere('x.id <> :movingId', { movingId });
    if (direction === 'after') qb.andWhere('x.position > :position', { position });
    qb.orderBy('x.position', direction === 'last' ? 'DESC' : 'ASC').limit(1);
    const row = await qb.getRawOne<{ position: string }>();
    return row?.position ?? null;
  };
  if (after === undefined) return keyBetween(await neighbour('last'), null);
  if (after === null) return keyBetween(null, await neighbour('first'));
  if (after === movingId)
    throw BoardsException.invalidReference(field, `${field} cannot be the item being moved`);
  const anchor = await em
    .createQueryBuilder(target, 'x')
    .select('x.position', 'position')
    .where('x.id = :after', { after })
    .andWhere(`x.${scopeColumn} = :scopeId`, { scopeId })
    .getRawOne<{ position: string }>();
  if (!anchor) throw BoardsException.invalidReference(field, `${field} is not in the target list`);
  return keyBetween(anchor.position, await neighbour('after', anchor.position));
}
