import type pg from 'pg';
import request from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

/** Writes `count` events through one socket, `inFlight` commands at a time; resolves with the acked offsets. */
async function socketWriter(
  s: TestSocket,
  room: string,
  count: number,
  inFlight = 4,
): Promise<number[]> {
  const offsets: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const ack = await s.request('test.publish', { data: { room, n } }, 30_000);
      if (ack.type !== 'ack') throw new Error(`write failed: ${JSON.stringify(ack)}`);
      offsets.push((ack.data as { offset: number }).offset);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return offsets;
}

/** Writes `count` events over REST, `inFlight` requests at a time. */
async function restWriter(
  baseUrl: string,
  user: RegisteredUser,
  room: string,
  count: number,
  inFlight = 4,
): Promise<number[]> {
  const offsets: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const res = await request(baseUrl)
        .post(`/api/test/rooms/${room}/items`)
        .set(bearer(user))
        .send({ n });
      if (res.status !== 201) throw new Error(`write failed: ${res.status}`);
      offsets.push((res.body as { offset: number }).offset);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return offsets;
}

interface Tally {
  events: number;
  duplicates: number;
  gaps: number;
  outOfOrder: number;
}

/** Duplicates, missing offsets (of 1..expected) and order inversions of a received sequence. */
function tally(offsets: number[], expected: number): Tally {
  const seen = new Set<number>();
  let duplicates = 0;
  let outOfOrder = 0;
  offsets.forEach((o, i) => {
    if (seen.has(o)) duplicates += 1;
    seen.add(o);
    if (i > 0 && o <= offsets[i - 1]) outOfOrder += 1;
  });
  let gaps = 0;
  for (let o = 1; o <= expected; o++) if (!seen.has(o)) gaps += 1;
  return { events: offsets.length, duplicates, gaps, outOfOrder };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const offsetsOf = (frames: Frame[]): number[] => frames.map((f) => f.offset as number);

describe('realtime offsets under concurrent writers (docs/protocol.md: offsets, resume and recovery)', () => {
  let t: TestApp;
  let db: pg.Client;
  let users: RegisteredUser[];
  const open: TestSocket[] = [];
  const socketOf = async (user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  const storedOffsets = async (channel: string): Promise<number[]> => {
    const r = await db.query<{ offset: string }>(
      'SELECT "offset" FROM channel_events WHERE channel = $1 ORDER BY "offset"',
      [channel],
    );
    return r.rows.map((row) => Number(row.offset));
  };

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: { WS_RATE_LIMIT: '1000000', HISTORY_MAX_EVENTS: '5000' },
    });
    db = await sqlClient(t.databaseUrl);
    users = [];
    for (let i = 0; i < 12; i++) users.push(await registerUser(t.baseUrl));
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await db?.end();
    await t?.close();
  });

  it('gives 10 concurrent writers (8 sockets, 2 REST) offsets 1..N, delivered once each and in order', async () => {
    const room = 'open-concurrent';
    const channel = `test:${room}`;
    const perWriter = 60;
    const writers = 10;
    const total = perWriter * writers;
    const subscribers = [await socketOf(users[10]), await socketOf(users[11])];
    for (const s of subscribers)
      await expect(s.request('subscribe', { channel })).resolves.toMatchObject({ offset: 0 });
    const writerSockets = await Promise.all(users.slice(0, 8).map((u) => socketOf(u)));

    const acked = (
      await Promise.all([
        ...writerSockets.map((s) => socketWriter(s, room, perWriter)),
        restWriter(t.baseUrl, users[8], room, perWriter),
        restWriter(t.baseUrl, users[9], room, perWriter),
      ])
    ).flat();

    expect([...acked].sort((a, b) => a - b)).toEqual(range(total));
    expect(await storedOffsets(channel)).toEqual(range(total));
    const figures: Tally[] = [];
    for (const s of subscribers) {
      const received = offsetsOf(await s.waitEvents(channel, total, 60_000));
      figures.push(tally(received, total));
      expect(received).toEqual(range(total));
    }
    // A late subscriber recovering from 0 gets the same sequence.
    const late = await socketOf(users[0]);
    await expect(late.request('subscribe', { channel, since: 0 })).resolves.toMatchObject({
      offset: total,
      recovered: true,
    });
    expect(offsetsOf(await late.waitEvents(channel, total, 30_000))).toEqual(range(total));
    console.log(
      `[concurrency] writers=${writers} (8 socket, 2 REST) events=${total} ` +
        `stored=${(await storedOffsets(channel)).length} ` +
        figures
          .map(
            (f, i) =>
              `subscriber${i + 1}: received=${f.events} duplicates=${f.duplicates} gaps=${f.gaps} outOfOrder=${f.outOfOrder}`,
          )
          .join('; '),
    );
  }, 120_000);

  it('resumes a subscriber that dropped mid-stream (twice) with every event exactly once, in order', async () => {
    const room = 'open-resume';
    const channel = `test:${room}`;
    const perWriter = 100;
    const writers = 4;
    const total = perWriter * writers;
    const received: number[] = [];

    let sub = await socketOf(users[10]);
    await sub.request('subscribe', { channel, since: 0 });
    const writerSockets = await Promise.all(users.slice(0, writers).map((u) => socketOf(u)));
    let writersDone = false;
    // One promise, awaited below: a `.finally` chained off to the side would
    // turn a writer's failure into a second, unhandled rejection.
    const writing = Promise.all(
      writerSockets.map((s) => socketWriter(s, room, perWriter, 2)),
    ).finally(() => (writersDone = true));

    let drops = 0;
    let dropsMidStream = 0;
    for (const dropAfter of [total / 4, total / 2]) {
      // Wait until this connection has seen enough, then drop it without a goodbye.
      const current = sub;
      await expectEventually(
        () =>
          expect(received.length + current.events(channel).length).toBeGreaterThanOrEqual(
            dropAfter,
          ),
        { timeoutMs: 60_000, intervalMs: 5 },
      );
      if (!writersDone) dropsMidStream += 1;
      sub.ws.terminate();
      await sub.closed;
      received.push(...offsetsOf(sub.events(channel)));
      drops += 1;
      sub = await socketOf(users[10]);
      const last = received[received.length - 1] ?? 0;
      await expect(sub.request('subscribe', { channel, since: last })).resolves.toMatchObject({
        type: 'subscribed',
        recovered: true,
      });
    }
    const acked = (await writing).flat();
    expect(acked).toHaveLength(total);
    const rest = await sub.waitEvents(channel, total - received.length, 60_000);
    received.push(...offsetsOf(rest));
    const figures = tally(received, total);
    console.log(
      `[drop-and-resume] writers=${writers} events=${total} drops=${drops} (mid-stream: ${dropsMidStream}) ` +
        `received=${figures.events} duplicates=${figures.duplicates} gaps=${figures.gaps} outOfOrder=${figures.outOfOrder}`,
    );
    expect(received).toEqual(range(total));
    // The first drop came while the writers were still going (a quarter of the way in).
    expect(dropsMidStream).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
