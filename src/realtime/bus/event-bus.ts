import type { SharedText } from '../transports/shared-text.js';

/** An event on its way to every node's hub: the frame is serialised once, by the publisher. */
export interface OutboundEvent {
  channel: string;
  /** Absent for ephemeral events. */
  offset?: number;
  event: string;
  /** The `event` frame JSON, identical for every recipient and transport. */
  frame: string;
  /** `frame` encoded once for every socket of this node (filled by the first that sends it). */
  shared?: SharedText;
  /** Ephemeral events that must not reach this user (e.g. typing, to the typist). */
  excludeUserId?: string;
  /** When the publisher handed it over after commit (ms since the epoch): delivery latency. */
  publishedAt?: number;
}

/**
 * Carries events between nodes. Each node subscribes only to the channels its
 * sockets use. Publishing never blocks a request: a bus that is down drops the
 * message, and the hub repairs the gap from the channel log when it reconnects.
 */
export interface EventBus {
  readonly nodeId: string;
  readonly kind: 'in-process' | 'redis';
  /** Events this node could not hand to the bus (sent again, or repaired from the log, once it is back). */
  readonly dropped: number;
  publish(event: OutboundEvent): void;
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Events published by other nodes (a node delivers its own events locally). */
  onEvent(handler: (event: OutboundEvent) => void): void;
  /** Called after the bus came back from a disconnection. */
  onReconnect(handler: () => void): void;
  /** Resolves when the bus answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_BUS = Symbol('EVENT_BUS');
