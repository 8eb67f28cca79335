import { roomMembers, TestFeatureModule } from '../helpers/test-feature.module.js';
import { openSse, SseMessage, SseStream } from '../helpers/sse-client.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const HEARTBEAT_MS = 1000;

interface EventData {
  type: string;
  channel: string;
  offset?: number;
  event: string;
}

describe('realtime Server-Sent Events: GET /api/stream (docs/protocol.md: catching up without a socket)', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let writer: TestSocket;
  const sockets: TestSocket[] = [];
  const streams: SseStream[] = [];
  const stream = async (
    channels: string,
    headers: Record<string, string> = bearer(alice),
  ): Promise<SseStream> => {
    const s = await openSse(t.baseUrl, `/api/stream?channels=${channels}`, headers);
    streams.push(s);
    return s;
  };
  const publish = async (room: string, count: number): Promise<void> => {
    for (let i = 0; i < count; i++)
      await expect(writer.request('test.publish', { data: { room, n: i } })).resolves.toMatchObject(
        { type: 'ack' },
      );
  };
  const dataOf = (m: SseMessage): EventData => JSON.parse(m.data!) as EventData;
  const persisted = (s: SseStream): SseMessage[] =>
    s.messages.filter((m) => m.data !== undefined && dataOf(m).type === 'event');
  const key = (m: SseMessage): string => `${dataOf(m).channel}#${dataOf(m).offset}`;

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: { WS_HEARTBEAT_MS: String(HEARTBEAT_MS), WS_RATE_LIMIT: '100000' },
    });
    [alice, bob] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
    writer = await connect(t.baseUrl, { token: bob.accessToken });
    sockets.push(writer);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('streams events with event: name, data: the socket frame and id: a cursor', async () => {
    const ws = await connect(t.baseUrl, { token: alice.accessToken });
    sockets.push(ws);
    await ws.request('subscribe', { channel: 'test:open-sse-1' });
    const s = await stream('test:open-sse-1');
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    await s.until((ms) => ms.some((m) => m.event === 'subscribed'));
    expect(JSON.parse(s.events('subscribed')[0].data!)).toEqual({
      type: 'subscribed',
      channel: 'test:open-sse-1',
      offset: 0,
    });
    await publish('open-sse-1', 3);
    await s.until(() => persisted(s).length === 3);
    const frames = await ws.waitEvents('test:open-sse-1', 3);
    const received = persisted(s);
    expect(received.map((m) => m.event)).toEqual(Array(3).fill('test.item.created'));
    expect(received.map((m) => JSON.parse(m.data!) as unknown)).toEqual(frames);
    for (const m of received) expect(m.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(received.map((m) => m.id)).size).toBe(3);
  });

  it('sends a `: ping` comment every heartbeatMs', async () => {
    const s = await stream('test:open-sse-ping');
    await s.until((ms) => ms.filter((m) => m.comment === 'ping').length >= 2, 15_000);
  });

  it('accepts the token as ?token= (EventSource cannot set headers)', async () => {
    const s = await stream(`test:open-sse-1&token=${alice.accessToken}`, {});
    expect(s.status).toBe(200);
    await s.until((ms) => ms.some((m) => m.event === 'subscribed'));
  });

  it('authorises every channel like subscribe', async () => {
    roomMembers.set('members-sse', new Set([bob.id]));
    const cases: [string, Record<string, string>, number][] = [
      ['announcements', {}, 200],
      ['test:open-sse-1', {}, 401],
      ['presence', {}, 401],
      ['test:open-sse-1,test:members-sse', bearer(alice), 403],
      [`user:${bob.id}`, bearer(alice), 403],
      ['test:members-sse', bearer(bob), 200],
      ['nope:1', bearer(alice), 404],
      [',', bearer(alice), 400],
    ];
    for (const [channels, headers, status] of cases) {
      const s = await stream(channels, headers);
      expect({ channels, status: s.status }).toEqual({ channels, status });
      s.close();
    }
  });

  it('resumes every channel from Last-Event-ID with nothing lost or duplicated', async () => {
    const channels = 'test:open-sse-a,test:open-sse-b';
    const first = await stream(channels);
    await first.until((ms) => ms.filter((m) => m.event === 'subscribed').length === 2);
    await publish('open-sse-a', 3);
    await publish('open-sse-b', 2);
    await first.until(() => persisted(first).length === 5);
    const seen = persisted(first);
    first.close();
    await first.ended;

    await publish('open-sse-b', 3);
    await publish('open-sse-a', 2);
    const second = await stream(channels, {
      ...bearer(alice),
      'Last-Event-ID': seen[seen.length - 1].id!,
    });
    await second.until(() => persisted(second).length === 5);
    for (const m of second.events('subscribed'))
      expect(JSON.parse(m.data!)).toMatchObject({ recovered: true });
    await publish('open-sse-a', 1);
    await second.until(() => persisted(second).length === 6);
    const all = [...seen, ...persisted(second)].map(key);
    expect(all.filter((k) => k.startsWith('test:open-sse-a#'))).toEqual(
      [1, 2, 3, 4, 5, 6].map((o) => `test:open-sse-a#${o}`),
    );
    expect(all.filter((k) => k.startsWith('test:open-sse-b#'))).toEqual(
      [1, 2, 3, 4, 5].map((o) => `test:open-sse-b#${o}`),
    );
  });

  it('resumes every channel even from an id sent while the stream was still replaying', async () => {
    const channels = 'test:open-sse-c,test:open-sse-d';
    const first = await stream(channels);
    await first.until((ms) => ms.filter((m) => m.event === 'subscribed').length === 2);
    await publish('open-sse-c', 1);
    await publish('open-sse-d', 1);
    await first.until(() => persisted(first).length === 2);
    const lastSeen = persisted(first)[1].id!;
    first.close();
    await first.ended;

    await publish('open-sse-c', 2);
    await publish('open-sse-d', 2);
    // The connection drops right after the first replayed event (of the first channel).
    const second = await stream(channels, { ...bearer(alice), 'Last-Event-ID': lastSeen });
    await second.until(() => persisted(second).length >= 1);
    const firstReplayed = persisted(second)[0];
    second.close();
    await second.ended;

    const third = await stream(channels, {
      ...bearer(alice),
      'Last-Event-ID': firstReplayed.id!,
    });
    await third.until(() => persisted(third).length === 3);
    const all = [...persisted(first), firstReplayed, ...persisted(third)].map(key);
    expect(all.filter((k) => k.startsWith('test:open-sse-c#'))).toEqual([
      'test:open-sse-c#1',
      'test:open-sse-c#2',
      'test:open-sse-c#3',
    ]);
    expect(all.filter((k) => k.startsWith('test:open-sse-d#'))).toEqual([
      'test:open-sse-d#1',
      'test:open-sse-d#2',
      'test:open-sse-d#3',
    ]);
  });

  it('takes lastEventId from the query string too', async () => {
    const first = await stream('test:open-sse-q');
    await first.until((ms) => ms.some((m) => m.event === 'subscribed'));
    await publish('open-sse-q', 2);
    await first.until(() => persisted(first).length === 2);
    const id = persisted(first)[0].id!;
    first.close();
    const again = await stream(`test:open-sse-q&lastEventId=${id}`);
    await again.until(() => persisted(again).length === 1);
    expect(dataOf(persisted(again)[0]).offset).toBe(2);
  });
});
