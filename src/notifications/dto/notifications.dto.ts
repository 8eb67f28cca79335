import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';

import { PageQuery } from '../../common/dto/page.dto.js';

const MAX_IDS = 500;

/** `?unread=true` arrives as a string. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only unread notifications' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  unread?: boolean;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsUUID('all')
  cursor?: string;
}

export class CreateNotificationBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  userId: string;

  @ApiPropertyOptional({ example: 'admin.message', default: 'admin.message', maxLength: 64 })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/, { message: 'type must look like "admin.message"' })
  type?: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 4000 })
  @IsString()
  @Length(1, 4000)
  body: string;

  @ApiPropertyOptional({ maxLength: 2000, example: '/conversations/42' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  link?: string;
}

export class ReadNotificationsBody {
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MAX_IDS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_IDS)
  @IsUUID('all', { each: true })
  ids?: string[];

  @ApiPropertyOptional({ description: 'Mark every unread notification read' })
  @IsOptional()
  @IsBoolean()
  all?: boolean;
}

export class AckNotificationsBody {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_IDS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IDS)
  @IsUUID('all', { each: true })
  ids: string[];
}
