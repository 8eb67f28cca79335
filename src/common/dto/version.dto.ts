import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest value of a PostgreSQL `integer`, the type of every `version` column. */
export const MAX_VERSION = 2_147_483_647;

/** The optimistic-concurrency field of a write: required in a body or a socket command. */
export class VersionField {
  @ApiProperty({ description: 'The version the client last saw; a stale one is CONFLICT' })
  @IsInt()
  @Min(0)
  @Max(MAX_VERSION)
  version: number;
}

/** `DELETE ...?version=`: optional on REST; when given, a stale one is CONFLICT. */
export class VersionQuery {
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_VERSION)
  version?: number;
}
