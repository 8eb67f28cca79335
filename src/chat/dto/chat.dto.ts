import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { PageQuery } from '../../common/dto/page.dto.js';
import { CONTENT_TYPES } from '../entities/message.entity.js';

export const MAX_GROUP_PARTICIPANTS = 500;
export const MAX_MESSAGE_CHARS = 2000;

/** Length in characters (code points), as PostgreSQL's char_length counts them. */
export function CharLength(
  min: number,
  max: number,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'charLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const n = [...value].length;
          return n >= min && n <= max;
        },
        defaultMessage: () => `$property must be ${min} to ${max} characters long`,
      },
    },
    options,
  );
}

// ---- conversations

export class CreateConversationBody {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description:
      'The other participants (the caller is added). One id and no title: the direct conversation of that pair.',
    minItems: 1,
    maxItems: MAX_GROUP_PARTICIPANTS,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_GROUP_PARTICIPANTS)
  @IsUUID('all', { each: true })
  participantIds: string[];

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: 'A title makes it a group' })
  @IsOptional()
  @IsString()
  @CharLength(1, 200)
  title?: string;
}

class ConversationCursorField {
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;
}

/** Composed rather than extended: `limit` stays ahead of `cursor` in validation details. */
export class ListConversationsQuery extends IntersectionType(PageQuery, ConversationCursorField) {}

export class AddParticipantsBody {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_GROUP_PARTICIPANTS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_GROUP_PARTICIPANTS)
  @IsUUID('all', { each: true })
  userIds: string[];
}

// ---- messages

export class HistoryQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page (older messages)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  before?: string;
}

export class SendMessageBody {
  @ApiProperty({ minLength: 1, maxLength: MAX_MESSAGE_CHARS, description: 'Stored as given' })
  @IsString()
  @CharLength(1, MAX_MESSAGE_CHARS)
  content: string;

  @ApiPropertyOptional({ enum: CONTENT_TYPES, default: 'text' })
  @IsOptional()
  @IsIn(CONTENT_TYPES)
  contentType?: (typeof CONTENT_TYPES)[number];

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'Idempotency key of the sender: a retry returns the first message',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/^[\x21-\x7e]+$/, { message: 'clientMsgId must be printable ASCII without spaces' })
  clientMsgId?: string;
}

export class SendMessageCommand extends SendMessageBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  conversationId: string;
}

export class EditMessageBody {
  @ApiProperty({ minLength: 1, maxLength: MAX_MESSAGE_CHARS })
  @IsString()
  @CharLength(1, MAX_MESSAGE_CHARS)
  content: string;

  @ApiPropertyOptional({ enum: CONTENT_TYPES })
  @IsOptional()
  @IsIn(CONTENT_TYPES)
  contentType?: (typeof CONTENT_TYPES)[number];
}

export class EditMessageCommand extends EditMessageBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  messageId: string;
}

export class DeleteMessageCommand {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  messageId: string;
}

export class ReadBody {
  @ApiProperty({ format: 'uuid', description: 'The newest message read' })
  @IsUUID('all')
  messageId: string;
}

export class ReadCommand extends ReadBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  conversationId: string;
}

export class TypingCommand {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  conversationId: string;

  @ApiProperty()
  @IsBoolean()
  typing: boolean;
}
