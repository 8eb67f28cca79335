import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsUUID } from 'class-validator';
import {
  CHOSEN_STATUSES,
  type ChosenStatus,
  type PresenceStatus,
} from '../entities/user-presence.entity.js';

export class SetPresenceBody {
  @ApiProperty({ enum: CHOSEN_STATUSES })
  @IsIn(CHOSEN_STATUSES)
  status: ChosenStatus;
}

/** `?userIds=a,b` (or the parameter repeated). */
export class PresenceQuery {
  @ApiProperty({ type: String, description: 'Comma-separated user ids (1..100)' })
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))
      .map((v) => (typeof v === 'string' ? v.trim() : v))
      .filter((v) => v !== ''),
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID(undefined, { each: true })
  userIds: string[];
}

export class PresenceView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: [...CHOSEN_STATUSES, 'offline'] }) status: PresenceStatus;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the user was last seen (came online, changed status or disconnected)',
  })
  lastSeenAt: string | null;
}
