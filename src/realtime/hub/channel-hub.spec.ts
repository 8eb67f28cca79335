import { pino } from 'pino';
import type { AppConfig } from '../../config/app-config.js';
import type { EventBus, OutboundEvent } from '../bus/event-bus.js';
import type { ChannelLogService, ReadResult } from '../log/channel-log.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ChannelEvent, encodeEventFrame } from '../events/channel-event.js';
import { RecordingSession } from '../../../test/helpers/recording-session.js';
import { ChannelHub } from './channel-hub.js';

/** A bus between "nodes" of one test: it only records, and lets the test play other nodes. */
class FakeBus implements EventBus {
  readonly nodeId = 'node-a';
  readonly kind = 'redis' as const;
  readonly dropped = 0;
  readonly published: OutboundEvent[] = [];
  readonly subscribed = new Set<string>();
  private eventHandler: (e: OutboundEvent) => void = () => undefined;
  private reconnectHandler: () => void = () => undefined;
  publish(e: OutboundEvent): void {
    this.published.push(e);
  }
  async subscribe(channel: string): Promise<void> {
    this.subscribed.add(channel);
  }
  async unsubscribe(channel: string): Promise<void> {
    this.subscribed.delete(channel);
  }
  onEvent(h: (e: OutboundEvent) => void): void {
    this.eventHandler = h;
  }
  onReconnect(h: () => void): void {
    this.reconnectHandler = h;
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
  /** An event published by another node. */
  receive(e: ChannelEvent): void {
    this.eventHandler({
      channel: e.channel,
      offset: e.offset,
      event: e.event,
      frame: encodeEventFrame(e),
    });
  }
  reconnect(): void {
    this.reconnectHandler();
  }
}

/** The channel log in memory; reads can be held back to play races. */
class FakeLog {
  readonly rows = new Map<string, ChannelEvent[]>();
  hold: Promise<void> | null = null;
  /** How many recovery reads (readSince) were made. */
  sinceReads = 0;

  append(channel: string, n: number): ChannelEvent {
    const list = this.rows.get(channel) ?? [];
    this.rows.set(channel, list);
    const e: ChannelEvent = {
      channel,
      offset: list.length + 1,
      event: 'x.created',
      data: { n },
      ts: 'ts',
    };
    list.push(e);
    return e;
  }
  async latest(channel: string): Promise<number> {
    return this.rows.get(channel)?.length ?? 0;
  }
  async readSince(channel: string, since: number, limit: number): Promise<ReadResult> {
    this.sinceReads += 1;
    const latest = await this.latest(channel);
    if (this.hold) await this.hold;
    const events = (this.rows.get(channel) ?? []).filter((e) => e.offset! > since).slice(0, limit);
    return { events, latest, recovered: since <= latest };
  }
  async readRange(channel: string, from: number, to: number): Promise<ChannelEvent[]> {
    return (this.rows.get(channel) ?? []).filter((e) => e.offset! >= from && e.offset! < to);
  }
}

async function until(pred: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ChannelHub', () => {
  let bus: FakeBus;
  let log: FakeLog;
  let hub: ChannelHub;
  const config = { history: { maxEvents: 1000 } } as AppConfig;

  beforeEach(() => {
    bus = new FakeBus();
    log = new FakeLog();
    hub = new ChannelHub(
      bus,
      log as unknown as ChannelLogService,
      new MetricsService(),
      config,
      pino({ level: 'silent' }),
    );
  });
  afterEach(() => hub.onModuleDestroy());

  it('registers a subscription before anything is awaited', async () => {
    const s = new RecordingSession(null, '1.2.3.4');
    const joining = hub.join(s, 'room:1', undefined);
    expect([...s.subs.keys()]).toEqual(['room:1']);
    expect(hub.subscriptionCount()).toBe(1);
    await joining;
    expect(bus.subscribed.has('room:1')).toBe(true);
  });

  it('delivers events of other nodes in offset order, whatever order they arrive in', async () => {
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, 'room:1', undefined);
    const [e1, e2, e3] = [
      log.append('room:1', 1),
      log.append('room:1', 2),
      log.append('room:1', 3),
    ];
    bus.receive(e3);
    bus.receive(e1);
    bus.receive(e1);
    bus.receive(e2);
    expect(s.offsets('room:1')).toEqual([1, 2, 3]);
  });

