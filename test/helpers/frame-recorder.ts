/**
 * Frames a test client received, in order, and promises of the ones to come:
 * shared by the JSON protocol's and STOMP's test clients.
 */
export class FrameRecorder<F> {
  readonly frames: F[] = [];
  private waiters: { pred: (f: F) => boolean; resolve: (f: F) => void }[] = [];

  constructor(private readonly describe: (recent: F[]) => string) {}

  push(frame: F): void {
    this.frames.push(frame);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(frame)) return true;
      w.resolve(frame);
      return false;
    });
  }

  /** The first frame (already received or to come) matching `pred`. */
  next(pred: (f: F) => boolean, timeoutMs = 5000): Promise<F> {
    const found = this.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; got ${this.describe(this.frames.slice(-5))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }
}
