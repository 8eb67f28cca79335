import { describe, expect, it } from '@jest/globals';
import { backoffDelay, decideAfterClose, DEFAULT_BACKOFF } from './backoff.js';

describe('backoffDelay (full jitter)', () => {
  const opts = { baseMs: 1000, maxMs: 30_000, abuseMs: 30_000 };

  it('stays in [0, min(max, base * 2^attempt)) for every draw', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 1000 * 2 ** attempt);
      expect(backoffDelay(attempt, opts, () => 0)).toBe(0);
      expect(backoffDelay(attempt, opts, () => 0.999_999)).toBe(Math.floor(0.999_999 * ceiling));
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt, opts);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }
    }
  });

  it('spreads the delays (jitter) instead of repeating one value', () => {
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(5, opts)));
    expect(draws.size).toBeGreaterThan(40);
  });
});

describe('decideAfterClose', () => {
  const half = (): number => 0.5;

  it('reconnects at once after 1001 (server restart), then backs off', () => {
    expect(decideAfterClose(1001, 0, DEFAULT_BACKOFF, half)).toEqual({ kind: 'retry', delayMs: 0 });
    expect(decideAfterClose(1001, 3, DEFAULT_BACKOFF, half)).toEqual({
      kind: 'retry',
      delayMs: 4000,
    });
  });

  it('waits at least abuseMs after 4429', () => {
    const d = decideAfterClose(4429, 0, DEFAULT_BACKOFF, half);
    expect(d).toEqual({ kind: 'retry', delayMs: 30_000 + 500 });
  });

  it('asks for a new token after 4401 instead of retrying', () => {
    expect(decideAfterClose(4401, 0)).toEqual({ kind: 'renew-token' });
  });

  it('backs off on an abnormal close (1006) from the first attempt', () => {
    expect(decideAfterClose(1006, 0, DEFAULT_BACKOFF, half)).toEqual({
      kind: 'retry',
      delayMs: 500,
    });
  });
});
