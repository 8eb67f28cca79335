import { ApiProperty } from '@nestjs/swagger';
import { SHARE_ACCESS, type ShareAccess } from '../entities/calendar-share.entity.js';

export type CalendarAccessLevel = 'owner' | ShareAccess;

export class CalendarView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) ownerId: string;
  @ApiProperty({ enum: ['owner', ...SHARE_ACCESS], description: "The caller's access" })
  access: CalendarAccessLevel;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ShareView {
  @ApiProperty({ format: 'uuid' }) calendarId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: SHARE_ACCESS }) access: ShareAccess;
}

export class CalendarDetailView extends CalendarView {
  @ApiProperty({ type: [ShareView] }) shares: ShareView[];
}

export class CalendarPage {
  @ApiProperty({ type: [CalendarView], description: 'Oldest first' }) items: CalendarView[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' })
  nextCursor: string | null;
}

export class CalendarEventView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) calendarId: string;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time', description: 'Exclusive end' }) endsAt: string;
  @ApiProperty() allDay: boolean;
  @ApiProperty({ type: [String] }) attendeeIds: string[];
  @ApiProperty({ type: Number, nullable: true }) reminderMinutes: number | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CalendarEventPage {
  @ApiProperty({ type: [CalendarEventView], description: 'By startsAt' })
  items: CalendarEventView[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' })
  nextCursor: string | null;
}

export class CalendarEventDeletedView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) calendarId: string;
  @ApiProperty({ description: 'The version the event had when it was deleted' }) version: number;
}
