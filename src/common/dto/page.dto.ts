import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** The page size of a list query that leaves `limit` out. */
export const DEFAULT_PAGE_LIMIT = 50;

/** `?limit=` of every list that pages; each list adds its own cursor field. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export function pageLimit(q: PageQuery): number {
  return q.limit ?? DEFAULT_PAGE_LIMIT;
}

/** `?cursor=`: the `nextCursor` of the previous page (lists ordered by a timestamp and id). */
export class CursorField {
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}
