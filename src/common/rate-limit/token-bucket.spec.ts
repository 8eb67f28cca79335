import { TokenBucketLimiter } from './token-bucket.js';

describe('TokenBucketLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a burst up to capacity, then refuses with the time to the next token', () => {
    const l = new TokenBucketLimiter(3, 3000, clock);
    expect([l.take('a'), l.take('a'), l.take('a')].every((r) => r.allowed)).toBe(true);
    const refused = l.take('a');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(1000);
  });

  it('refills over time and never above capacity', () => {
    const l = new TokenBucketLimiter(2, 2000, clock);
    l.take('a');
    l.take('a');
    now += 1000;
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
    now += 60_000;
    expect(l.take('a').remaining).toBe(1);
  });

  it('keeps keys apart and forgets full buckets', () => {
    const l = new TokenBucketLimiter(1, 1000, clock);
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('b').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
    now += 5000;
    l.take('c');
    expect(l.size).toBe(1);
  });
});