  it('reads an event the bus lost back from the log', async () => {
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, 'room:1', undefined);
    const e1 = log.append('room:1', 1);
    log.append('room:1', 2);
    const e3 = log.append('room:1', 3);
    bus.receive(e1);
    bus.receive(e3);
    expect(s.offsets('room:1')).toEqual([1]);
    await until(() => s.offsets('room:1').length === 3);
    expect(s.offsets('room:1')).toEqual([1, 2, 3]);
  });

  it('replays from since, then sends what arrived during the read, each event once', async () => {
    for (let n = 1; n <= 3; n++) log.append('room:1', n);
    const watcher = new RecordingSession(null, 'ip');
    await hub.join(watcher, 'room:1', undefined);
    let release!: () => void;
    log.hold = new Promise((r) => (release = r));
    const s = new RecordingSession(null, 'ip');
    const replies: unknown[] = [];
    const joining = hub.join(s, 'room:1', 1, { reply: (r) => replies.push(r) });
    await new Promise((r) => setTimeout(r, 10));
    // Committed and published while the replay is being read: 4 is in the read too.
    const e4 = log.append('room:1', 4);
    hub.publish(e4);
    const e5 = log.append('room:1', 5);
    release();
    hub.publish(e5);
    await joining;
    expect(replies).toEqual([{ latest: 3, recovered: true, replayed: 4 }]);
    expect(s.offsets('room:1')).toEqual([2, 3, 4, 5]);
    expect(watcher.offsets('room:1')).toEqual([4, 5]);
    expect(bus.published.map((e) => e.offset)).toEqual([4, 5]);
  });

  it('leaves nothing behind for a session that closed while joining', async () => {
    // An event to replay: the join reads the log, and the session closes meanwhile.
    log.append('room:1', 1);
    let release!: () => void;
    log.hold = new Promise((r) => (release = r));
    const s = new RecordingSession(null, 'ip');
    const joining = hub.join(s, 'room:1', 0);
    s.closed = true;
    hub.leaveAll(s);
    release();
    await joining;
    expect(hub.subscriptionCount()).toBe(0);
    expect(hub.channelCount).toBe(0);
    expect(s.frames).toEqual([]);
  });

  it('joins from where the channel stands without reading the log, and misses nothing after', async () => {
    const watcher = new RecordingSession(null, 'ip');
    await hub.join(watcher, 'room:1', undefined);
    hub.publish(log.append('room:1', 1));
    hub.publish(log.append('room:1', 2));
    const s = new RecordingSession(null, 'ip');
    const replies: unknown[] = [];
    await hub.join(s, 'room:1', 2, { reply: (r) => replies.push(r) });
    expect(log.sinceReads).toBe(0);
    expect(replies).toEqual([{ latest: 2, recovered: true, replayed: 0 }]);
    hub.publish(log.append('room:1', 3));
    expect(s.offsets('room:1')).toEqual([3]);
    // Behind the channel, or beyond it: read from the log as before.
    const behind = new RecordingSession(null, 'ip');
    await hub.join(behind, 'room:1', 1);
    expect(log.sinceReads).toBe(1);
    expect(behind.offsets('room:1')).toEqual([2, 3]);
  });

  it('holds a channel open for a subscription to come: one read, nothing missed, closed when unused', async () => {
    log.append('user:u1', 1);
    let latestReads = 0;
    const latest = log.latest.bind(log);
    log.latest = (channel: string) => {
      latestReads += 1;
      return latest(channel);
    };
    const hold = await hub.hold('user:u1');
    expect(hold.position).toBe(1);
    expect(bus.subscribed.has('user:u1')).toBe(true);
    const s = new RecordingSession(null, 'ip');
    const joining = hub.join(s, 'user:u1', hold.position);
    hold.release();
    hold.release();
    await joining;
    hub.publish(log.append('user:u1', 2));
    expect(s.offsets('user:u1')).toEqual([2]);
    // The channel's own read was the only one: the join needed none.
    expect(latestReads).toBe(1);
    expect(log.sinceReads).toBe(0);
    expect(hub.channelCount).toBe(1);
    hub.leaveAll(s);
    expect(hub.channelCount).toBe(0);

    // Committed while the socket still upgrades (no subscriber yet): the join replays it.
    const late = await hub.hold('user:u3');
    hub.publish(log.append('user:u3', 1));
    const t = new RecordingSession(null, 'ip');
    const joiningLate = hub.join(t, 'user:u3', late.position);
    late.release();
    await joiningLate;
    hub.publish(log.append('user:u3', 2));
    expect(t.offsets('user:u3')).toEqual([1, 2]);

    // A hold no subscription took (the upgrade was refused) closes the channel.
    const unused = await hub.hold('user:u2');
    expect(hub.channelCount).toBe(2);
    unused.release();
    expect(hub.channelCount).toBe(1);
    expect(bus.subscribed.has('user:u2')).toBe(false);
  });

  it('does not keep an upgrade waiting on a bus that does not answer: the position is read alone', async () => {
    log.append('user:u1', 1);
    let busBack!: () => void;
    const subscribe = bus.subscribe.bind(bus);
    bus.subscribe = (channel: string) =>
      new Promise<void>((resolve) => {
        busBack = () => void subscribe(channel).then(resolve);
      });
    const started = Date.now();
    const hold = await hub.hold('user:u1');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(hold.position).toBe(1);
    const s = new RecordingSession(null, 'ip');
    const joining = hub.join(s, 'user:u1', hold.position);
    hold.release();
    // Committed while the bus is away: the join reads it once the channel is open.
    log.append('user:u1', 2);
    busBack();
    await joining;
    hub.publish(log.append('user:u1', 3));
    expect(s.offsets('user:u1')).toEqual([2, 3]);
  });

  it('skips the excluded user for ephemeral events', async () => {
    const typist = new RecordingSession(
      { id: 'u1', email: 'e', displayName: 'd', role: 'user', exp: 0 },
      'ip',
    );
    const other = new RecordingSession(null, 'ip');
    await hub.join(typist, 'room:1', undefined);
    await hub.join(other, 'room:1', undefined);
    hub.publish({ channel: 'room:1', event: 'x.typing', data: {}, ts: 'ts' }, 'u1');
    expect(typist.frames).toEqual([]);
    expect(other.frames).toMatchObject([{ type: 'event', event: 'x.typing' }]);
    expect(other.frames[0]).not.toHaveProperty('offset');
  });

  it('hands control messages of other nodes to their handler, never to clients', async () => {
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, 'room:1', undefined);
    const seen: unknown[] = [];
    hub.onControl('system.revoke', (channel, data) => seen.push({ channel, data }));
    hub.publishControl('room:1', 'system.revoke', { userId: 'u1' });
    expect(bus.published).toMatchObject([{ channel: 'room:1', event: 'system.revoke' }]);
    bus.receive({ channel: 'room:1', event: 'system.revoke', data: { userId: 'u2' }, ts: 'ts' });
    expect(seen).toEqual([{ channel: 'room:1', data: { userId: 'u2' } }]);
    expect(s.frames).toEqual([]);
  });

  it('reads what every open channel missed from the log after the bus reconnected', async () => {
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, 'room:1', undefined);
    await hub.join(s, 'room:2', undefined);
    log.append('room:1', 1);
    log.append('room:1', 2);
    log.append('room:2', 1);
    bus.reconnect();
    await until(() => s.offsets('room:1').length === 2 && s.offsets('room:2').length === 1);
    expect(s.offsets('room:1')).toEqual([1, 2]);
    expect(s.offsets('room:2')).toEqual([1]);
  });
});
