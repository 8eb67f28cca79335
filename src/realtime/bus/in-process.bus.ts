import { randomUUID } from 'node:crypto';
import { EventBus, OutboundEvent } from './event-bus.js';

/** The single-node bus: nothing crosses a process, so there is nothing to carry. */
export class InProcessBus implements EventBus {
  readonly nodeId = randomUUID();
  readonly kind = 'in-process' as const;
  readonly dropped = 0;

  publish(_event: OutboundEvent): void {
    // The publishing node delivers to its own hub directly; no other node exists.
  }
  async subscribe(_channel: string): Promise<void> {}
  async unsubscribe(_channel: string): Promise<void> {}
  onEvent(_handler: (event: OutboundEvent) => void): void {}
  onReconnect(_handler: () => void): void {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
