import type { IncomingMessage } from 'node:http';
import type { AuthUser } from '../../auth/auth.types.js';
import { AuthenticationService, bearerToken } from '../../auth/authentication.service.js';
import type { AppConfig } from '../../config/app-config.js';

export const TOKEN_PROTOCOL_PREFIX = 'token-';
export const RT_PROTOCOL = 'rt.v1';

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

/** Origin and token checks of PROTOCOL.md section 2, before any WebSocket exists. */
export async function decideUpgrade(
  req: IncomingMessage,
  url: URL,
  config: AppConfig,
  authn: AuthenticationService,
): Promise<UpgradeDecision> {
  const origin = req.headers.origin;
  if (origin && config.corsOrigins && !config.corsOrigins.includes(origin)) {
    return { ok: false, status: 403, message: 'Origin not allowed' };
  }
  const token = handshakeToken(req, url);
  if (token === undefined) {
    if (!config.ws.allowAnonymous)
      return { ok: false, status: 401, message: 'A token is required' };
    return { ok: true, user: null };
  }
  try {
    return { ok: true, user: await authn.authenticate(token) };
  } catch {
    return { ok: false, status: 401, message: 'Invalid or expired token' };
  }
}

/** Chooses the answer to the offered subprotocols: rt.v1 when offered, else the token entry. */
export function selectProtocol(protocols: Set<string>): string | false {
  if (protocols.has(RT_PROTOCOL)) return RT_PROTOCOL;
  for (const p of protocols) if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p;
  return false;
}
