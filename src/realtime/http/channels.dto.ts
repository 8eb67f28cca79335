import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EventStreamQuery } from '../../common/dto/event-stream.dto.js';

export class ChannelEventsQuery {
  @ApiPropertyOptional({ description: 'Return events after this offset', default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  since?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class StreamQuery extends EventStreamQuery {
  @ApiProperty({ description: 'Comma-separated channels, e.g. chat:42,announcements' })
  @IsString()
  @MaxLength(4000)
  channels: string;
}

export class EventFrameView {
  @ApiProperty({ example: 'event' }) type: 'event';
  @ApiProperty({ example: 'chat:42' }) channel: string;
  @ApiProperty() offset: number;
  @ApiProperty({ example: 'chat.message.created' }) event: string;
  @ApiProperty({ type: Object }) data: unknown;
  @ApiProperty({ format: 'date-time' }) ts: string;
}

export class ChannelEventsPage {
  @ApiProperty({ type: [EventFrameView] }) events: EventFrameView[];
  @ApiProperty({ description: "The channel's latest offset" }) offset: number;
  @ApiProperty({ description: 'False when the gap is beyond the retained history' })
  recovered: boolean;
}
