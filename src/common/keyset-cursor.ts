import { AppException } from './app.exception.js';
import { isUuid } from './uuid.js';

/** Where a page of a list ordered by (a timestamp, id) stopped. */
export interface KeysetPosition {
  /** The timestamp in microseconds since the epoch, exact (as text: beyond 2^53). */
  us: string;
  id: string;
}

/** The opaque `nextCursor` of a list ordered by (timestamp, id). */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.us}_${position.id}`).toString('base64url');
}

/** Reads back a `nextCursor`; BAD_REQUEST (field `cursor`) for one this API did not return. */
export function decodeKeysetCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const m = /^(-?\d{1,20})_([0-9a-fA-F-]{36})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  if (!m || !isUuid(m[2]))
    throw AppException.badRequest('Invalid cursor', [
      { field: 'cursor', errors: ['cursor must be a nextCursor this API returned'] },
    ]);
  return { us: m[1], id: m[2].toLowerCase() };
}

/** SQL: a timestamptz column in microseconds since the epoch, as text (for the cursor). */
export function microsecondsOf(column: string): string {
  return `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
}

/** SQL: a cursor's microseconds (a bound parameter) as a timestamptz. */
export function timestampOf(param: string): string {
  return `(timestamptz 'epoch' + CAST(${param} AS bigint) * interval '1 microsecond')`;
}
