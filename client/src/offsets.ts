/**
 * Where a channel's last seen offset is kept between page loads (for example
 * over `localStorage`), so that a reload resumes too. `get` may be async
 * (IndexedDB); `set` is called for every event delivered and should be cheap.
 */
export interface OffsetStorage {
  get(channel: string): number | null | undefined | Promise<number | null | undefined>;
  set(channel: string, offset: number): void;
}

/** What a `subscribed` reply changed, for the subscriber. */
export interface SubscribedOutcome {
  /** False when events were lost for good (reload over REST). */
  recovered: boolean;
  /** The offset the channel is now followed from. */
  offset: number;
}

/**
 * The last offset delivered per channel. Offsets are 1, 2, 3, … per channel,
 * delivered in order, so "at most once" is "only offsets above the last one";
 * a replay after a reconnect overlaps what was already seen, and this drops the overlap.
 */
export class OffsetTracker {
  private readonly last = new Map<string, number>();

  constructor(private readonly storage?: OffsetStorage) {}

  get(channel: string): number | undefined {
    return this.last.get(channel);
  }

  /** The in-memory offset, else the stored one (read once per channel). */
  async resumePoint(channel: string): Promise<number | undefined> {
    const known = this.last.get(channel);
    if (known !== undefined || !this.storage) return known;
    let stored: number | null | undefined;
    try {
      stored = await this.storage.get(channel);
    } catch {
      // A storage that fails (quota, private mode) must not stop the subscription:
      // the channel then starts from now, as without storage.
      stored = undefined;
    }
    if (typeof stored !== 'number' || !Number.isSafeInteger(stored) || stored < 0)
      return this.last.get(channel);
    // An event may have been delivered while storage was read: keep the higher one.
    const now = this.last.get(channel);
    if (now === undefined || stored > now) this.last.set(channel, stored);
    return this.last.get(channel);
  }

  /** Records an event's offset; false for an offset already delivered (a duplicate). */
  accept(channel: string, offset: number | undefined): boolean {
    // Ephemeral events (typing, presence) carry no offset and are never replayed.
    if (offset === undefined) return true;
    const prev = this.last.get(channel);
    if (prev !== undefined && offset <= prev) return false;
    this.set(channel, offset);
    return true;
  }

  /**
   * Applies a `subscribed` reply. `since` is the offset the subscribe asked from
   * (undefined for a fresh one). The server answers with its latest offset: a
   * fresh subscription starts there; a latest below what we saw means the log
   * was reset (another database, history dropped): follow it from there, and
   * report it as not recovered so the app reloads.
   */
  subscribed(
    channel: string,
    since: number | undefined,
    reply: { offset: number; recovered?: boolean },
  ): SubscribedOutcome {
    const from = this.last.get(channel) ?? since;
    if (from === undefined) {
      this.set(channel, reply.offset);
      return { recovered: true, offset: reply.offset };
    }
    if (reply.offset < from) {
      this.set(channel, reply.offset);
      return { recovered: false, offset: reply.offset };
    }
    // An explicit `since` seeds the channel, so that events up to it are dropped.
    if (this.last.get(channel) === undefined) this.set(channel, from);
    return { recovered: reply.recovered !== false, offset: from };
  }

  /** Every channel's last offset, for an SSE resume cursor. */
  snapshot(channels: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of channels) {
      const o = this.last.get(c);
      if (o !== undefined) out[c] = o;
    }
    return out;
  }

  private set(channel: string, offset: number): void {
    this.last.set(channel, offset);
    try {
      this.storage?.set(channel, offset);
    } catch {
      // Same as get: losing persistence only costs a reload's resume.
    }
  }
}
