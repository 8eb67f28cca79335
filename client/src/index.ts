import { RealtimeClient } from './client.js';
import type { ClientOptions, CommandMapShape, LooseCommandMap, LooseEventMap } from './types.js';

/**
 * Connects to the server and keeps connected until `close()`. Give the
 * generated maps (or your own) to type events and commands:
 * `connect<EventMap, CommandMap>({ url, getToken })`.
 */
export function connect<
  E extends object = LooseEventMap,
  C extends CommandMapShape<C> = LooseCommandMap,
>(options: ClientOptions): RealtimeClient<E, C> {
  return new RealtimeClient<E, C>(options);
}

export { RealtimeClient, endpoints } from './client.js';
export { RtError, type RtErrorCode, type RtErrorInit } from './errors.js';
export { backoffDelay, decideAfterClose, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { OffsetTracker, type OffsetStorage } from './offsets.js';
export { REST_COMMANDS } from './rest.js';
export { SERVER_EVENT_NAMES } from './sse.js';
export { renewDelayMs, tokenExpiry } from './token.js';
export type * from './types.js';
