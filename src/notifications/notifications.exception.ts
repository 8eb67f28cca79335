import { AppException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

/** Coded errors of the notifications module. */
export class NotificationsException extends AppException {
  static userNotFound(): NotificationsException {
    return new NotificationsException(ErrorCode.NOT_FOUND, 'User not found');
  }
  static badCursor(): NotificationsException {
    return new NotificationsException(ErrorCode.BAD_REQUEST, 'Invalid cursor', [
      { field: 'cursor', errors: ['cursor is not a value this API returned'] },
    ]);
  }
  static nothingToRead(): NotificationsException {
    return new NotificationsException(ErrorCode.BAD_REQUEST, 'Give ids or all: true', [
      { field: 'ids', errors: ['ids must be given unless all is true'] },
    ]);
  }
}
