import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { CursorField, PageQuery } from '../../common/dto/page.dto.js';
import { VersionField } from '../../common/dto/version.dto.js';
import { OptionalNotNull } from '../../common/optional.js';
import { BOARD_ROLES, type BoardRole } from '../entities/board-member.entity.js';

/** `GET /api/boards`: most recently updated first. */
export class ListBoardsQuery extends IntersectionType(PageQuery, CursorField) {}

export class CreateBoardBody {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Sprint 42' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class AddMemberBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userId: string;

  @ApiProperty({ enum: BOARD_ROLES })
  @IsIn(BOARD_ROLES)
  role: BoardRole;
}

class BoardIdField {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  boardId: string;
}

class ColumnIdField {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  columnId: string;
}

class CardIdField {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  cardId: string;
}

// Columns

export class CreateColumnBody {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Left out: last column; null: first; else right after that column',
  })
  @IsOptional()
  @IsUUID()
  afterColumnId?: string | null;
}

export class UpdateColumnBody extends VersionField {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Moves the column: null first, else right after that column',
  })
  @IsOptional()
  @IsUUID()
  afterColumnId?: string | null;
}

export class CreateColumnCommand extends IntersectionType(BoardIdField, CreateColumnBody) {}
export class UpdateColumnCommand extends IntersectionType(ColumnIdField, UpdateColumnBody) {}
export class DeleteColumnCommand extends IntersectionType(ColumnIdField, VersionField) {}

// Cards

class CardFields {
  @ApiPropertyOptional({ type: String, maxLength: 10000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'A member of the board',
  })
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  dueAt?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 20 })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  labels?: string[];
}

export class CreateCardBody extends CardFields {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  columnId: string;

  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Left out: bottom of the column; null: top; else right after that card',
  })
  @IsOptional()
  @IsUUID()
  afterCardId?: string | null;
}

export class UpdateCardBody extends IntersectionType(VersionField, CardFields) {
  @ApiPropertyOptional({ minLength: 1, maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 500)
  title?: string;
}

export class MoveCardBody extends VersionField {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  toColumnId: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null: top of the column; else right after that card (left out: bottom)',
  })
  @IsOptional()
  @IsUUID()
  afterCardId?: string | null;
}

export class CreateCardCommand extends IntersectionType(BoardIdField, CreateCardBody) {}
export class UpdateCardCommand extends IntersectionType(CardIdField, UpdateCardBody) {}
export class MoveCardCommand extends IntersectionType(CardIdField, MoveCardBody) {}
export class DeleteCardCommand extends IntersectionType(CardIdField, VersionField) {}
