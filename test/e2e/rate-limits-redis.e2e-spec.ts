import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisCounterStore } from '../../src/common/rate-limit/redis-counter-store.js';
import { SharedTokenBucket } from '../../src/common/rate-limit/shared-token-bucket.js';
import type { TakeResult } from '../../src/common/rate-limit/token-bucket.js';
import { expectEventually } from '../helpers/eventually.js';
import { OwnRedis } from '../helpers/redis-server.js';

const silent = pino({ level: 'silent' });
/** A window long enough that nothing refills during a test. */
const WINDOW_MS = 3_600_000;

const allowedOf = async (bucket: SharedTokenBucket, key: string, n: number): Promise<boolean[]> => {
  const out: boolean[] = [];
  // One at a time: each answer is awaited before the next take, as a busy client's frames are.
  for (let i = 0; i < n; i++) out.push((await bucket.take(key)).allowed);
  return out;
};
const count = (xs: boolean[]): number => xs.filter(Boolean).length;

/** The shared buckets of RateBuckets against a real Redis: "nodes" are stores of their own. */
describe('shared rate-limit buckets in Redis', () => {
  const stores: RedisCounterStore[] = [];
  const storeOn = (url: string, prefix: string): RedisCounterStore => {
    const s = new RedisCounterStore(url, prefix, silent);
    stores.push(s);
    return s;
  };
  const ready = (bucket: SharedTokenBucket, key: string): Promise<unknown> =>
    // A store answers null until its connection is ready: wait for a real answer.
    expectEventually(async () => {
      const r = bucket.take(key, 0);
      expect(r).toBeInstanceOf(Promise);
      return r;
    });
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  describe('on the shared test Redis', () => {
    const url = process.env.TEST_REDIS_URL ?? '';
    const prefix = `rl-test:${randomBytes(4).toString('hex')}:`;
    beforeAll(() => {
      if (!url) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    });

    it('gives two nodes one budget between them, not one each', async () => {
      const a = new SharedTokenBucket('cmd', 20, WINDOW_MS, storeOn(url, prefix));
      const b = new SharedTokenBucket('cmd', 20, WINDOW_MS, storeOn(url, prefix));
      await ready(a, 'warm-a');
      await ready(b, 'warm-b');
      const [onA, onB] = await Promise.all([allowedOf(a, 'u:1', 30), allowedOf(b, 'u:1', 30)]);
      expect(count(onA) + count(onB)).toBe(20);
      // Other keys and other limits have budgets of their own.
      expect(count(await allowedOf(a, 'u:2', 3))).toBe(3);
      const other = new SharedTokenBucket('connect', 20, WINDOW_MS, storeOn(url, prefix));
      await ready(other, 'warm-c');
      expect(count(await allowedOf(other, 'u:1', 3))).toBe(3);
    });

    it('refills at capacity per window, with the retry time of the shared bucket', async () => {
      const a = new SharedTokenBucket('refill', 2, 1000, storeOn(url, prefix));
      const b = new SharedTokenBucket('refill', 2, 1000, storeOn(url, prefix));
      await ready(a, 'warm');
      await ready(b, 'warm');
      expect(await allowedOf(a, 'k', 2)).toEqual([true, true]);
      const refused = await b.take('k');
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(500);
      await expectEventually(async () => expect((await b.take('k')).allowed).toBe(true), {
        timeoutMs: 3000,
        intervalMs: 100,
      });
    });

    it('sends the script again when Redis forgot it', async () => {
      const a = new SharedTokenBucket('flush', 5, WINDOW_MS, storeOn(url, prefix));
      await ready(a, 'warm');
      const admin = new Redis(url);
      try {
        await admin.script('FLUSH');
      } finally {
        admin.disconnect();
      }
      const r = a.take('k');
      expect(r).toBeInstanceOf(Promise);
      await expect(r).resolves.toMatchObject({ allowed: true, remaining: 4 });
    });
  });

  describe('on a Redis that fails', () => {
    let redis: OwnRedis;
    beforeAll(async () => {
      redis = await OwnRedis.start();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('counts alone while Redis is down, and shares again once it is back', async () => {
      const a = new SharedTokenBucket('down', 3, WINDOW_MS, storeOn(redis.url, 'p:'));
      const b = new SharedTokenBucket('down', 3, WINDOW_MS, storeOn(redis.url, 'p:'));
      await ready(a, 'warm');
      await ready(b, 'warm');
      await redis.kill();
      // Each node decides at once, on its own budget: bounded, not refused, not unlimited.
      const started = Date.now();
      const whileDown = [await allowedOf(a, 'k', 5), await allowedOf(b, 'k', 5)];
      expect(Date.now() - started).toBeLessThan(1000);
      expect(whileDown.map(count)).toEqual([3, 3]);
      await redis.restart();
      await ready(a, 'warm-again');
      await ready(b, 'warm-again');
      const [onA, onB] = await Promise.all([allowedOf(a, 'k2', 5), allowedOf(b, 'k2', 5)]);
      expect(count(onA) + count(onB)).toBe(3);
    });

    it('decides alone within the command timeout when Redis stops answering', async () => {
      const a = new SharedTokenBucket('frozen', 3, WINDOW_MS, storeOn(redis.url, 'p:'));
      await ready(a, 'warm');
      redis.freeze();
      try {
        const started = Date.now();
        const first = await a.take('k');
        expect(first.allowed).toBe(true);
        expect(Date.now() - started).toBeLessThan(1000);
        // After a failure the store is left alone for a while: no more waits.
        const next: TakeResult | Promise<TakeResult> = a.take('k');
        expect(next).not.toBeInstanceOf(Promise);
      } finally {
        redis.thaw();
      }
    });
  });
});
