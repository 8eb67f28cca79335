import { keyBetween, PositionKeyError } from './position-key.js';

describe('keyBetween', () => {
  it('starts at a0 and appends or prepends by incrementing the integer part', () => {
    expect(keyBetween(null, null)).toBe('a0');
    expect(keyBetween('a0', null)).toBe('a1');
    expect(keyBetween(null, 'a0')).toBe('Zz');
    expect(keyBetween('az', null)).toBe('b00');
    expect(keyBetween('a0', 'a1')).toBe('a0V');
  });

  it('refuses keys out of order', () => {
    expect(() => keyBetween('a1', 'a0')).toThrow(PositionKeyError);
    expect(() => keyBetween('a1', 'a1')).toThrow(PositionKeyError);
  });

  it('keeps a random list sorted through many inserts, with short keys at the ends', () => {
    let seed = 42;
    const rand = (n: number): number => {
      // mulberry32: a small deterministic generator that stays within 32-bit integers.
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const keys: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const at = rand(keys.length + 1);
      const k = keyBetween(keys[at - 1] ?? null, keys[at] ?? null);
      keys.splice(at, 0, k);
    }
    for (let i = 1; i < keys.length; i += 1) expect(keys[i - 1] < keys[i]).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);

    let last: string | null = null;
    for (let i = 0; i < 5000; i += 1) last = keyBetween(last, null);
    expect(last!.length).toBeLessThanOrEqual(4);
    let first: string | null = null;
    for (let i = 0; i < 5000; i += 1) first = keyBetween(null, first);
    expect(first!.length).toBeLessThanOrEqual(4);
  });
});
