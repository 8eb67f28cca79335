/**
 * Counts frames sent to clients, by type, with plain integers: the fan-out loop
 * adds its deliveries once per event instead of looking a label up per socket.
 * The Prometheus counter reads these totals when it is scraped.
 */
export class FrameMeter {
  private readonly counts = new Map<string, number>();

  sent(type: string, n = 1): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + n);
  }

  totals(): ReadonlyMap<string, number> {
    return this.counts;
  }
}

/** Where a session counts before a kernel has accepted it (unit tests build sessions bare). */
export const NO_FRAME_METER = new FrameMeter();
