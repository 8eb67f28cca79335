import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { ChannelPolicy, ChannelPolicyRegistry } from './channels/channel-policy.registry.js';
import { UserChannelFamilies, UserChannelFamily } from './channels/user-channel-families.js';
import { SseService } from './transports/sse/sse.service.js';
import {
  EphemeralEvent,
  EventCatalogueRegistry,
  EventChannel,
  EventData,
  EventItem,
  EventSpec,
  EventSpecs,
  PersistedEvent,
} from './events/event-catalogue.js';
import { ChannelHub } from './hub/channel-hub.js';
import { ChannelLogService, type RowWrite } from './log/channel-log.service.js';
import { ChannelEvent, encodeEventFrame } from './events/channel-event.js';
import { ConnectionRegistry, SessionHook } from './session/connection-registry.js';
import { RealtimeSubscription, Subscription } from './session/session.js';

export type { RealtimeSession, RealtimeSubscription } from './session/session.js';
export type { UserChannelFamily } from './channels/user-channel-families.js';
export type { RowWrite } from './log/channel-log.service.js';

const REVOKE_CONTROL = 'system.revoke';

/**
 * The handle a service gets inside `RealtimeService.transaction`. Events are
 * the declared ones (see events/event-catalogue.ts): a misspelt name, a channel
 * the event does not go to or a wrong payload does not compile.
 */
export interface RealtimeTx {
  readonly em: EntityManager;
  /** Appends a persisted event (offset assigned now, published after commit). */
  append<E extends PersistedEvent>(
    channel: EventChannel<E>,
    event: E,
    data: EventData<E>,
  ): Promise<ChannelEvent>;
  /** Several appends in one statement (in the list's order within a channel). */
  appendAll(items: readonly EventItem[]): Promise<ChannelEvent[]>;
  /** An ephemeral event published after commit (no offset, not in the log). */
  ephemeral<E extends EphemeralEvent>(
    channel: EventChannel<E>,
    event: E,
    data: EventData<E>,
    opts?: { excludeUserId?: string },
  ): void;
  /** Work to run once the transaction committed (e.g. revoke a subscription). */
  afterCommit(fn: () => void): void;
}

/**
 * What feature modules use of the kernel. Services write their rows and append
 * events in one transaction; the kernel publishes after commit, and publishes
 * nothing when the transaction rolls back. Services never touch sockets.
 */
@Injectable()
export class RealtimeService {
  constructor(
    private readonly db: DataSource,
    private readonly log: ChannelLogService,
    private readonly hub: ChannelHub,
    private readonly policies: ChannelPolicyRegistry,
    private readonly registry: ConnectionRegistry,
    private readonly sse: SseService,
    private readonly catalogue: EventCatalogueRegistry,
    private readonly families: UserChannelFamilies,
  ) {
    hub.onControl(REVOKE_CONTROL, (channel, data) => {
      const userId = (data as { userId?: unknown } | null)?.userId;
      if (typeof userId === 'string') this.revokeLocal(userId, channel);
    });
  }

  async transaction<T>(work: (tx: RealtimeTx) => Promise<T>): Promise<T> {
    const pending: { event: ChannelEvent; excludeUserId?: string }[] = [];
    const after: (() => void)[] = [];
    const result = await this.db.transaction(async (em) =>
      work({
        em,
        append: async (channel, event, data) => {
          this.requireDeclared(event, false);
          const e = await this.log.append(em, channel, event, data);
          pending.push({ event: e });
          return e;
        },
        appendAll: async (items) => {
          for (const item of items) this.requireDeclared(item.event, false);
          const events = await this.log.appendAll(em, items);
          for (const event of events) pending.push({ event });
          return events;
        },
        ephemeral: (channel, event, data, opts) => {
          this.requireDeclared(event, true);
          pending.push({
            event: { channel, event, data, ts: new Date().toISOString() },
            excludeUserId: opts?.excludeUserId,
          });
        },
        afterCommit: (fn) => {
          after.push(fn);
        },
      }),
    );
    for (const p of pending) this.hub.publish(p.event, p.excludeUserId);
    for (const fn of after) fn();
    return result;
  }

  /**
   * A row written and its event appended in one statement that commits on its
   * own (one round trip, where `transaction` takes four: begin, write, append,
   * commit), then published. For a write that is one statement which writes
   * its row or fails, and whose event data is known before it runs (ids and
   * times made by the caller, not by the database).
   */
  async appendWith<E extends PersistedEvent>(
    write: RowWrite,
    channel: EventChannel<E>,
    event: E,
    data: EventData<E>,
  ): Promise<ChannelEvent> {
    this.requireDeclared(event, false);
    const [e] = await this.log.appendAll(this.db.manager, [{ channel, event, data }], write);
    this.hub.publish(e);
    return e;
  }

