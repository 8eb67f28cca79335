import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The query of every Server-Sent Events route (`GET /api/stream`, `GET /api/notifications/stream`). */
export class EventStreamQuery {
  @ApiPropertyOptional({
    description: 'Access token, for EventSource clients that cannot set headers',
  })
  @IsOptional()
  @IsString()
  token?: string;

  @ApiPropertyOptional({ description: 'Same as the Last-Event-ID header' })
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  lastEventId?: string;
}
