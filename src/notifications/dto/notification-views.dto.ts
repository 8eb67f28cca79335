import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The data of the `notification.created` event: `{id, type, title, body,
 * link?, readAt, createdAt}` (the contract's shape, what every client shows).
 */
export class NotificationEventView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'chat.message' }) type: string;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiPropertyOptional({ example: '/conversations/42' }) link?: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class NotificationEntityView {
  @ApiProperty({ example: 'conversation' }) type: string;
  @ApiProperty() id: string;
}

/** A notification as REST answers it: the event data plus its entity and delivery state. */
export class NotificationView extends NotificationEventView {
  @ApiPropertyOptional({ type: NotificationEntityView, description: 'What it is about' })
  entity?: NotificationEntityView;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) ackedAt: string | null;
}

export class NotificationPage {
  @ApiProperty({ type: [NotificationView], description: 'Newest first' })
  items: NotificationView[];
  @ApiProperty({ type: String, nullable: true, description: 'null at the end' })
  nextCursor: string | null;
  @ApiProperty() unreadCount: number;
}

/**
 * The answer to a read or ack, and the data of `notification.read`: which of
 * the given ids changed, and the new unread count.
 */
export class NotificationStateChangeView {
  @ApiProperty({ type: [String], format: 'uuid', description: 'The given ids whose state changed' })
  ids: string[];
  @ApiPropertyOptional({ format: 'date-time', description: 'Set by a read' }) readAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Set by an ack' }) ackedAt?: string;
  @ApiProperty() unreadCount: number;
}
