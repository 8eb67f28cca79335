import { ErrorCode, STATUS_BY_CODE } from './error-codes.js';

/**
 * A coded domain error. Services throw it (or a feature subclass); one filter per
 * transport turns it into an HTTP body or an `error` frame.
 */
export class AppException extends Error {
  /**
   * A stable sub-code naming the rule that refused (`NOT_PARTICIPANT`,
   * `STALE_VERSION`), set by module exceptions; sent beside `code` in HTTP
   * bodies and `error` frames so clients can tell refusals of one code apart.
   */
  readonly reason?: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** For RATE_LIMITED: how long the caller should wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppException';
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }

  static badRequest(message: string, details?: unknown): AppException {
    return new AppException(ErrorCode.BAD_REQUEST, message, details);
  }
  static unauthorized(message = 'Authentication required'): AppException {
    return new AppException(ErrorCode.UNAUTHORIZED, message);
  }
  static forbidden(message = 'Forbidden'): AppException {
    return new AppException(ErrorCode.FORBIDDEN, message);
  }
  static notFound(message = 'Not found'): AppException {
    return new AppException(ErrorCode.NOT_FOUND, message);
  }
  static conflict(message: string, current?: unknown): AppException {
    return new AppException(
      ErrorCode.CONFLICT,
      message,
      current === undefined ? undefined : { current },
    );
  }
  static rateLimited(retryAfterMs: number): AppException {
    return new AppException(ErrorCode.RATE_LIMITED, 'Too many requests', undefined, retryAfterMs);
  }
  static tooLarge(message: string): AppException {
    return new AppException(ErrorCode.TOO_LARGE, message);
  }
}

/**
 * A module's coded refusal: the contract's `code` plus the module's own
 * `reason` (a closed set per module, e.g. `ChatErrorReason`).
 */
export class ModuleException<R extends string> extends AppException {
  constructor(
    override readonly reason: R,
    code: ErrorCode,
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = new.target.name;
  }
}
