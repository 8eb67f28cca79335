import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const CHOSEN_STATUSES = ['online', 'away', 'dnd'] as const;
export type ChosenStatus = (typeof CHOSEN_STATUSES)[number];
export type PresenceStatus = ChosenStatus | 'offline';

@Entity('user_presence')
export class UserPresenceEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** The status the user chose; shown while they are online. */
  @Column({ type: 'text', default: 'online' })
  status: ChosenStatus;

  /** Whether the user was last announced online (the cluster-wide truth). */
  @Column({ type: 'boolean', default: false })
  online: boolean;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
