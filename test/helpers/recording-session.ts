import type { OutboundEvent } from '../../src/realtime/bus/event-bus.js';
import { RtSession } from '../../src/realtime/session/session.js';

/** A session that keeps every frame the hub sends it, for the hub's own tests. */
export class RecordingSession extends RtSession {
  readonly transport = 'ws' as const;
  readonly frames: Record<string, unknown>[] = [];
  sendText(text: string): void {
    this.frames.push(JSON.parse(text) as Record<string, unknown>);
  }
  sendEvent(e: OutboundEvent): void {
    this.sendText(e.frame);
  }
  close(): void {
    this.closed = true;
  }
  end(): void {
    this.close();
  }
  /** The offsets of the channel's events, in the order they arrived. */
  offsets(channel: string): number[] {
    return this.frames
      .filter((f) => f.type === 'event' && f.channel === channel)
      .map((f) => f.offset as number);
  }
}
