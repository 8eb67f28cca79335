import { Injectable, type Type } from '@nestjs/common';

/**
 * The catalogue of real-time events: each module declares its events in one
 * `<module>.events.ts` (the channels each goes to, the class of its `data`,
 * whether it is persisted), registers that declaration with the kernel at
 * start-up, and augments `RealtimeEvents` with it, so that `tx.append` and
 * `tx.ephemeral` only take a declared event, on one of its channels, with its
 * payload type. The protocol documents (AsyncAPI) and other wire protocols read
 * the same declarations at run time.
 */

/** One event: where it goes and what its `data` is. */
export interface EventSpec {
  /**
   * Channel patterns it is published on; `{name}` stands for an id
   * (`chat:{conversationId}`), a bare name is one channel (`presence`).
   */
  readonly channels: readonly string[];
  /** The class of `data` (a view class with Swagger metadata). */
  readonly payload: Type<object>;
  /** Ephemeral events carry no offset and are not in the channel log. */
  readonly ephemeral?: boolean;
  readonly description: string;
}

export type EventSpecs = Readonly<Record<string, EventSpec>>;

/**
 * Declares a module's events, keeping their literal names and channel patterns
 * for the type checker.
 */
export function defineEvents<const T extends EventSpecs>(events: T): T {
  return events;
}

/**
 * Every declared event, by name: modules add theirs with a module augmentation:
 *
 *     declare module '../realtime/events/event-catalogue.js' {
 *       interface RealtimeEvents extends EventsOf<typeof CHAT_EVENTS> {}
 *     }
 */
export interface RealtimeEvents {}

/** `chat:{conversationId}` → `chat:${string}`; `presence` → `presence`. */
export type ChannelOf<Pattern extends string> = Pattern extends `${infer Prefix}:{${string}}`
  ? `${Prefix}:${string}`
  : Pattern;

/** What the type checker knows of each event of a module's declaration. */
export type EventsOf<T extends EventSpecs> = {
  [E in keyof T]: {
    channel: ChannelOf<T[E]['channels'][number]>;
    data: InstanceType<T[E]['payload']>;
    ephemeral: T[E]['ephemeral'] extends true ? true : false;
  };
};

type EventEntry = { channel: string; data: object; ephemeral: boolean };
type Entry<E extends keyof RealtimeEvents> = RealtimeEvents[E] extends EventEntry
  ? RealtimeEvents[E]
  : never;

/** Declared events that are persisted (they get offsets). */
export type PersistedEvent = {
  [E in keyof RealtimeEvents]: Entry<E>['ephemeral'] extends false ? E : never;
}[keyof RealtimeEvents] &
  string;

/** Declared events that are ephemeral (typing, presence pulses). */
export type EphemeralEvent = {
  [E in keyof RealtimeEvents]: Entry<E>['ephemeral'] extends true ? E : never;
}[keyof RealtimeEvents] &
  string;

export type EventChannel<E extends keyof RealtimeEvents> = Entry<E>['channel'];
export type EventData<E extends keyof RealtimeEvents> = Entry<E>['data'];

/** One declared event, to append (in `appendAll`). */
export type EventItem = {
  [E in PersistedEvent]: { channel: EventChannel<E>; event: E; data: EventData<E> };
}[PersistedEvent];

/** The declarations registered by the modules of this app, for checks and documents at run time. */
@Injectable()
export class EventCatalogueRegistry {
  private readonly events = new Map<string, EventSpec & { module: string }>();

  register(module: string, specs: EventSpecs): void {
    for (const [name, spec] of Object.entries(specs)) {
      if (this.events.has(name)) throw new Error(`event "${name}" is declared twice`);
      this.events.set(name, { ...spec, module });
    }
  }

  get(name: string): (EventSpec & { module: string }) | undefined {
    return this.events.get(name);
  }

  all(): ReadonlyMap<string, EventSpec & { module: string }> {
    return this.events;
  }
}
