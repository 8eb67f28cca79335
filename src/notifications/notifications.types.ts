/** What another module passes to `NotificationsService.create`. */
export interface CreateNotificationInput {
  userId: string;
  type: string;
  title: string;
  body: string;
  link?: string;
  /** The thing the notification is about (e.g. `{type: 'conversation', id}`). */
  entity?: { type: string; id: string };
}

/**
 * The data of the `notification.created` event (PROTOCOL.md section 5):
 * `{id, type, title, body, link?, readAt, createdAt}`.
 */
export interface NotificationEventData {
  id: string;
  type: string;
  title: string;
  body: string;
  link?: string;
  readAt: string | null;
  createdAt: string;
}

/** A notification as REST answers it: the event data plus its entity and delivery state. */
export interface NotificationView extends NotificationEventData {
  entity?: { type: string; id: string };
  deliveredAt: string | null;
  ackedAt: string | null;
}

export interface NotificationPage {
  items: NotificationView[];
  nextCursor: string | null;
  unreadCount: number;
}

/** The answer to a read or ack: which of the given ids are the caller's, and the new unread count. */
export interface NotificationStateChange {
  ids: string[];
  readAt?: string;
  ackedAt?: string;
  unreadCount: number;
}
