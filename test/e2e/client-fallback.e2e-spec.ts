import WebSocket from 'ws';
import { RtError, type StateChange } from '../../client/src/index.js';
import { accessTokenFor } from '../helpers/access-tokens.js';
import { createConversation, sendRest, type ConversationBody } from '../helpers/chat-helpers.js';
import { nodeClient, TcpProxy } from '../helpers/client-helpers.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { registerUser, type RegisteredUser } from '../helpers/users.js';

describe('client against the real server: SSE + REST fallback', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let conv: ConversationBody;

  beforeAll(async () => {
    app = await startTestApp();
    proxy = await TcpProxy.start(app.port);
    alice = await registerUser(app.baseUrl);
    bob = await registerUser(app.baseUrl);
    conv = await createConversation(app.baseUrl, alice, [bob]);
  });

  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  it('streams events over SSE and sends commands over REST when upgrades are refused', async () => {
    let upgrades = 0;
    const client = nodeClient({
      url: proxy.url,
      getToken: () => bob.accessToken,
      // As a proxy that refuses upgrades: the handshake gets an HTTP error.
      WebSocket: (url, protocols) => {
        upgrades += 1;
        return new WebSocket(url.replace(/\/ws$/, '/no-upgrades-here'), protocols);
      },
    });
    const states: StateChange[] = [];
    client.on('state', (s) => states.push(s));
    const seen: { offset: number; content: string }[] = [];
    const sub = client.subscribe(`chat:${conv.id}`, (e) => {
      if (e.event === 'chat.message.created')
        seen.push({ offset: e.offset ?? -1, content: e.data.content });
    });
    await expect(sub.ready).resolves.toMatchObject({ recovered: true });
    expect(client.transport).toBe('sse');
    expect(client.state).toBe('open');
    expect(upgrades).toBe(2);
    expect(states.at(-1)).toMatchObject({ state: 'open', transport: 'sse' });

    // Events written by someone else, and a command of the client itself over REST.
    await sendRest(app.baseUrl, alice, conv.id, 'from alice');
    const mine = await client.request('chat.send', {
      conversationId: conv.id,
      content: 'from bob',
    });
    expect(mine).toMatchObject({ content: 'from bob', clientMsgId: expect.any(String) });
    await expectEventually(() =>
      expect(seen.map((s) => s.content)).toEqual(['from alice', 'from bob']),
    );

    // A command without a REST equivalent is refused with a clear error.
    const typing = await client
      .request('chat.typing', { conversationId: conv.id, typing: true })
      .catch((e: unknown) => e);
    expect(typing).toBeInstanceOf(RtError);
    expect(typing).toMatchObject({ code: 'UNSUPPORTED' });
    expect((typing as RtError).message).toMatch(/chat\.typing has no REST equivalent/);

    // The stream's TCP connection is cut while messages keep coming: resumed from
    // the cursor, each exactly once.
    const more: string[] = [];
    for (let i = 1; i <= 12; i++) {
      more.push(`sse ${i}`);
      await sendRest(app.baseUrl, alice, conv.id, `sse ${i}`);
      if (i === 4 || i === 8) proxy.cut();
      await sleep(20);
    }
    await expectEventually(() => expect(seen.length).toBeGreaterThanOrEqual(14));
    expect(seen.map((s) => s.content)).toEqual(['from alice', 'from bob', ...more]);
    const offsets = seen.map((s) => s.offset);
    expect(offsets).toEqual(offsets.map((_o, i) => offsets[0] + i));
    expect(client.stats.reconnects).toBeGreaterThanOrEqual(2);
    console.log(
      `[client e2e] SSE fallback: ${seen.length} events over SSE, 2 stream cuts, ` +
        `${client.stats.reconnects} reopenings, ${client.stats.duplicatesDropped} duplicates dropped`,
    );
    client.close();
  });

  it('reopens the stream when a channel is added, resuming the others', async () => {
    const conv2 = await createConversation(app.baseUrl, alice, [bob], 'second');
    const client = nodeClient({
      url: app.baseUrl,
      getToken: () => accessTokenFor(bob),
      WebSocket: () => {
        throw new Error('WebSocket blocked');
      },
    });
    const seen: string[] = [];
    const first = client.subscribe(`chat:${conv.id}`, (e) => {
      if (e.event === 'chat.message.created') seen.push(e.data.content);
    });
    await first.ready;
    const second = client.subscribe(`chat:${conv2.id}`, (e) => {
      if (e.event === 'chat.message.created') seen.push(`2:${e.data.content}`);
    });
    await expect(second.ready).resolves.toMatchObject({ channel: `chat:${conv2.id}` });
    await sendRest(app.baseUrl, alice, conv.id, 'one');
    await sendRest(app.baseUrl, alice, conv2.id, 'two');
    await expectEventually(() => expect(seen).toEqual(['one', '2:two']));
    expect(client.transport).toBe('sse');
    client.close();
  });
});
