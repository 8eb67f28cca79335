import type { SharedCounterStore, SharedTake } from './shared-token-bucket.js';
import { SharedTokenBucket } from './shared-token-bucket.js';
import type { TakeResult } from './token-bucket.js';

/** A shared store played by the test: it answers what the test says, and counts the asks. */
class FakeStore implements SharedCounterStore {
  asked = 0;
  down = false;
  fails = false;
  answer: SharedTake = { allowed: true, retryAfterMs: 0, remaining: 9, tokens: 9 };
  take(): Promise<SharedTake | null> | null {
    if (this.down) return null;
    this.asked += 1;
    return Promise.resolve(this.fails ? null : this.answer);
  }
}

const resolved = async (r: TakeResult | Promise<TakeResult>): Promise<TakeResult> => r;

describe('SharedTokenBucket', () => {
  let now = 1_000_000;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('without a store, decides alone and synchronously', () => {
    const b = new SharedTokenBucket('t', 2, 1000, null, clock);
    const answers = [b.take('k'), b.take('k'), b.take('k')];
    expect(answers.some((a) => a instanceof Promise)).toBe(false);
    expect(answers.map((a) => (a as TakeResult).allowed)).toEqual([true, true, false]);
  });

  it('asks the store for what this node would admit, and follows its answer', async () => {
    const store = new FakeStore();
    const b = new SharedTokenBucket('t', 10, 1000, store, clock);
    store.answer = { allowed: false, retryAfterMs: 300, remaining: 0, tokens: 0.5 };
    const refused = await resolved(b.take('k'));
    expect(refused).toEqual({ allowed: false, retryAfterMs: 300, remaining: 0 });
    expect(store.asked).toBe(1);
    // The shared bucket is empty: this node's own now refuses without asking.
    const local = b.take('k');
    expect(local).not.toBeInstanceOf(Promise);
    expect((local as TakeResult).allowed).toBe(false);
    expect(store.asked).toBe(1);
    // Refilled with time, it asks again.
    now += 200;
    store.answer = { allowed: true, retryAfterMs: 0, remaining: 1, tokens: 1.5 };
    await expect(resolved(b.take('k'))).resolves.toMatchObject({ allowed: true });
    expect(store.asked).toBe(2);
  });

  it('refuses a flood locally: once its own bucket is empty, no more round trips', async () => {
    const store = new FakeStore();
    const b = new SharedTokenBucket('t', 3, 60_000, store, clock);
    const answers = await Promise.all(Array.from({ length: 10 }, () => resolved(b.take('k'))));
    expect(answers.map((a) => a.allowed)).toEqual([
      ...Array<boolean>(3).fill(true),
      ...Array<boolean>(7).fill(false),
    ]);
    expect(store.asked).toBe(3);
  });

  it('falls back to its own bucket when the store is down or fails', async () => {
    const store = new FakeStore();
    const b = new SharedTokenBucket('t', 2, 60_000, store, clock);
    store.down = true;
    expect((b.take('k') as TakeResult).allowed).toBe(true);
    store.down = false;
    store.fails = true;
    await expect(resolved(b.take('k'))).resolves.toMatchObject({ allowed: true });
    // Still bounded: this node's budget is spent.
    expect((b.take('k') as TakeResult).allowed).toBe(false);
  });
});
