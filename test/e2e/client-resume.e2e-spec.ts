import type { RecoveryInfo } from '../../client/src/index.js';
import { accessTokenFor } from '../helpers/access-tokens.js';
import { createConversation, sendRest, type ConversationBody } from '../helpers/chat-helpers.js';
import {
  closeServerSockets,
  nodeClient,
  TcpProxy,
  type ChatClient,
  type SocketLog,
} from '../helpers/client-helpers.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { registerUser, type RegisteredUser } from '../helpers/users.js';

interface Seen {
  offset: number;
  event: string;
  content?: string;
}

/** Records every event the client delivers on `channel`. */
function follow(client: ChatClient, channel: string): { seen: Seen[]; ready: Promise<unknown> } {
  const seen: Seen[] = [];
  const sub = client.subscribe(channel, (e) => {
    seen.push({
      offset: e.offset ?? -1,
      event: e.event,
      ...(e.event === 'chat.message.created' ? { content: e.data.content } : {}),
    });
  });
  return { seen, ready: sub.ready };
}

/** Offsets delivered strictly one after the other: no duplicate, no gap, no reordering. */
function expectContiguous(seen: Seen[]): void {
  const offsets = seen.map((s) => s.offset);
  const first = offsets[0];
  expect(offsets).toEqual(offsets.map((_o, i) => first + i));
}

describe('client against the real server: resume after drops', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let conv: ConversationBody;

  beforeAll(async () => {
    // A short heartbeat, so that a dead peer is noticed in about a second; the
    // rate limit is lifted because the pings count against it.
    app = await startTestApp({ env: { WS_HEARTBEAT_MS: '400', WS_RATE_LIMIT: '100000' } });
    proxy = await TcpProxy.start(app.port);
    alice = await registerUser(app.baseUrl);
    bob = await registerUser(app.baseUrl);
    conv = await createConversation(app.baseUrl, alice, [bob]);
  });

  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it('delivers every event exactly once, in order, across socket closes, TCP cuts and a dead peer', async () => {
    const log: SocketLog = { sockets: [], refused: 0 };
    const client = nodeClient({ url: proxy.url, getToken: () => bob.accessToken }, log);
    const { seen, ready } = follow(client, `chat:${conv.id}`);
    await ready;

    const drops: Record<number, () => Promise<void>> = {
      // The server closes the socket (1001: shutting down).
      8: async () => {
        expect(closeServerSockets(app, bob.id, 1001)).toBe(1);
      },
      // The client's own socket goes away abruptly.
      16: async () => {
        log.sockets.at(-1)!.terminate();
      },
      // The TCP connection is cut under the socket.
      24: async () => proxy.cut(),
      // Bytes stop flowing both ways without any close: only the heartbeat notices.
      32: async () => {
        proxy.blackhole();
        await expectEventually(() => expect(client.state).toBe('reconnecting'), {
          timeoutMs: 5000,
        });
        proxy.restore();
      },
      // Two cuts in a row, the second during the reconnect.
      40: async () => {
        proxy.cut();
        await sleep(30);
        proxy.cut();
      },
    };
    const total = 50;
    const sent: string[] = [];
    for (let i = 1; i <= total; i++) {
      const content = `m${i}`;
      await sendRest(app.baseUrl, alice, conv.id, content);
      sent.push(content);
      const drop = drops[i];
      if (drop) {
        // Each drop hits an open connection, so that each one is a reconnect.
        await expectEventually(() => expect(client.state).toBe('open'));
        await drop();
      }
      await sleep(15);
    }

    const messages = await expectEventually(() => {
      const m = seen.filter((s) => s.event === 'chat.message.created');
      expect(m.length).toBeGreaterThanOrEqual(total);
      return m;
    });
    expect(messages.map((m) => m.content)).toEqual(sent);
    expectContiguous(seen);
    expect(client.stats.reconnects).toBeGreaterThanOrEqual(5);
    expect(client.state).toBe('open');
    console.log(
      `[client e2e] resume: ${total} events sent, ${messages.length} delivered, ` +
        `${Object.keys(drops).length} drop scenarios, ${client.stats.reconnects} reconnects, ` +
        `${client.stats.duplicatesDropped} duplicates dropped by offset, 0 delivered twice`,
    );
    client.close();
  });

  it('resumes after a page reload from the storage hook, and reports the recovery', async () => {
    const stored = new Map<string, number>();
    const storage = {
      get: (c: string) => stored.get(c),
      set: (c: string, o: number) => void stored.set(c, o),
    };
    const channel = `chat:${conv.id}`;
    const first = nodeClient({ url: app.baseUrl, getToken: () => bob.accessToken, storage });
    const before = follow(first, channel);
    await before.ready;
    await sendRest(app.baseUrl, alice, conv.id, 'before reload');
    await expectEventually(() => expect(before.seen).toHaveLength(1));
    first.close();
    const lastSeen = before.seen[0].offset;
    expect(stored.get(channel)).toBe(lastSeen);

    const missed = ['while away 1', 'while away 2', 'while away 3'];
    for (const content of missed) await sendRest(app.baseUrl, alice, conv.id, content);

    const second = nodeClient({ url: app.baseUrl, getToken: () => bob.accessToken, storage });
    const recoveries: RecoveryInfo[] = [];
    second.on('recovery', (r) => recoveries.push(r));
    const after = follow(second, channel);
    await expect(after.ready).resolves.toMatchObject({ recovered: true, offset: lastSeen });
    await expectEventually(() => expect(after.seen).toHaveLength(3));
    expect(after.seen.map((s) => s.content)).toEqual(missed);
    expect(after.seen[0].offset).toBe(lastSeen + 1);
    expect(recoveries).toEqual([{ channel, recovered: true, offset: lastSeen }]);
    second.close();
  });
});

describe('client against the real server: history lost for good', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { HISTORY_MAX_EVENTS: '3' } });
  });

  afterAll(async () => {
    await app.close();
  });

  it('surfaces recovered: false when the gap is beyond the retained history', async () => {
    const alice = await registerUser(app.baseUrl);
    const bob = await registerUser(app.baseUrl);
    const conv = await createConversation(app.baseUrl, alice, [bob]);
    const aliceToken = accessTokenFor(alice);
    for (let i = 1; i <= 8; i++)
      await sendRest(app.baseUrl, { ...alice, accessToken: aliceToken }, conv.id, `old ${i}`);

    const client = nodeClient({ url: app.baseUrl, getToken: () => bob.accessToken });
    const recoveries: RecoveryInfo[] = [];
    client.on('recovery', (r) => recoveries.push(r));
    const channel = `chat:${conv.id}`;
    const sub = client.subscribe(channel, () => undefined, { since: 1 });
    await expect(sub.ready).resolves.toMatchObject({ channel, recovered: false });
    expect(recoveries).toEqual([expect.objectContaining({ channel, recovered: false })]);
    client.close();
  });
});
