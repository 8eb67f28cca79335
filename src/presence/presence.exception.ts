import { AppException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export const PresenceError = {
  ANONYMOUS: 'ANONYMOUS',
} as const;
export type PresenceError = (typeof PresenceError)[keyof typeof PresenceError];

export class PresenceException extends AppException {
  constructor(
    override readonly reason: PresenceError,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'PresenceException';
  }

  static anonymous(): PresenceException {
    return new PresenceException(
      PresenceError.ANONYMOUS,
      ErrorCode.UNAUTHORIZED,
      'Presence is for authenticated users',
    );
  }
}
