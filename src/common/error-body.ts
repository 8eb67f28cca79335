import { HttpException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppException } from './app.exception.js';
import { ErrorCode, codeForStatus } from './error-codes.js';

/** A transport-neutral description of an error, before it becomes a body or a frame. */
export interface ErrorDescription {
  status: number;
  code: ErrorCode;
  /** The module's sub-code of the refusal (see AppException.reason). */
  reason?: string;
  message: string;
  details?: unknown;
  retryAfterMs?: number;
  /** Set for INTERNAL errors: the same id is logged with the stack. */
  traceId?: string;
  /** The original error when it was unexpected (to be logged, never sent). */
  unexpected?: unknown;
}

/** Maps anything thrown to the contract's coded error; unknown errors become INTERNAL. */
export function describeError(err: unknown, traceId?: string): ErrorDescription {
  if (err instanceof AppException) {
    return {
      status: err.status,
      code: err.code,
      reason: err.reason,
      message: err.message,
      details: err.details,
      retryAfterMs: err.retryAfterMs,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    let message = err.message;
    let details: unknown;
    if (typeof response === 'object' && response !== null) {
      const r = response as { message?: unknown; details?: unknown };
      if (typeof r.message === 'string') message = r.message;
      else if (Array.isArray(r.message)) {
        message = 'Validation failed';
        details = r.message;
      }
      if (r.details !== undefined) details = r.details;
    }
    if (status >= 500) return internal(err, traceId);
    return { status, code: codeForStatus(status), message, details };
  }
  if (isUnstorableText(err)) {
    return {
      status: 400,
      code: ErrorCode.BAD_REQUEST,
      message: 'Text contains a character that cannot be stored (NUL, \\u0000)',
    };
  }
  return internal(err, traceId);
}

/**
 * PostgreSQL refuses NUL in text (22021) and `\u0000` in jsonb (22P05): that is
 * the client's input, not a server fault, whatever field carried it. The
 * validation pipe refuses such text first (storable-text.ts); this answers the
 * same for any that reaches a write by another way.
 */
function isUnstorableText(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.driverError?.code ?? e.code;
  return code === '22021' || code === '22P05';
}

function internal(err: unknown, traceId?: string): ErrorDescription {
  return {
    status: 500,
    code: ErrorCode.INTERNAL,
    message: 'Internal server error',
    traceId: traceId ?? randomUUID(),
    unexpected: err,
  };
}

export type ErrorFrame = {
  type: 'error';
  id?: string;
  code: ErrorCode;
  reason?: string;
  message: string;
  details?: unknown;
  retryAfterMs?: number;
  traceId?: string;
};

export function errorFrame(
  id: string | undefined,
  code: ErrorCode,
  message: string,
  extra: { reason?: string; details?: unknown; retryAfterMs?: number; traceId?: string } = {},
): ErrorFrame {
  return {
    type: 'error',
    ...(id !== undefined ? { id } : {}),
    code,
    ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
    message,
    ...(extra.details !== undefined ? { details: extra.details } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
    ...(extra.traceId !== undefined ? { traceId: extra.traceId } : {}),
  };
}

/** The `error` frame of a described error, for the command that caused it. */
export function errorFrameOf(id: string | undefined, d: ErrorDescription): ErrorFrame {
  return errorFrame(id, d.code, d.message, {
    reason: d.reason,
    details: d.details,
    retryAfterMs: d.retryAfterMs,
    traceId: d.traceId,
  });
}
