import type { Response } from 'express';
import type { AuthUser } from '../../../auth/auth.types.js';
import type { OutboundEvent } from '../../bus/event-bus.js';
import type { ServerFrame } from '../../protocols/json/frames.js';
import { RtSession } from '../../session/session.js';

/**
 * A session carried by Server-Sent Events. Each persisted event's `id:` is a
 * cursor of every channel of the stream, so `Last-Event-ID` resumes them all.
 */
export class SseSession extends RtSession {
  readonly transport = 'sse' as const;
  /**
   * Where the stream resumed from (`Last-Event-ID`), for the channels not joined
   * yet: a cursor written while the first channels replay must still resume the
   * others from there.
   */
  resumedFrom: Record<string, number> = {};

  constructor(
    private readonly res: Response,
    user: AuthUser | null,
    ip: string,
    /** Unsent bytes past which the client is taken as not reading. */
    private readonly maxBufferedBytes = Infinity,
    /** Called once when the unsent bytes pass the bound. */
    private readonly onBackedUp: () => void = () => undefined,
  ) {
    super(user, ip);
  }

  sendText(text: string): void {
    this.write(`data: ${text}\n\n`);
  }

  override send(frame: ServerFrame): void {
    this.meter.sent(frame.type);
    this.write(`event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`);
  }

  override sendEvent(e: OutboundEvent): void {
    const id = e.offset === undefined ? '' : `id: ${encodeCursor(this.positions())}\n`;
    this.write(`${id}event: ${e.event}\ndata: ${e.frame}\n\n`);
  }

  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  close(_code: number, _reason: string): void {
    if (!this.res.writableEnded) this.res.end();
  }

  /**
   * SSE has no close code: a last comment says why (EventSource ignores it; a
   * client reading the stream itself can tell an expired token from a drop),
   * then the response ends.
   */
  end(code: number, reason: string): void {
    this.comment(`closed ${code} ${reason}`);
    this.close(code, reason);
  }

  private positions(): Record<string, number> {
    const out: Record<string, number> = { ...this.resumedFrom };
    for (const [channel, sub] of this.subs) out[channel] = sub.pos;
    return out;
  }

  private write(chunk: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.res.write(chunk);
    if (this.res.writableLength > this.maxBufferedBytes) this.onBackedUp();
  }
}

export function encodeCursor(positions: Record<string, number>): string {
  return Buffer.from(JSON.stringify(positions)).toString('base64url');
}

/** Positions from a `Last-Event-ID`; an unreadable one resumes nothing. */
export function decodeCursor(value: string | undefined): Record<string, number> {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed))
      if (Number.isSafeInteger(v) && (v as number) >= 0) out[k] = v as number;
    return out;
  } catch {
    return {};
  }
}
