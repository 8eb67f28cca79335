import { describe, expect, it } from '@jest/globals';
import { fakeJwt } from './fakes.spec-helper.js';
import { isExpired, renewDelayMs, tokenExpiry } from './token.js';

describe('tokenExpiry', () => {
  it('reads exp from the payload', () => {
    expect(tokenExpiry(fakeJwt({ sub: 'u1', exp: 1_900_000_000 }))).toBe(1_900_000_000);
  });

  it('is undefined for a token that is not a JWT or has no numeric exp', () => {
    expect(tokenExpiry('opaque')).toBeUndefined();
    expect(tokenExpiry('a.!!!.c')).toBeUndefined();
    expect(tokenExpiry(fakeJwt({ sub: 'u1' }))).toBeUndefined();
    expect(tokenExpiry(fakeJwt({ exp: '1900000000' }))).toBeUndefined();
  });

  it('isExpired compares exp with now', () => {
    const t = fakeJwt({ exp: 1000 });
    expect(isExpired(t, 999_999)).toBe(false);
    expect(isExpired(t, 1_000_000)).toBe(true);
    expect(isExpired('opaque', 1e15)).toBe(false);
  });
});

describe('renewDelayMs', () => {
  const now = 1_000_000_000_000;

  it('renews a long-lived token one minute before expiry', () => {
    expect(renewDelayMs(now / 1000 + 900, now)).toBe(840_000);
  });

  it('renews a short-lived token a quarter of its lifetime before expiry', () => {
    expect(renewDelayMs(now / 1000 + 4, now)).toBe(3000);
    expect(renewDelayMs(now / 1000 + 120, now)).toBe(90_000);
  });

  it('is due at once when expired', () => {
    expect(renewDelayMs(now / 1000 - 5, now)).toBe(0);
    expect(renewDelayMs(now / 1000, now)).toBe(0);
  });
});
