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

/**
 * The canonical encoding of an event: the JSON protocol's `event` frame.
 * Serialised once per event; the bus carries it between nodes, SSE sends it as
 * `data:`, and other protocols read the event from it.
 */
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
