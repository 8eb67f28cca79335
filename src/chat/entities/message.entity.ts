import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const CONTENT_TYPES = ['text', 'markdown'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** A chat message; a deleted one stays as a tombstone (empty content, `deletedAt` set). */
@Entity('messages')
export class MessageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  /** Per-conversation, increasing: the history cursor. */
  @Column({ type: 'bigint' })
  seq: string;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId: string;

  @Column({ type: 'text' })
  content: string;

  @Column({ name: 'content_type', type: 'text', default: 'text' })
  contentType: ContentType;

  @Column({ name: 'client_msg_id', type: 'text', nullable: true })
  clientMsgId: string | null;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
