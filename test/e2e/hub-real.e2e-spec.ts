import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ChannelEvent, encodeEventFrame } from '../../src/realtime/events/channel-event.js';
import { ChannelHub } from '../../src/realtime/hub/channel-hub.js';
import { ChannelLogService } from '../../src/realtime/log/channel-log.service.js';
import { expectEventually } from '../helpers/eventually.js';
import { RecordingSession } from '../helpers/recording-session.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The hub's cases of channel-hub.spec.ts (ordering, gap refill, the replay
 * race, a socket closed while joining), on the real channel log in PostgreSQL
 * and the real Redis bus: "another node" publishes on Redis as a node does.
 */
describe('the channel hub on the real log and the Redis bus', () => {
  let t: TestApp;
  let hub: ChannelHub;
  let log: ChannelLogService;
  let db: DataSource;
  let otherNode: Redis;
  let n = 0;
  const channelName = (): string => `test:open-hub-${randomBytes(4).toString('hex')}-${++n}`;

  /** Commits one event in the log (the offset is the log's), as a service's transaction does. */
  const commit = (channel: string, i: number): Promise<ChannelEvent> =>
    db.transaction((em) => log.append(em, channel, 'test.item.created', { n: i }));
  /** Publishes an event on Redis the way another node's bus does. */
  const publishFromOtherNode = async (e: ChannelEvent): Promise<void> => {
    const wire = { n: 'another-node', o: e.offset, e: e.event, f: encodeEventFrame(e) };
    await otherNode.publish(`rt:ch:${e.channel}`, JSON.stringify(wire));
  };

  beforeAll(async () => {
    const redisUrl = process.env.TEST_REDIS_URL;
    if (!redisUrl) throw new Error('TEST_REDIS_URL is not set: run the suite with `npm test`');
    t = await startTestApp({ env: { REDIS_URL: redisUrl } });
    hub = t.app.get(ChannelHub);
    log = t.app.get(ChannelLogService);
    db = t.app.get(DataSource);
    otherNode = new Redis(redisUrl);
  });
  afterAll(async () => {
    otherNode?.disconnect();
    await t?.close();
  });

  it("delivers another node's events in offset order, whatever order Redis brings them in", async () => {
    const channel = channelName();
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, channel, undefined);
    const [e1, e2, e3] = [
      await commit(channel, 1),
      await commit(channel, 2),
      await commit(channel, 3),
    ];
    for (const e of [e3, e1, e1, e2]) await publishFromOtherNode(e);
    await expectEventually(() => expect(s.offsets(channel)).toEqual([1, 2, 3]));
    // A later event is the marker that nothing else (a repeat) follows.
    await publishFromOtherNode(await commit(channel, 4));
    await expectEventually(() => expect(s.offsets(channel)).toEqual([1, 2, 3, 4]));
  });

  it('reads an event Redis never brought back from the log', async () => {
    const channel = channelName();
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, channel, undefined);
    const events = [await commit(channel, 1), await commit(channel, 2), await commit(channel, 3)];
    await publishFromOtherNode(events[0]);
    await publishFromOtherNode(events[2]);
    await expectEventually(() => expect(s.offsets(channel)).toEqual([1, 2, 3]));
  });

  it('replays from since while events commit and arrive meanwhile: each once, in order', async () => {
    const channel = channelName();
    for (let i = 1; i <= 100; i++) await commit(channel, i);
    const watcher = new RecordingSession(null, 'ip');
    await hub.join(watcher, channel, undefined);
    for (let round = 0; round < 5; round++) {
      // Writers on "this node" (hub.publish after commit, as RealtimeService does)
      // and on "another node" (Redis), while the joins read the log.
      const joiners = Array.from({ length: 4 }, () => new RecordingSession(null, 'ip'));
      const writes = (async () => {
        for (let i = 0; i < 20; i++) {
          const e = await commit(channel, 1000 + i);
          if (i % 2) hub.publish(e);
          else await publishFromOtherNode(e);
        }
      })();
      await Promise.all([...joiners.map((j, k) => hub.join(j, channel, k * 10)), writes]);
      const latest = await log.latest(channel);
      for (const [k, j] of joiners.entries()) {
        await expectEventually(() => expect(j.offsets(channel)).toEqual(range(k * 10 + 1, latest)));
        hub.leaveAll(j);
      }
    }
    const latest = await log.latest(channel);
    await expectEventually(() => expect(watcher.offsets(channel)).toEqual(range(1 + 100, latest)));
  });

  it('appends with a row write in one statement: both commit, or neither when the write fails', async () => {
    const channel = channelName();
    const s = new RecordingSession(null, 'ip');
    await hub.join(s, channel, undefined);
    const insert = (id: string, authorId: string | null) => ({
      // $1… are the write's own placeholders: the log renumbers them after its own.
      sql: `INSERT INTO announcements (id, title, body, author_id) VALUES ($1, $2, $2, $3)`,
      params: [id, 'appended along', authorId],
    });
    const good = randomUUID();
    const [e] = await log.appendAll(
      db.manager,
      [{ channel, event: 'test.item.created', data: { id: good } }],
      insert(good, null),
    );
    expect(e.offset).toBe(1);
    expect(await db.query('SELECT title FROM announcements WHERE id = $1', [good])).toEqual([
      { title: 'appended along' },
    ]);
    // An author that does not exist: the foreign key fails the statement, the append with it.
    const bad = randomUUID();
    await expect(
      log.appendAll(
        db.manager,
        [{ channel, event: 'test.item.created', data: { id: bad } }],
        insert(bad, randomUUID()),
      ),
    ).rejects.toThrow(/foreign key/);
    expect(await log.latest(channel)).toBe(1);
    expect(await db.query('SELECT 1 FROM announcements WHERE id = $1', [bad])).toEqual([]);
  });

  it('leaves nothing behind for a session that closed while joining', async () => {
    const channel = channelName();
    for (let i = 1; i <= 50; i++) await commit(channel, i);
    const channelsBefore = hub.channelCount;
    const subscriptionsBefore = hub.subscriptionCount();
    const s = new RecordingSession(null, 'ip');
    const joining = hub.join(s, channel, 0);
    // Closed before the log answered (the kernel's detach).
    s.closed = true;
    hub.leaveAll(s);
    await joining;
    expect(s.frames).toEqual([]);
    expect(hub.subscriptionCount()).toBe(subscriptionsBefore);
    expect(hub.channelCount).toBe(channelsBefore);
    // A later event on the channel reaches no one (a subscriber elsewhere sees it: the marker).
    const other = new RecordingSession(null, 'ip');
    await hub.join(other, channel, undefined);
    await publishFromOtherNode(await commit(channel, 51));
    await expectEventually(() => expect(other.offsets(channel)).toEqual([51]));
    expect(s.frames).toEqual([]);
    hub.leaveAll(other);
  });
});
