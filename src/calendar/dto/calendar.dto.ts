import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CursorField, PageQuery } from '../../common/dto/page.dto.js';
import { VersionField } from '../../common/dto/version.dto.js';
import { OptionalNotNull } from '../../common/optional.js';
import { SHARE_ACCESS, type ShareAccess } from '../entities/calendar-share.entity.js';

/** Four weeks. */
const MAX_REMINDER_MINUTES = 40_320;

export class CreateCalendarBody {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Team' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class ShareCalendarBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userId: string;

  @ApiProperty({ enum: SHARE_ACCESS })
  @IsIn(SHARE_ACCESS)
  access: ShareAccess;
}

/** A `+` in an unencoded query string arrives as a space: put the offset sign back. */
const plusFromSpace = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.replace(/ /g, '+') : value;

/** `GET /api/calendars`: oldest first. */
export class ListCalendarsQuery extends IntersectionType(PageQuery, CursorField) {}

/** The range of `GET /api/calendars/:id/events`, paged by start. */
export class EventRangeQuery extends IntersectionType(PageQuery, CursorField) {
  @ApiProperty({ format: 'date-time', description: 'Inclusive: events ending after it' })
  @Transform(plusFromSpace)
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ format: 'date-time', description: 'Exclusive: events starting before it' })
  @Transform(plusFromSpace)
  @IsISO8601({ strict: true })
  to: string;
}

class EventFields {
  @ApiPropertyOptional({ type: String, maxLength: 10000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string | null;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  allDay?: boolean;

  @ApiPropertyOptional({ type: [String], description: 'User ids; new attendees are notified' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  attendeeIds?: string[];

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'A reminder notification this many minutes before startsAt (null: none)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_REMINDER_MINUTES)
  reminderMinutes?: number | null;
}

export class CreateEventBody extends EventFields {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  startsAt: string;

  @ApiProperty({ format: 'date-time', description: 'Must be after startsAt' })
  @IsISO8601({ strict: true })
  endsAt: string;
}

export class UpdateEventBody extends IntersectionType(VersionField, EventFields) {
  @ApiPropertyOptional({ minLength: 1, maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 500)
  title?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @OptionalNotNull()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @OptionalNotNull()
  @IsISO8601({ strict: true })
  endsAt?: string;
}

class CalendarIdField {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  calendarId: string;
}

class EventIdField {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  eventId: string;
}

export class CreateEventCommand extends IntersectionType(CalendarIdField, CreateEventBody) {}
export class UpdateEventCommand extends IntersectionType(EventIdField, UpdateEventBody) {}
export class DeleteEventCommand extends IntersectionType(EventIdField, VersionField) {}
