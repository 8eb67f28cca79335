import request from 'supertest';
import {
  createConversation,
  type ConversationBody,
  type MessageBody,
} from '../helpers/chat-helpers.js';
import { nodeClient, TcpProxy } from '../helpers/client-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, type RegisteredUser } from '../helpers/users.js';

/** The conversation's messages over REST, oldest first. */
async function history(app: TestApp, user: RegisteredUser, convId: string): Promise<MessageBody[]> {
  const res = await request(app.baseUrl)
    .get(`/api/conversations/${convId}/messages?limit=100`)
    .set(bearer(user));
  expect(res.status).toBe(200);
  return [...(res.body.items as MessageBody[])].reverse();
}

describe('client against the real server: commands while disconnected', () => {
  let app: TestApp;
  let proxy: TcpProxy;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    app = await startTestApp();
    proxy = await TcpProxy.start(app.port);
    alice = await registerUser(app.baseUrl);
    bob = await registerUser(app.baseUrl);
  });

  afterAll(async () => {
    await proxy.close();
    await app.close();
  });

  let conv: ConversationBody;
  beforeEach(async () => {
    conv = await createConversation(app.baseUrl, alice, [bob], `room ${Date.now()}`);
  });

  it('queues the commands sent while the server is unreachable and applies each once on reconnect', async () => {
    const client = nodeClient({ url: proxy.url, getToken: () => bob.accessToken });
    const delivered: string[] = [];
    const sub = client.subscribe(`chat:${conv.id}`, (e) => {
      if (e.event === 'chat.message.created') delivered.push(e.data.content);
    });
    await sub.ready;

    proxy.refusing = true;
    proxy.cut();
    await expectEventually(() => expect(client.state).toBe('reconnecting'));
    const contents = ['q1', 'q2', 'q3', 'q4', 'q5'];
    const acks = contents.map((content) =>
      client.request('chat.send', { conversationId: conv.id, content }, { timeoutMs: 15_000 }),
    );
    const presence = client.request('presence.set', { status: 'away' }, { timeoutMs: 15_000 });
    // Several attempts (and their REST probes) fail while the commands wait.
    const acceptedBefore = proxy.accepted;
    await expectEventually(() => expect(proxy.refused).toBeGreaterThanOrEqual(4));
    expect(client.stats.reconnects).toBe(1);
    proxy.refusing = false;

    const results = await Promise.all(acks);
    await expect(presence).resolves.toMatchObject({ status: 'away' });
    expect(results.map((r) => r.content)).toEqual(contents);
    expect(new Set(results.map((r) => r.id)).size).toBe(contents.length);
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
    const stored = await history(app, alice, conv.id);
    expect(stored.map((m) => m.content)).toEqual(contents);
    await expectEventually(() => expect(delivered).toEqual(contents));
    console.log(
      `[client e2e] offline queue: ${contents.length + 1} commands queued while down, ` +
        `${stored.length} messages stored, ${delivered.length} events delivered`,
    );
    client.close();
  });

  it('resends a chat.send whose ack was lost with its clientMsgId: one message, one event', async () => {
    const client = nodeClient({ url: proxy.url, getToken: () => bob.accessToken });
    const delivered: string[] = [];
    const sub = client.subscribe(`chat:${conv.id}`, (e) => {
      if (e.event === 'chat.message.created') delivered.push(e.data.id);
    });
    await sub.ready;

    // The command reaches the server, its ack never comes back.
    proxy.deaf = true;
    const sent = client.request('chat.send', { conversationId: conv.id, content: 'exactly once' });
    const [stored] = await expectEventually(async () => {
      const h = await history(app, alice, conv.id);
      expect(h).toHaveLength(1);
      return h;
    });
    proxy.cut();
    proxy.deaf = false;

    const ack = await sent;
    expect(ack.id).toBe(stored.id);
    expect(ack.clientMsgId).toBe(stored.clientMsgId);
    expect(typeof stored.clientMsgId).toBe('string');
    await expectEventually(() => expect(delivered).toEqual([stored.id]));
    expect(await history(app, alice, conv.id)).toHaveLength(1);
    expect(client.stats.reconnects).toBe(1);
    client.close();
  });
});
