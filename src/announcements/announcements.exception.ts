import { AppException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export const AnnouncementsError = {
  NOT_ADMIN: 'NOT_ADMIN',
  ALREADY_EXPIRED: 'ALREADY_EXPIRED',
} as const;
export type AnnouncementsError = (typeof AnnouncementsError)[keyof typeof AnnouncementsError];

export class AnnouncementsException extends AppException {
  constructor(
    override readonly reason: AnnouncementsError,
    code: ErrorCode,
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = 'AnnouncementsException';
  }

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
