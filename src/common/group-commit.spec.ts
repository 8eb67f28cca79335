import { GroupCommit } from './group-commit.js';

/** A batch writer that records the batches it saw and can be told to fail. */
function recorder(opts: { failWhen?: (items: number[]) => boolean; leave?: number[] } = {}) {
  const batches: number[][] = [];
  const singles: number[] = [];
  let release: (() => void) | null = null;
  const gc = new GroupCommit<number, string>(
    async (items) => {
      batches.push(items);
      // The first batch waits until released: what arrives meanwhile queues.
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      if (opts.failWhen?.(items)) throw new Error('batch failed');
      return items.map((i) => (opts.leave?.includes(i) ? undefined : `batch:${i}`));
    },
    async (item) => {
      singles.push(item);
      if (item < 0) throw new Error(`bad ${item}`);
      return `one:${item}`;
    },
    3,
  );
  return { gc, batches, singles, release: () => release?.() };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('items of one turn share a batch; items that arrive while it is written share the next, in order, at most maxBatch each', async () => {
    const r = recorder();
    const first = [r.gc.submit(1), r.gc.submit(2)];
    await tick();
    const later = [4, 5, 6, 7].map((i) => r.gc.submit(i));
    r.release();
    await expect(Promise.all([...first, ...later])).resolves.toEqual([
      'batch:1',
      'batch:2',
      'batch:4',
      'batch:5',
      'batch:6',
      'batch:7',
    ]);
    expect(r.batches).toEqual([[1, 2], [4, 5, 6], [7]]);
    expect(r.singles).toEqual([]);
  });

  it('an item the batch leaves out goes the one-by-one way, and its error reaches only its caller', async () => {
    const r = recorder({ leave: [-2] });
    const results = Promise.allSettled([1, -2, 3].map((i) => r.gc.submit(i)));
    await tick();
    r.release();
    const settled = await results;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual([
      'batch:1',
      'Error: bad -2',
      'batch:3',
    ]);
    expect(r.singles).toEqual([-2]);
  });

  it('when a batch fails, each of its items is retried alone, in order, and the next batch still runs', async () => {
    const r = recorder({ failWhen: (items) => items.includes(-1) });
    const results = Promise.allSettled([5, -1, 6].map((i) => r.gc.submit(i)));
    await tick();
    const after = r.gc.submit(8);
    r.release();
    const settled = await results;
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual([
      'one:5',
      'Error: bad -1',
      'one:6',
    ]);
    expect(r.singles).toEqual([5, -1, 6]);
    await expect(after).resolves.toBe('batch:8');
  });

  it('ofBatches: items of one moment in one batch, and a failed batch retried one item at a time through it', async () => {
    const batches: number[][] = [];
    const gc = GroupCommit.ofBatches(async (items: number[]) => {
      batches.push(items);
      if (items.length > 1 && items.includes(-1)) throw new Error('batch failed');
      return items.map((i) => {
        if (i === -1) throw new Error('bad -1');
        return i * 10;
      });
    });
    await expect(Promise.all([1, 2, 3].map((i) => gc.submit(i)))).resolves.toEqual([10, 20, 30]);
    const settled = await Promise.allSettled([4, -1, 5].map((i) => gc.submit(i)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual([
      40,
      'Error: bad -1',
      50,
    ]);
    expect(batches).toEqual([[1, 2, 3], [4, -1, 5], [4], [-1], [5]]);
  });
});
