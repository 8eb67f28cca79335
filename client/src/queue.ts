/**
 * Commands waiting for a connection, in the order they were issued. Bounded,
 * so an app offline for hours cannot grow it without limit.
 */
export class CommandQueue<T> {
  private items: T[] = [];

  constructor(readonly max: number) {}

  get size(): number {
    return this.items.length;
  }

  /** False when the queue is full (the caller rejects the command). */
  push(item: T): boolean {
    if (this.items.length >= this.max) return false;
    this.items.push(item);
    return true;
  }

  /** Puts commands back at the head, before those queued later (a resend after a drop). */
  requeueFirst(items: readonly T[]): void {
    this.items = [...items, ...this.items];
  }

  remove(item: T): boolean {
    const i = this.items.indexOf(item);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  /** Empties the queue and returns what it held, oldest first. */
  drain(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}
