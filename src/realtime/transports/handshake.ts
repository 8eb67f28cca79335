import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuthUser } from '../../auth/auth.types.js';
import { AuthenticationService, bearerToken } from '../../auth/authentication.service.js';
import type { AppConfig } from '../../config/app-config.js';
import { AppException } from '../../common/app.exception.js';
import { ErrorCode } from '../../common/error-codes.js';

export const TOKEN_PROTOCOL_PREFIX = 'token-';
export const RT_PROTOCOL = 'rt.v1';
/** The STOMP subprotocols, highest version first (what `@stomp/stompjs` offers). */
export const STOMP_SUBPROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'] as const;

export type UpgradeDecision =
  | { ok: true; user: AuthUser | null }
  | { ok: false; status: number; message: string; retryAfterMs?: number };

/** The subprotocols a client offered (`Sec-WebSocket-Protocol`). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  if (!raw) return [];
  return (Array.isArray(raw) ? raw.join(',') : raw)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * The token of a handshake, from the first place that has one: `?token=`, then
 * `Authorization: Bearer`, then a `token-<JWT>` subprotocol. An empty or
 * malformed entry still counts as present (and invalid).
 */
export function handshakeToken(req: IncomingMessage, url: URL): string | undefined {
  if (url.searchParams.has('token')) return url.searchParams.get('token') ?? '';
  const header = bearerToken(req.headers.authorization);
  if (header !== undefined) return header;
  const entry = offeredProtocols(req).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry === undefined ? undefined : entry.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/** Origin and token checks of the handshake, before any WebSocket or SockJS session exists. */
export async function decideUpgrade(
  req: IncomingMessage,
  url: URL,
  config: AppConfig,
  authn: AuthenticationService,
  opts: { tokenMayFollow?: boolean } = {},
): Promise<UpgradeDecision> {
  const origin = req.headers.origin;
  if (origin && config.corsOrigins && !config.corsOrigins.includes(origin)) {
    return { ok: false, status: 403, message: 'Origin not allowed' };
  }
  const token = handshakeToken(req, url);
  if (token === undefined) {
    // STOMP may bring the token in its CONNECT frame: anonymity is decided there.
    if (!config.ws.allowAnonymous && !opts.tokenMayFollow)
      return { ok: false, status: 401, message: 'A token is required' };
    return { ok: true, user: null };
  }
  return authenticateHandshake(token, authn);
}

/**
 * The user of a handshake's token. Only a refused token is 401: a client
 * throws its token away on 401, so a database that does not answer must not
 * look like one (503 with Retry-After).
 */
export async function authenticateHandshake(
  token: string,
  authn: AuthenticationService,
): Promise<UpgradeDecision> {
  try {
    return { ok: true, user: await authn.authenticate(token) };
  } catch (err) {
    if (err instanceof AppException && err.code === ErrorCode.UNAUTHORIZED)
      return { ok: false, status: 401, message: 'Invalid or expired token' };
    return {
      ok: false,
      status: 503,
      message: 'Authentication is unavailable; retry',
      retryAfterMs: 2000,
    };
  }
}

/**
 * Chooses the answer to the offered subprotocols: rt.v1 when offered, else the
 * highest STOMP version offered, else the token entry (echoed so that browsers
 * accept the handshake; the JSON protocol then).
 */
export function selectProtocol(protocols: Set<string>): string | false {
  if (protocols.has(RT_PROTOCOL)) return RT_PROTOCOL;
  for (const stomp of STOMP_SUBPROTOCOLS) if (protocols.has(stomp)) return stomp;
  for (const p of protocols) if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p;
  return false;
}

/** The STOMP version a negotiated subprotocol selects (`v12.stomp` → 1.2), or null for the JSON protocol. */
export function stompVersionOf(subprotocol: string): '1.2' | '1.1' | '1.0' | null {
  switch (subprotocol) {
    case 'v12.stomp':
      return '1.2';
    case 'v11.stomp':
      return '1.1';
    case 'v10.stomp':
      return '1.0';
    default:
      return null;
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};
const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'INTERNAL',
};

/** The contract's error body for a refused handshake or transport request. */
export function refusalBody(status: number, message: string, retryAfterMs?: number): string {
  return JSON.stringify({
    statusCode: status,
    code: CODES[status] ?? 'BAD_REQUEST',
    message,
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
}

/** Refuses an upgrade with a plain HTTP answer in the contract's error shape. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  retryAfterMs?: number,
): void {
  if (socket.destroyed) return;
  const body = refusalBody(status, message, retryAfterMs);
  const headers = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(retryAfterMs ? [`Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}`] : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
