import type { ServerFrame } from '../protocols/json/frames.js';

/**
 * Replies leave a session in the order their frames were accepted, whatever
 * each handler awaits: a `pong` never overtakes the ack of an earlier command,
 * and a RATE_LIMITED refusal never overtakes the replies of the frames accepted
 * before it. Each accepted frame reserves a slot; a slot writes as soon as it is
 * at the head of the queue and buffers until then.
 *
 * Events (fan-out) are not replies: they go out at once, on their own order.
 */
export class ReplyOrder<F = ReplyFrame> {
  private readonly slots: ReplySlot<F>[] = [];

  constructor(readonly write: (frame: F) => void) {}

  reserve(): ReplySlot<F> {
    const slot = new ReplySlot<F>(this);
    this.slots.push(slot);
    if (this.slots.length === 1) slot.becameHead();
    return slot;
  }

  /** Slots reserved and not finished yet. */
  get pending(): number {
    return this.slots.length;
  }

  isHead(slot: ReplySlot<F>): boolean {
    return this.slots[0] === slot;
  }

  /** Drops finished slots at the head; the next one writes what it buffered. */
  advance(): void {
    while (this.slots.length > 0 && this.slots[0].done) {
      this.slots.shift();
      this.slots[0]?.becameHead();
    }
  }
}

/** A reply frame of the JSON protocol (`pong`, `ack`, `error`, …). */
export type ReplyFrame = ServerFrame;

/** One accepted frame's place in its session's reply order. */
export class ReplySlot<F = ReplyFrame> {
  done = false;
  private buffered: F[] | null = null;
  private waiters: (() => void)[] | null = null;

  constructor(private readonly order: ReplyOrder<F>) {}

  /** Sends now when every earlier reply has gone out, else when they have. */
  send(frame: F): void {
    if (this.order.isHead(this)) this.order.write(frame);
    else (this.buffered ??= []).push(frame);
  }

  /**
   * Resolves when every earlier reply has gone out: a handler that sends more
   * than frames (a `subscribed` reply followed by replayed events) waits for its
   * turn first, then writes directly.
   */
  turn(): Promise<void> {
    if (this.order.isHead(this)) return Promise.resolve();
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  /** The frame is fully answered: later replies may go. */
  finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.order.isHead(this)) this.order.advance();
  }

  /** Called by the order when this slot reaches the head. */
  becameHead(): void {
    const buffered = this.buffered;
    this.buffered = null;
    if (buffered) for (const frame of buffered) this.order.write(frame);
    const waiters = this.waiters;
    this.waiters = null;
    if (waiters) for (const wake of waiters) wake();
  }
}
