import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

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
