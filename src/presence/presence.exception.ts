import { ModuleException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export const PresenceError = {
  ANONYMOUS: 'ANONYMOUS',
} as const;
export type PresenceError = (typeof PresenceError)[keyof typeof PresenceError];

export class PresenceException extends ModuleException<PresenceError> {
  static anonymous(): PresenceException {
    return new PresenceException(
      PresenceError.ANONYMOUS,
      ErrorCode.UNAUTHORIZED,
      'Presence is for authenticated users',
    );
  }
}
