import type { EventName } from './generated/protocol.js';
import type { EventSourceFactory, EventSourceLike } from './types.js';

/**
 * The event names the server emits today. An EventSource dispatches a message
 * whose `event:` field is a name only to listeners of that name (there is no
 * catch-all), so the fallback must listen to each by name; `eventNames` in the
 * options adds names of newer modules.
 */
export const SERVER_EVENT_NAMES = [
  'announcement.created',
  'board.card.created',
  'board.card.deleted',
  'board.card.moved',
  'board.card.updated',
  'board.column.created',
  'board.column.deleted',
  'board.column.updated',
  'board.member.added',
  'board.member.removed',
  'board.member.updated',
  'calendar.event.created',
  'calendar.event.deleted',
  'calendar.event.updated',
  'chat.conversation.created',
  'chat.message.created',
  'chat.message.deleted',
  'chat.message.updated',
  'chat.participant.added',
  'chat.participant.removed',
  'chat.read',
  'chat.typing',
  'notification.created',
  'notification.read',
  'presence.changed',
] as const satisfies readonly EventName[];

/** Fails to compile when the server declares an event this list lacks (regenerate, then add it). */
type MissingEventNames = Exclude<EventName, (typeof SERVER_EVENT_NAMES)[number]>;
export const EVERY_EVENT_LISTENED: [MissingEventNames] extends [never] ? true : never = true;

/**
 * The stream's resume cursor, in the server's `Last-Event-ID` format
 * (base64url JSON of channel → offset). The client builds it from its own
 * offsets rather than echoing the last `id:`, so channels added since, and
 * offsets restored from storage, resume too.
 */
export function encodeCursor(positions: Record<string, number>): string {
  const bytes = new TextEncoder().encode(JSON.stringify(positions));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * `GET /api/stream?channels=…`: the token in `?token=` (an EventSource cannot
 * send headers) and the cursor in `?lastEventId=` (the first request cannot
 * send the header either; the server reads both).
 */
export function streamUrl(
  apiBase: string,
  channels: readonly string[],
  token: string | null,
  positions: Record<string, number>,
): string {
  const q = [`channels=${encodeURIComponent(channels.join(','))}`];
  if (token) q.push(`token=${encodeURIComponent(token)}`);
  if (Object.keys(positions).length > 0) q.push(`lastEventId=${encodeCursor(positions)}`);
  return `${apiBase}/stream?${q.join('&')}`;
}

export interface SseHandlers {
  onOpen(): void;
  /** A `subscribed`, `unsubscribed` or `event` frame (the SSE `data:` is the socket's frame). */
  onFrame(frame: unknown): void;
  /** The stream failed or ended (token expiry ends it too). It is closed already. */
  onError(): void;
}

/**
 * One EventSource at a time. On any error it is closed rather than left to
 * reconnect by itself: its own retry would resend the old URL, with a token
 * that may have expired, so the client reopens it with a fresh token and cursor.
 */
export class SseLink {
  private source: EventSourceLike | null = null;

  constructor(
    private readonly factory: EventSourceFactory,
    private readonly names: readonly string[],
    private readonly handlers: SseHandlers,
  ) {}

  get isOpen(): boolean {
    return this.source !== null;
  }

  open(url: string): void {
    this.close();
    const source = this.factory(url);
    this.source = source;
    const onMessage = (ev: { data: string }): void => {
      if (this.source !== source) return;
      let frame: unknown;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.handlers.onFrame(frame);
    };
    for (const name of ['subscribed', 'unsubscribed', ...this.names])
      source.addEventListener(name, onMessage);
    source.onopen = () => {
      if (this.source === source) this.handlers.onOpen();
    };
    source.onerror = () => {
      if (this.source !== source) return;
      this.close();
      this.handlers.onError();
    };
  }

  close(): void {
    const source = this.source;
    this.source = null;
    if (!source) return;
    source.onopen = null;
    source.onerror = null;
    source.close();
  }
}