  /** An ephemeral event right away (typing, presence pulses). */
  publishEphemeral<E extends EphemeralEvent>(
    channel: EventChannel<E>,
    event: E,
    data: EventData<E>,
    opts?: { excludeUserId?: string },
  ): void {
    this.requireDeclared(event, true);
    this.hub.publish({ channel, event, data, ts: new Date().toISOString() }, opts?.excludeUserId);
  }

  registerPolicy(policy: ChannelPolicy): void {
    this.policies.register(policy);
  }

  /**
   * A family of channels users take part in (their conversations): listed now
   * and followed through their user channel, for destinations such as STOMP's
   * `/user/queue/messages`.
   */
  registerUserChannels(name: string, family: UserChannelFamily): void {
    this.families.register(name, family);
  }

  /** A module's event declarations (its `<module>.events.ts`), registered once at start-up. */
  registerEvents(module: string, events: EventSpecs): void {
    this.catalogue.register(module, events);
  }

  /** Every registered event declaration, by name: read-only, for the protocol documents. */
  declaredEvents(): ReadonlyMap<string, EventSpec & { module: string }> {
    return this.catalogue.all();
  }

  /** Throws NOT_FOUND / UNAUTHORIZED / FORBIDDEN exactly as a subscribe would. */
  authorize(user: AuthUser | null, channel: string): Promise<string> {
    return this.policies.authorize(user, channel);
  }

  /**
   * Ends a user's subscription to a channel on this node at once (membership
   * changed). Other nodes do the same when they receive the `system.revoke`
   * control message that `revokeEverywhere` publishes.
   */
  private revokeLocal(userId: string, channel: string): number {
    let n = 0;
    for (const s of this.registry.sessionsOf(userId)) {
      for (const sub of this.hub.leaveChannel(s, channel)) {
        n += 1;
        s.revoked(sub);
      }
    }
    return n;
  }

  /**
   * Revokes on every node: locally now, and on the other nodes that have
   * subscribers on the channel through a control message (never sent to clients).
   */
  revokeEverywhere(userId: string, channel: string): void {
    this.revokeLocal(userId, channel);
    this.hub.publishControl(channel, REVOKE_CONTROL, { userId });
  }

  /** True while the user has a session (socket or event stream) on this node. */
  isConnectedHere(userId: string): boolean {
    return this.registry.isConnected(userId);
  }

  /**
   * Runs when a session becomes a user's: at connect, or when an anonymous
   * socket authenticates. The client is told it is connected (`connected`,
   * `authenticated`) only once every such hook has finished (at most 5 s), so
   * what a hook records is visible to everyone from then on.
   */
  onSessionOpening(fn: SessionHook): void {
    this.registry.onOpening(fn);
  }

  /** Runs when a session closed. */
  onSessionClosed(fn: SessionHook): void {
    this.registry.onClosed(fn);
  }

  /**
   * Runs once a subscription to a user's own channel is live: from then on
   * every event committed on `user:{id}` reaches it, so state read now and sent
   * with `deliver` cannot miss one committed in between.
   */
  onUserChannelReady(fn: (sub: RealtimeSubscription) => void | Promise<void>): void {
    this.registry.onUserChannelReady(fn);
  }

  /**
   * Sends already persisted events through one subscription as events without
   * an offset: re-sends of state (waiting notifications), not new events of the
   * channel.
   */
  deliver<E extends PersistedEvent>(
    sub: RealtimeSubscription,
    event: E,
    items: readonly { data: EventData<E>; ts: string }[],
  ): void {
    const own = sub as Subscription;
    const session = own.session;
    // Only through a subscription still in place: a re-subscribe replaced it, a close ended it.
    if (session.closed || session.subs.get(own.key) !== own) return;
    const channel = own.channel;
    for (const { data, ts } of items)
      session.sendEvent(
        { channel, event, frame: encodeEventFrame({ channel, event, data, ts }) },
        own,
      );
    session.meter.sent('event', items.length);
  }

  /**
   * Streams already authorised channels to an HTTP client as Server-Sent Events
   * until it goes away, resuming from a `Last-Event-ID` cursor when given. The
   * kernel's stream limits apply (connect rate, caps per user and per address).
   */
  async openEventStream(
    req: Request,
    res: Response,
    user: AuthUser | null,
    channels: string[],
    lastEventId: string | undefined,
  ): Promise<void> {
    await this.sse.admit(req, user);
    await this.sse.open(req, res, user, channels, lastEventId);
  }

  /** A programming error, caught by the first test that writes the event: declare it in `<module>.events.ts`. */
  private requireDeclared(event: string, ephemeral: boolean): void {
    const spec = this.catalogue.get(event);
    if (!spec) throw new Error(`event "${event}" is not declared in any <module>.events.ts`);
    if ((spec.ephemeral === true) !== ephemeral)
      throw new Error(`event "${event}" is declared ${ephemeral ? 'persisted' : 'ephemeral'}`);
  }
}
