import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type ConversationKind = 'direct' | 'group';

/** A direct (one pair, stored ordered a < b, unique) or group conversation. */
@Entity('conversations')
export class ConversationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: ConversationKind;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  /** The group's owner; null for direct conversations. */
  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  @Column({ name: 'direct_user_a', type: 'uuid', nullable: true })
  directUserA: string | null;

  @Column({ name: 'direct_user_b', type: 'uuid', nullable: true })
  directUserB: string | null;

  /** The sequence number of the latest message (history cursor). */
  @Column({ name: 'last_seq', type: 'bigint', default: 0 })
  lastSeq: string;

  @Column({ name: 'last_activity_at', type: 'timestamptz' })
  lastActivityAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
