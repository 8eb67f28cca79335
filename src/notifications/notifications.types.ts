export type {
  NotificationEventView,
  NotificationPage,
  NotificationStateChangeView,
  NotificationView,
} from './dto/notification-views.dto.js';

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
