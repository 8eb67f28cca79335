import type { ErrorCode } from './generated/protocol.js';

/**
 * The server's error codes (`ErrorCode`, generated from the server's AsyncAPI
 * document; docs/protocol.md, "Errors and close codes"), and the client's own:
 * `TIMEOUT` (no reply within `timeoutMs`), `CONNECTION_LOST` (the connection
 * dropped after a command that is not safe to send twice had gone out: it may
 * or may not have been applied), `CLOSED` (the client was closed, or stopped
 * for good), `QUEUE_FULL`, `UNSUPPORTED` (a command without a REST equivalent
 * while on the SSE fallback) and `NETWORK` (a REST call that got no answer).
 */
export type RtErrorCode =
  ErrorCode | 'TIMEOUT' | 'CONNECTION_LOST' | 'CLOSED' | 'QUEUE_FULL' | 'UNSUPPORTED' | 'NETWORK';

export interface RtErrorInit {
  /** The module's sub-code (`NOT_PARTICIPANT`, `STALE_VERSION`), when the server gave one. */
  reason?: string;
  details?: unknown;
  retryAfterMs?: number;
  traceId?: string;
  /** The HTTP status, for errors of REST calls. */
  status?: number;
}

/** An error of a command, a subscription or the connection, with the contract's code. */
export class RtError extends Error {
  readonly reason?: string;
  readonly details?: unknown;
  readonly retryAfterMs?: number;
  readonly traceId?: string;
  readonly status?: number;

  constructor(
    readonly code: RtErrorCode | (string & Record<never, never>),
    message: string,
    init: RtErrorInit = {},
  ) {
    super(message);
    this.name = 'RtError';
    this.reason = init.reason;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
    this.traceId = init.traceId;
    this.status = init.status;
  }
}

/** The RtError of an `error` frame, or of a REST error body (same fields). */
export function errorFromBody(body: unknown, fallbackMessage: string, status?: number): RtError {
  const b = isRecord(body) ? body : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return new RtError(str(b.code) ?? 'INTERNAL', str(b.message) ?? fallbackMessage, {
    reason: str(b.reason),
    details: b.details,
    retryAfterMs: typeof b.retryAfterMs === 'number' ? b.retryAfterMs : undefined,
    traceId: str(b.traceId),
    status,
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
