import { createHmac } from 'node:crypto';

export interface AccessPayload {
  sub: string;
  sid?: string;
  exp: number;
  typ?: string;
  [claim: string]: unknown;
}

/** The claims of a token, read without verifying it. */
export function decodePayload(token: string): AccessPayload {
  const part = token.split('.')[1];
  if (!part) throw new Error(`not a JWT: ${token}`);
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as AccessPayload;
}

export function decodeHeader(token: string): { alg: string; typ?: string } {
  const part = token.split('.')[0];
  if (!part) throw new Error(`not a JWT: ${token}`);
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { alg: string };
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned token (`alg: none`), built by hand because libraries refuse to. */
export function unsignedToken(payload: AccessPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}

/** An HMAC token built by hand, with any key text (e.g. an RSA public key). */
export function hmacToken(
  payload: AccessPayload,
  key: string,
  alg: 'HS256' | 'HS384' | 'HS512' = 'HS256',
): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
