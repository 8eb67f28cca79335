/**
 * Group commit: work submitted while a batch is being written waits and goes
 * into the next batch, so under load many items share one transaction (one
 * commit, a handful of round trips) and at rest an item is written at once.
 * One batch is in flight at a time, and items keep their submission order.
 *
 * `runBatch` answers each item with its result, or `undefined` for an item it
 * left for `runOne` (the ordinary one-item path, e.g. for errors and
 * idempotent retries). When a batch throws, nothing of it was committed and
 * every item of it goes through `runOne`: one bad item never fails the others.
 * Reads use it too: lookups asked at the same moment (a reconnect storm) share
 * one query, each still started after it was asked.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<(O | undefined)[]>,
    private readonly runOne: (item: I) => Promise<O>,
    private readonly maxBatch = 256,
  ) {}

  /**
   * For work whose batch of one is the one-item path (reads, and writes that
   * cannot fail for one item without failing for all): a failed batch is
   * retried one item at a time through the same function.
   */
  static ofBatches<I, O>(
    runBatch: (items: I[]) => Promise<O[]>,
    maxBatch?: number,
  ): GroupCommit<I, O> {
    return new GroupCommit<I, O>(runBatch, async (item) => (await runBatch([item]))[0], maxBatch);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Items submitted in this same turn of the event loop join the batch. drain
        // never rejects: each item's failure goes to that item's own promise.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: (O | undefined)[] | null;
      try {
        results = await this.runBatch(batch.map((b) => b.item));
      } catch {
        results = null;
      }
      // In order, one at a time: the leftovers keep their submission order too.
      for (const [i, b] of batch.entries()) {
        const done = results?.[i];
        if (done !== undefined) {
          b.resolve(done);
          continue;
        }
        try {
          b.resolve(await this.runOne(b.item));
        } catch (err) {
          b.reject(err);
        }
      }
    }
    this.running = false;
  }
}
