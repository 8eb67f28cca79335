import { ModuleException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export const AnnouncementsError = {
  NOT_ADMIN: 'NOT_ADMIN',
  ALREADY_EXPIRED: 'ALREADY_EXPIRED',
} as const;
export type AnnouncementsError = (typeof AnnouncementsError)[keyof typeof AnnouncementsError];

export class AnnouncementsException extends ModuleException<AnnouncementsError> {
  static notAdmin(): AnnouncementsException {
    return new AnnouncementsException(
      AnnouncementsError.NOT_ADMIN,
      ErrorCode.FORBIDDEN,
      'Only admins publish announcements',
    );
  }

  static alreadyExpired(): AnnouncementsException {
    return new AnnouncementsException(
      AnnouncementsError.ALREADY_EXPIRED,
      ErrorCode.BAD_REQUEST,
      'expiresAt must be in the future',
      [{ field: 'expiresAt', errors: ['expiresAt must be in the future'] }],
    );
  }
}
