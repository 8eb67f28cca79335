import { ModuleException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export const NotificationsError = {
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  BAD_CURSOR: 'BAD_CURSOR',
  NOTHING_TO_READ: 'NOTHING_TO_READ',
} as const;
export type NotificationsError = (typeof NotificationsError)[keyof typeof NotificationsError];

/** Coded errors of the notifications module. */
export class NotificationsException extends ModuleException<NotificationsError> {
  static userNotFound(): NotificationsException {
    return new NotificationsException(
      NotificationsError.USER_NOT_FOUND,
      ErrorCode.NOT_FOUND,
      'User not found',
    );
  }
  static badCursor(): NotificationsException {
    return new NotificationsException(
      NotificationsError.BAD_CURSOR,
      ErrorCode.BAD_REQUEST,
      'Invalid cursor',
      [{ field: 'cursor', errors: ['cursor is not a value this API returned'] }],
    );
  }
  static nothingToRead(): NotificationsException {
    return new NotificationsException(
      NotificationsError.NOTHING_TO_READ,
      ErrorCode.BAD_REQUEST,
      'Give ids or all: true',
      [{ field: 'ids', errors: ['ids must be given unless all is true'] }],
    );
  }
}
