import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const SHARE_ACCESS = ['read', 'write'] as const;
export type ShareAccess = (typeof SHARE_ACCESS)[number];

@Entity('calendar_shares')
export class CalendarShareEntity {
  @PrimaryColumn({ name: 'calendar_id', type: 'uuid' })
  calendarId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  access: ShareAccess;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
