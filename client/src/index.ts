import { RealtimeClient } from './client.js';
import type { CommandMap, EventMap } from './generated/protocol.js';
import type { ClientOptions, CommandMapShape } from './types.js';

/**
 * Connects to the server and keeps connected until `close()`. Events and
 * commands are typed by the maps generated from the server's AsyncAPI document
 * (`EventMap`, `CommandMap`); give your own maps to type a server of your own.
 */
export function connect<E extends object = EventMap, C extends CommandMapShape<C> = CommandMap>(
  options: ClientOptions,
): RealtimeClient<E, C> {
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
export type * from './generated/protocol.js';
export { CHANNEL_PATTERNS, EPHEMERAL_EVENTS } from './generated/protocol.js';
