import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';

export interface AccessClaims {
  sub: string;
  sid?: string;
  exp: number;
}

/** Signs and verifies access tokens, pinned to the configured algorithm and key. */
@Injectable()
export class TokenService {
  /**
   * Keys parsed once: given a string, jsonwebtoken parses it again on every call
   * (first trying it as a PEM key, which throws for a shared secret).
   */
  private readonly verifyKey: KeyObject;
  private readonly signKey: KeyObject | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { algorithm, verifyKey, signKey } = config.jwt;
    if (algorithm === 'HS256') {
      this.verifyKey = createSecretKey(Buffer.from(verifyKey, 'utf8'));
      this.signKey =
        signKey === undefined ? undefined : createSecretKey(Buffer.from(signKey, 'utf8'));
    } else {
      this.verifyKey = createPublicKey(verifyKey);
      this.signKey = signKey === undefined ? undefined : createPrivateKey(signKey);
    }
  }

  get canIssue(): boolean {
    return this.signKey !== undefined;
  }

  signAccess(userId: string, sessionId: string): { token: string; expiresIn: number } {
    const { algorithm, accessTtlSec, issuer, audience } = this.config.jwt;
    const signKey = this.signKey;
    if (signKey === undefined)
      throw AppException.notFound('Local sign-in is disabled: tokens come from an external issuer');
    const token = jwt.sign({ sid: sessionId, typ: 'access' }, signKey, {
      algorithm,
      subject: userId,
      expiresIn: accessTtlSec,
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    });
    return { token, expiresIn: accessTtlSec };
  }

  /**
   * Throws UNAUTHORIZED for anything but a well-signed, unexpired token of our
   * algorithm. With JWT_ISSUER or JWT_AUDIENCE set, `iss` and `aud` must match
   * and the token must say it is an access token (`typ: access` in its claims,
   * or RFC 9068's `typ: at+jwt` header); without them, a `typ` other than
   * `access` is still refused.
   */
  verify(token: string): AccessClaims {
    const { algorithm, issuer, audience } = this.config.jwt;
    let decoded: jwt.Jwt;
    try {
      decoded = jwt.verify(token, this.verifyKey, {
        algorithms: [algorithm],
        complete: true,
        ...(issuer ? { issuer } : {}),
        ...(audience ? { audience } : {}),
      });
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw AppException.unauthorized(expired ? 'Token expired' : 'Invalid token');
    }
    const payload = decoded.payload;
    if (
      typeof payload === 'string' ||
      typeof payload.sub !== 'string' ||
      typeof payload.exp !== 'number'
    ) {
      throw AppException.unauthorized('Invalid token claims');
    }
    const strict = issuer !== undefined || audience !== undefined;
    if (!isAccessToken(payload.typ, decoded.header.typ, strict))
      throw AppException.unauthorized('Not an access token');
    return {
      sub: payload.sub,
      sid: typeof payload.sid === 'string' ? payload.sid : undefined,
      exp: payload.exp,
    };
  }
}

/** RFC 9068 access tokens say so in their header. */
const ACCESS_TOKEN_HEADER_TYPES = new Set(['at+jwt', 'application/at+jwt']);

function isAccessToken(claim: unknown, headerTyp: unknown, strict: boolean): boolean {
  if (claim !== undefined) return claim === 'access';
  if (typeof headerTyp === 'string' && ACCESS_TOKEN_HEADER_TYPES.has(headerTyp.toLowerCase()))
    return true;
  return !strict;
}
