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
  if (frame.action !== undefined) return fromRoomDialect(frame, frame.type, id);
  return { ok: true, frame: frame as ClientFrame };
}

const ACTION_RE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * The `{type, action, data}` shape of room-based servers, read as the
 * contract's frames: `{"type":"chat","action":"send"}` is `chat.send`;
 * `system.joinRoom` / `system.leaveRoom` with `data.roomName` subscribe to and
 * leave that channel. Frames in the contract's own shape never come here.
 */
function fromRoomDialect(
  frame: Record<string, unknown>,
  type: string,
  id: string | undefined,
): ParseResult {
  const action = frame.action;
  if (typeof action !== 'string' || !ACTION_RE.test(action))
    return {
      ok: false,
      id,
      message: 'action must be a name of 1..32 letters, digits or underscores',
      details: [{ field: 'action', errors: ['invalid action'] }],
    };
  const data = frame.data;
  const fields =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  const ids = id === undefined ? {} : { id };
  if (type === 'system' && (action === 'joinRoom' || action === 'leaveRoom'))
    return {
      ok: true,
      frame:
        action === 'joinRoom'
          ? { type: 'subscribe', ...ids, channel: fields.roomName, since: fields.since }
          : { type: 'unsubscribe', ...ids, channel: fields.roomName },
    };
  const command = `${type}.${action}`;
  if (command.length > 64)
    return {
      ok: false,
      id,
      message: 'type and action are too long together',
      details: [{ field: 'action', errors: ['type.action must be at most 64 characters'] }],
    };
  return { ok: true, frame: { type: command, ...ids, ...(data === undefined ? {} : { data }) } };
}

export { errorFrame, type ErrorFrame } from '../../../common/error-body.js';

/** The `subscribed` reply, for the socket and for SSE alike. */
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
