import type { EntityManager } from 'typeorm';

/**
 * Raw SQL returning rows. TypeORM answers UPDATE and DELETE with
 * `[rows, rowCount]` and other statements with the rows; this hides that.
 */
export async function rowsOf<T>(
  db: Pick<EntityManager, 'query'>,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
