/** A persisted or ephemeral event as it travels between the log, the bus and the hub. */
export interface ChannelEvent {
  channel: string;
  /** Absent for ephemeral events. */
  offset?: number;
  event: string;
  data: unknown;
  /** ISO 8601. */
  ts: string;
}

/** A frame of the JSON protocol sent to a client (`connected`, `pong`, `ack`, `error`, …). */
export interface ServerFrame {
  type: string;
  [field: string]: unknown;
}

/** A client frame after parsing: `{type, id?, ...}`. */
export interface ClientFrame {
  type: string;
  id?: string;
  [field: string]: unknown;
}

export const MAX_FRAME_ID_LENGTH = 64;

export type ParseResult =
  { ok: true; frame: ClientFrame } | { ok: false; id?: string; message: string; details?: unknown };

/** Parses one text frame of the rt.v1 protocol. Never throws. */
export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'A frame must be a JSON object' };
  }
  const frame = value as Record<string, unknown>;
  const id = frame.id;
  if (
    id !== undefined &&
    (typeof id !== 'string' || id.length === 0 || id.length > MAX_FRAME_ID_LENGTH)
  ) {
    return {
      ok: false,
      message: `id must be a string of 1..${MAX_FRAME_ID_LENGTH} characters`,
      details: [{ field: 'id', errors: ['invalid id'] }],
    };
  }
  if (typeof frame.type !== 'string' || frame.type.length === 0 || frame.type.length > 64) {
    return {
      ok: false,
      id,
      message: 'type is required',
      details: [{ field: 'type', errors: ['type must be a non-empty string'] }],
    };
  }
  return { ok: true, frame: frame as ClientFrame };
}

/** The `event` frame, serialised once per event and shared by every recipient. */
export function encodeEventFrame(e: ChannelEvent): string {
  return JSON.stringify({
    type: 'event',
    channel: e.channel,
    ...(e.offset !== undefined ? { offset: e.offset } : {}),
    event: e.event,
    data: e.data,
    ts: e.ts,
  });
}

export { errorFrame, type ErrorFrame } from '../../common/error-body.js';

/** The `subscribed` reply (PROTOCOL.md section 5), for the socket and for SSE alike. */
export function subscribedFrame(
  channel: string,
  r: { latest: number; recovered?: boolean },
  id?: string,
): ServerFrame {
  return {
    type: 'subscribed',
    ...(id !== undefined ? { id } : {}),
    channel,
    offset: r.latest,
    ...(r.recovered !== undefined ? { recovered: r.recovered } : {}),
  };
}

/** Close codes of the contract (PROTOCOL.md section 3). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  TOO_LARGE: 1009,
  TOKEN_EXPIRED: 4401,
  IDLE: 4408,
  ABUSE: 4429,
} as const;
