import request from 'supertest';
import { createConversation, MessageBody, sendRest, subscribe } from '../helpers/chat-helpers.js';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

/**
 * Sends are group-committed (several per transaction under load). These tests
 * fire many sends at once and check what a client relies on: every send is
 * acked after its commit, a conversation's seq and channel offsets follow the
 * order of arrival without gaps, and one bad send in a batch fails alone.
 */
describe('chat sends, group-committed', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  const open = async (u: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: u.accessToken });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { WS_RATE_LIMIT: '100000' } });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await t.close();
  });

  /**
   * Sends every frame without waiting, then collects the reply to each
   * (`onAck` runs as each ack arrives).
   */
  async function fire(
    socket: TestSocket,
    frames: { id: string; data: object }[],
    onAck?: (ack: Frame) => Promise<void>,
  ): Promise<Frame[]> {
    const replies = frames.map(async (f) => {
      const r = await socket.next(
        (x) => x.id === f.id && (x.type === 'ack' || x.type === 'error'),
        15000,
      );
      if (onAck && r.type === 'ack') await onAck(r);
      return r;
    });
    for (const f of frames) socket.send({ type: 'chat.send', id: f.id, data: f.data });
    return Promise.all(replies);
  }

  it('many writers at once: all acked after commit, seq and offsets gap-free and in one order, fewer transactions than messages', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['Alice', 'Bob', 'Carol'].map((displayName) => registerUser(t.baseUrl, { displayName })),
    );
    const conv = await createConversation(t.baseUrl, alice, [bob, carol], 'busy room');
    const watcher = await open(carol);
    await subscribe(watcher, `chat:${conv.id}`);
    const writers = await Promise.all([open(alice), open(alice), open(bob), open(bob)]);
    const perWriter = 40;

    // When an ack arrives, its message is committed: another connection sees it.
    const db = await sqlClient(t.databaseUrl);
    const uncommittedAtAck: string[] = [];
    const runs = writers.map(async (socket, w) => {
      const replies = await fire(
        socket,
        Array.from({ length: perWriter }, (_, i) => ({
          id: `w${w}-${i}`,
          data: { conversationId: conv.id, content: `w${w}-${i}` },
        })),
        async (ack) => {
          const id = (ack.data as MessageBody).id;
          const found = await db.query('SELECT 1 FROM messages WHERE id = $1', [id]);
          if (found.rowCount !== 1) uncommittedAtAck.push(id);
        },
      );
      return replies;
    });
    // REST writers at the same time.
    const rest = Array.from({ length: 10 }, (_, i) =>
      sendRest(t.baseUrl, carol, conv.id, `r-${i}`),
    );
    const [replies, restSent] = await Promise.all([Promise.all(runs), Promise.all(rest)]);

    const total = writers.length * perWriter + restSent.length;
    for (const r of replies.flat()) expect(r.type).toBe('ack');
    expect(uncommittedAtAck).toEqual([]);

    const events = await watcher.waitEvents(`chat:${conv.id}`, total, 20000);
    expect(events.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Every message once (the order among one socket's pipelined commands is not promised).
    const contents = events.map((e) => (e.data as MessageBody).content).sort();
    const expected = [
      ...writers.flatMap((_, w) => Array.from({ length: perWriter }, (_, i) => `w${w}-${i}`)),
      ...restSent.map((m) => m.content),
    ].sort();
    expect(contents).toEqual(expected);

    try {
      const rows = await db.query<{ id: string; seq: string; tx: string }>(
        'SELECT id, seq, xmin::text AS tx FROM messages WHERE conversation_id = $1 ORDER BY seq',
        [conv.id],
      );
      expect(rows.rows.map((r) => Number(r.seq))).toEqual(
        Array.from({ length: total }, (_, i) => i + 1),
      );
      // The live order (offsets) is the seq order.
      expect(rows.rows.map((r) => r.id)).toEqual(events.map((e) => (e.data as MessageBody).id));
      const transactions = new Set(rows.rows.map((r) => r.tx)).size;
      expect(transactions).toBeLessThan(total);
      const [{ last_seq }] = (
        await db.query<{ last_seq: string }>('SELECT last_seq FROM conversations WHERE id = $1', [
          conv.id,
        ])
      ).rows;
      expect(Number(last_seq)).toBe(total);
    } finally {
      await db.end();
    }
  });

  it('a bad send fails alone: the rest of its batch is committed and acked', async () => {
    const [alice, bob, dave] = await Promise.all(
      ['Alice', 'Bob', 'Dave'].map((displayName) => registerUser(t.baseUrl, { displayName })),
    );
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const watcher = await open(bob);
    await subscribe(watcher, `chat:${conv.id}`);
    const aliceSocket = await open(alice);
    const daveSocket = await open(dave);
    const clientMsgId = '7d0f0c1e-4a43-4d0e-9a8e-2f5a3b0c9d11';
    const first = await aliceSocket.request('chat.send', {
      data: { conversationId: conv.id, content: 'first', clientMsgId },
    });
    expect(first.type).toBe('ack');

    const good = (i: number) => ({
      id: `g${i}`,
      data: { conversationId: conv.id, content: `good ${i}` },
    });
    const daveReply = daveSocket.next((f) => f.id === 'intruder', 15000);
    daveSocket.send({
      type: 'chat.send',
      id: 'intruder',
      data: { conversationId: conv.id, content: 'let me in' },
    });
    const replies = await fire(aliceSocket, [
      good(0),
      { id: 'retry', data: { conversationId: conv.id, content: 'first again', clientMsgId } },
      good(1),
      { id: 'nul', data: { conversationId: conv.id, content: 'bad \u0000 byte' } },
      good(2),
    ]);
    const byId = new Map<string, Frame>(replies.map((r) => [r.id as string, r]));

    expect(await daveReply).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(byId.get('retry')).toMatchObject({
      type: 'ack',
      data: { id: (first.data as MessageBody).id, content: 'first' },
    });
    expect(byId.get('nul')).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    for (const id of ['g0', 'g1', 'g2']) expect(byId.get(id)?.type).toBe('ack');

    // Live: the first message and the three good ones, in order; nothing else.
    const events = await watcher.waitEvents(`chat:${conv.id}`, 4);
    expect(events.map((e) => [e.offset, (e.data as MessageBody).content])).toEqual([
      [1, 'first'],
      [2, 'good 0'],
      [3, 'good 1'],
      [4, 'good 2'],
    ]);
    const history = await request(t.baseUrl)
      .get(`/api/conversations/${conv.id}/messages`)
      .set(bearer(bob));
    expect((history.body.items as MessageBody[]).map((m) => m.content)).toEqual([
      'good 2',
      'good 1',
      'good 0',
      'first',
    ]);
  });
});
