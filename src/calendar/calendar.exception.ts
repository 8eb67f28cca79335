import { ModuleException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

/** Why a calendar operation was refused; `code` is the contract's error code. */
export const CalendarError = {
  NO_ACCESS: 'NO_ACCESS',
  READ_ONLY: 'READ_ONLY',
  EVENT_NOT_FOUND: 'EVENT_NOT_FOUND',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  SHARE_NOT_FOUND: 'SHARE_NOT_FOUND',
  STALE_VERSION: 'STALE_VERSION',
  INVALID_TIMES: 'INVALID_TIMES',
  INVALID_RANGE: 'INVALID_RANGE',
  INVALID_REFERENCE: 'INVALID_REFERENCE',
} as const;
export type CalendarError = (typeof CalendarError)[keyof typeof CalendarError];

export class CalendarException extends ModuleException<CalendarError> {
  static noAccess(calendarId: string): CalendarException {
    return new CalendarException(
      CalendarError.NO_ACCESS,
      ErrorCode.FORBIDDEN,
      `No access to calendar ${calendarId}`,
    );
  }

  static needs(level: 'write' | 'owner'): CalendarException {
    return new CalendarException(
      CalendarError.READ_ONLY,
      ErrorCode.FORBIDDEN,
      level === 'owner'
        ? 'Only the owner may do this'
        : 'This calendar is shared read-only with you',
    );
  }

  static eventNotFound(): CalendarException {
    return new CalendarException(
      CalendarError.EVENT_NOT_FOUND,
      ErrorCode.NOT_FOUND,
      'Event not found',
    );
  }

  static userNotFound(): CalendarException {
    return new CalendarException(
      CalendarError.USER_NOT_FOUND,
      ErrorCode.NOT_FOUND,
      'User not found',
    );
  }

  static shareNotFound(): CalendarException {
    return new CalendarException(
      CalendarError.SHARE_NOT_FOUND,
      ErrorCode.NOT_FOUND,
      'The calendar is not shared with this user',
    );
  }

  static stale(current: unknown): CalendarException {
    return new CalendarException(
      CalendarError.STALE_VERSION,
      ErrorCode.CONFLICT,
      'The event was changed by someone else (stale version)',
      { current },
    );
  }

  static endsBeforeStart(): CalendarException {
    return new CalendarException(
      CalendarError.INVALID_TIMES,
      ErrorCode.BAD_REQUEST,
      'endsAt must be after startsAt',
      [{ field: 'endsAt', errors: ['endsAt must be after startsAt'] }],
    );
  }

  static badRange(): CalendarException {
    return new CalendarException(
      CalendarError.INVALID_RANGE,
      ErrorCode.BAD_REQUEST,
      'from must be before to',
      [{ field: 'to', errors: ['to must be after from'] }],
    );
  }

  static invalidReference(field: string, message: string): CalendarException {
    return new CalendarException(CalendarError.INVALID_REFERENCE, ErrorCode.BAD_REQUEST, message, [
      { field, errors: [message] },
    ]);
  }
}
