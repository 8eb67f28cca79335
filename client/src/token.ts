/**
 * The `exp` claim (seconds) of a JWT, read without verifying it (only the
 * server can): the client only needs to know when to renew. Undefined when the
 * token is not a JWT or has no numeric `exp`.
 */
export function tokenExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeBase64(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== 'object' || claims === null) return undefined;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** `atob` exists in browsers and in Node 16+; the claims are ASCII JSON in practice. */
function decodeBase64(b64: string): string {
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The most a renewal happens before expiry. */
export const MAX_RENEW_MARGIN_MS = 60_000;

/**
 * How long to wait before renewing a token that expires at `expSec`: a quarter
 * of the remaining lifetime before expiry, at most a minute before it. A
 * proportional margin keeps short-lived tokens (seconds, in tests) renewable,
 * and covers a client clock a little off the server's. Zero when already due.
 */
export function renewDelayMs(expSec: number, nowMs: number): number {
  const remaining = expSec * 1000 - nowMs;
  if (remaining <= 0) return 0;
  const margin = Math.min(MAX_RENEW_MARGIN_MS, remaining / 4);
  return Math.max(0, Math.floor(remaining - margin));
}

/** True when the token's `exp` has passed (a token without `exp` never expires here). */
export function isExpired(token: string, nowMs: number): boolean {
  const exp = tokenExpiry(token);
  return exp !== undefined && exp * 1000 <= nowMs;
}
