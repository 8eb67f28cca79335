import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './test-app.js';
import { decodePayload, nowSec } from './tokens.js';

/**
 * An access token for a registered user (same subject and session as the one it
 * got at registration), signed here so that the test chooses its expiry and key.
 */
export function accessTokenFor(
  user: { accessToken: string },
  opts: { expiresInSec?: number; secret?: string; algorithm?: jwt.Algorithm } = {},
): string {
  const claims = decodePayload(user.accessToken);
  return jwt.sign(
    { sub: claims.sub, sid: claims.sid, typ: 'access', exp: nowSec() + (opts.expiresInSec ?? 900) },
    opts.secret ?? TEST_JWT_SECRET,
    { algorithm: opts.algorithm ?? 'HS256' },
  );
}
