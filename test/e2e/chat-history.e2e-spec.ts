import request from 'supertest';
import { createConversation, MessageBody, sendRest } from '../helpers/chat-helpers.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

interface Page {
  items: MessageBody[];
  nextCursor: string | null;
}

describe('chat history pagination', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    // Hundreds of writes per user within a minute: above the default write budget.
    t = await startTestApp({ env: { WS_RATE_LIMIT: '100000' } });
    [alice, bob] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
  });
  const sockets: TestSocket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await t.close();
  });

  const page = async (conversationId: string, query: string): Promise<Page> => {
    const res = await request(t.baseUrl)
      .get(`/api/conversations/${conversationId}/messages${query}`)
      .set(bearer(bob));
    expect(res.status).toBe(200);
    return res.body as Page;
  };

  it('pages 250 messages newest first, without duplicates or skips while messages keep arriving', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob], 'Busy');
    const sent: string[] = [];
    // REST and socket writers, some concurrently.
    const socket = await connect(t.baseUrl, { token: alice.accessToken });
    sockets.push(socket);
    for (let i = 0; i < 250; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          j % 2 === 0
            ? sendRest(t.baseUrl, j < 5 ? alice : bob, conv.id, `m${i + j}`)
            : socket
                .request('chat.send', { data: { conversationId: conv.id, content: `m${i + j}` } })
                .then((f) => f.data as MessageBody),
        ),
      );
      // Within a concurrent batch the server decides the order; read it back below.
      sent.push(...batch.map((m) => m.id));
    }
    const initial = await collect(conv.id, 1000);
    expect(initial).toHaveLength(250);
    expect(new Set(initial).size).toBe(250);
    expect([...initial].sort()).toEqual([...sent].sort());

    // Walk again in pages of 40, inserting messages between pages.
    const seen: string[] = [];
    const added: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Page = await page(conv.id, `?limit=40${cursor ? `&before=${cursor}` : ''}`);
      expect(p.items.length).toBeLessThanOrEqual(40);
      seen.push(...p.items.map((m) => m.id));
      cursor = p.nextCursor;
      pages += 1;
      const extra = await Promise.all([
        sendRest(t.baseUrl, alice, conv.id, `late-${pages}-a`),
        sendRest(t.baseUrl, bob, conv.id, `late-${pages}-b`),
      ]);
      added.push(...extra.map((m) => m.id));
    } while (cursor !== null);
    expect(pages).toBe(7);
    expect(seen).toEqual(initial);

    // The newest messages are on top of a fresh walk, then the original 250.
    const fresh = await collect(conv.id, 100);
    expect(fresh).toHaveLength(250 + added.length);
    expect([...fresh.slice(0, added.length)].sort()).toEqual([...added].sort());
    expect(fresh.slice(added.length)).toEqual(initial);
  });

  it('defaults to 50, accepts 1..100, refuses other limits and foreign cursors', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob], 'Limits');
    for (let i = 0; i < 60; i += 1) await sendRest(t.baseUrl, alice, conv.id, `n${i}`);
    const first = await page(conv.id, '');
    expect(first.items).toHaveLength(50);
    expect(first.items[0].content).toBe('n59');
    expect(first.items[49].content).toBe('n10');
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = await page(conv.id, `?before=${first.nextCursor}`);
    expect(rest.items.map((m) => m.content)).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${9 - i}`),
    );
    expect(rest.nextCursor).toBeNull();
    expect((await page(conv.id, '?limit=100')).items).toHaveLength(60);
    expect((await page(conv.id, '?limit=1')).items.map((m) => m.content)).toEqual(['n59']);
    for (const q of ['?limit=0', '?limit=101', '?limit=abc', '?before=not-a-cursor', '?foo=1']) {
      const res = await request(t.baseUrl)
        .get(`/api/conversations/${conv.id}/messages${q}`)
        .set(bearer(bob));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    }
    const empty = await createConversation(t.baseUrl, alice, [bob], 'Empty');
    expect(await page(empty.id, '')).toEqual({ items: [], nextCursor: null });
  });

  /** Every message id of the conversation, newest first, through nextCursor. */
  async function collect(conversationId: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = await page(
        conversationId,
        `?limit=${Math.min(limit, 100)}${cursor ? `&before=${cursor}` : ''}`,
      );
      ids.push(...p.items.map((m) => m.id));
      cursor = p.nextCursor;
    } while (cursor !== null);
    return ids;
  }
});
