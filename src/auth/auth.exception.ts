import { AppException } from '../common/app.exception.js';
import { ErrorCode } from '../common/error-codes.js';

export type AuthErrorReason = 'ADMIN_BOOTSTRAP_SECRET_REQUIRED';

/** Coded errors of auth; `reason` says which rule, `code` is the contract's. */
export class AuthException extends AppException {
  constructor(
    override readonly reason: AuthErrorReason,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'AuthException';
  }

  static adminBootstrapSecretRequired(): AuthException {
    return new AuthException(
      'ADMIN_BOOTSTRAP_SECRET_REQUIRED',
      ErrorCode.FORBIDDEN,
      'This address is an admin address: its first sign-in needs the admin bootstrap secret (X-Admin-Bootstrap-Secret)',
    );
  }
}
