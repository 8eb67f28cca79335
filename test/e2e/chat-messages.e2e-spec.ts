import request from 'supertest';
import {
  createConversation,
  eventsNamed,
  MessageBody,
  sendRest,
  subscribe,
} from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

describe('chat messages', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  let admin: RegisteredUser;
  const sockets: TestSocket[] = [];
  const open = async (u: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: u.accessToken });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_EMAILS: 'chat-admin@example.test' } });
    admin = await registerUser(t.baseUrl, { email: 'chat-admin@example.test' });
  });
  // Fresh people per test: a direct conversation is one per pair.
  beforeEach(async () => {
    [alice, bob, carol] = await Promise.all([
      registerUser(t.baseUrl, { displayName: 'Alice' }),
      registerUser(t.baseUrl, { displayName: 'Bob' }),
      registerUser(t.baseUrl, { displayName: 'Carol' }),
    ]);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a REST send reaches subscribers over the socket; a socket send shows in REST history', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const bobSocket = await open(bob);
    const aliceSocket = await open(alice);
    await subscribe(bobSocket, `chat:${conv.id}`);

    const sent = await sendRest(t.baseUrl, alice, conv.id, '**hello**', {
      contentType: 'markdown',
    });
    expect(sent).toEqual({
      id: expect.any(String),
      conversationId: conv.id,
      senderId: alice.id,
      content: '**hello**',
      contentType: 'markdown',
      createdAt: expect.any(String),
      editedAt: null,
      deletedAt: null,
    });
    const [created] = await bobSocket.waitEvents(`chat:${conv.id}`, 1);
    expect(created).toMatchObject({
      type: 'event',
      channel: `chat:${conv.id}`,
      offset: 1,
      event: 'chat.message.created',
      data: sent,
    });

    const ack = await aliceSocket.request('chat.send', {
      data: { conversationId: conv.id, content: '  spaced  <b>as given</b>' },
    });
    expect(ack).toMatchObject({
      type: 'ack',
      data: {
        conversationId: conv.id,
        senderId: alice.id,
        content: '  spaced  <b>as given</b>',
        contentType: 'text',
      },
    });
    const socketMessage = (ack.data as MessageBody).id;
    await bobSocket.waitEvents(`chat:${conv.id}`, 2);
    expect(bobSocket.events(`chat:${conv.id}`)[1]).toMatchObject({
      offset: 2,
      event: 'chat.message.created',
      data: { id: socketMessage },
    });

    const history = await request(t.baseUrl)
      .get(`/api/conversations/${conv.id}/messages`)
      .set(bearer(bob));
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      items: [expect.objectContaining({ id: socketMessage }), sent],
      nextCursor: null,
    });
  });

  it('validates content: 1..2000 characters, text or markdown, no unknown fields', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const post = (body: object) =>
      request(t.baseUrl)
        .post(`/api/conversations/${conv.id}/messages`)
        .set(bearer(alice))
        .send(body);
    expect((await post({ content: 'é'.repeat(2000) })).status).toBe(201);
    // 2000 characters of 2 UTF-16 units each are still 2000 characters.
    expect((await post({ content: '😀'.repeat(2000) })).status).toBe(201);
    for (const body of [
      { content: 'x'.repeat(2001) },
      { content: '' },
      { content: 'x', contentType: 'html' },
      { content: 'x', extra: 1 },
      { content: 'x', clientMsgId: 'k'.repeat(65) },
      {},
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'BAD_REQUEST', details: expect.any(Array) });
    }
    const s = await open(alice);
    await expect(
      s.request('chat.send', { data: { conversationId: conv.id, content: 'x'.repeat(2001) } }),
    ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('a clientMsgId retry returns the first message with 200 and publishes nothing new', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const bobSocket = await open(bob);
    await subscribe(bobSocket, `chat:${conv.id}`);
    const url = `/api/conversations/${conv.id}/messages`;

    const first = await request(t.baseUrl)
      .post(url)
      .set(bearer(alice))
      .send({ content: 'once', clientMsgId: 'retry-1' });
    expect(first.status).toBe(201);
    const retry = await request(t.baseUrl)
      .post(url)
      .set(bearer(alice))
      .send({ content: 'once (retried)', clientMsgId: 'retry-1' });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.body).toMatchObject({ clientMsgId: 'retry-1', content: 'once' });

    const aliceSocket = await open(alice);
    const socketRetry = await aliceSocket.request('chat.send', {
      data: { conversationId: conv.id, content: 'once', clientMsgId: 'retry-1' },
    });
    expect(socketRetry).toMatchObject({ type: 'ack', data: first.body });

    // Concurrent retries of a new key: one message.
    const burst = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        request(t.baseUrl).post(url).set(bearer(alice)).send({ content: 'b', clientMsgId: 'k-2' }),
      ),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(burst.map((r) => r.body.id)).size).toBe(1);

    // A marker sent afterwards arrives as event 3: nothing was published for the retries.
    const marker = await sendRest(t.baseUrl, alice, conv.id, 'marker');
    const events = await bobSocket.waitEvents(`chat:${conv.id}`, 3);
    expect(events.map((e) => [e.offset, (e.data as MessageBody).id])).toEqual([
      [1, first.body.id],
      [2, burst[0].body.id],
      [3, marker.id],
    ]);
    const db = await sqlClient(t.databaseUrl);
    try {
      const rows = await db.query(
        `SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1`,
        [conv.id],
      );
      expect(rows.rows[0].n).toBe(3);
    } finally {
      await db.end();
    }
    // Another sender may use the same key.
    const bobs = await request(t.baseUrl)
      .post(url)
      .set(bearer(bob))
      .send({ content: 'mine', clientMsgId: 'retry-1' });
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(first.body.id);
  });

  it('edit: sender only, keeps editedAt, publishes chat.message.updated', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const bobSocket = await open(bob);
    await subscribe(bobSocket, `chat:${conv.id}`);
    const msg = await sendRest(t.baseUrl, alice, conv.id, 'draft');

    const byBob = await request(t.baseUrl)
      .patch(`/api/messages/${msg.id}`)
      .set(bearer(bob))
      .send({ content: 'hijack' });
    expect(byBob.status).toBe(403);
    expect(byBob.body.code).toBe('FORBIDDEN');

    const edited = await request(t.baseUrl)
      .patch(`/api/messages/${msg.id}`)
      .set(bearer(alice))
      .send({ content: 'final' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: msg.id,
      content: 'final',
      createdAt: msg.createdAt,
      editedAt: expect.any(String),
    });
    const events = await bobSocket.waitEvents(`chat:${conv.id}`, 2);
    expect(events[1]).toMatchObject({ event: 'chat.message.updated', data: edited.body });

    const aliceSocket = await open(alice);
    await expect(
      aliceSocket.request('chat.edit', { data: { messageId: msg.id, content: 'again' } }),
    ).resolves.toMatchObject({ type: 'ack', data: { id: msg.id, content: 'again' } });
    await expect(
      bobSocket.request('chat.edit', { data: { messageId: msg.id, content: 'no' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    const page = await request(t.baseUrl)
      .get(`/api/conversations/${conv.id}/messages`)
      .set(bearer(bob));
    expect(page.body.items[0]).toMatchObject({ id: msg.id, content: 'again' });
    expect(page.body.items[0].editedAt).not.toBeNull();
  });

  it('delete: sender or admin, leaves a tombstone in place, publishes chat.message.deleted', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const bobSocket = await open(bob);
    await subscribe(bobSocket, `chat:${conv.id}`);
    const m1 = await sendRest(t.baseUrl, alice, conv.id, 'one');
    const m2 = await sendRest(t.baseUrl, alice, conv.id, 'two');
    const m3 = await sendRest(t.baseUrl, alice, conv.id, 'three');

    const byBob = await request(t.baseUrl).delete(`/api/messages/${m2.id}`).set(bearer(bob));
    expect(byBob.status).toBe(403);
    const del = await request(t.baseUrl).delete(`/api/messages/${m2.id}`).set(bearer(alice));
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const events = await bobSocket.waitEvents(`chat:${conv.id}`, 4);
    expect(events[3]).toMatchObject({
      event: 'chat.message.deleted',
      data: { id: m2.id, content: '', deletedAt: expect.any(String) },
    });
    // Again: still 204, no second event (the next event is the admin's delete of m3).
    expect(
      (await request(t.baseUrl).delete(`/api/messages/${m2.id}`).set(bearer(alice))).status,
    ).toBe(204);
    const adminSocket = await open(admin);
    await expect(
      adminSocket.request('chat.delete', { data: { messageId: m3.id } }),
    ).resolves.toMatchObject({ type: 'ack', data: { id: m3.id, deletedAt: expect.any(String) } });
    const after = await bobSocket.waitEvents(`chat:${conv.id}`, 5);
    expect(after[4]).toMatchObject({
      offset: 5,
      event: 'chat.message.deleted',
      data: { id: m3.id },
    });

    const page = await request(t.baseUrl)
      .get(`/api/conversations/${conv.id}/messages`)
      .set(bearer(bob));
    expect(
      page.body.items.map((m: MessageBody) => [m.id, m.content, m.deletedAt !== null]),
    ).toEqual([
      [m3.id, '', true],
      [m2.id, '', true],
      [m1.id, 'one', false],
    ]);
    const editDeleted = await request(t.baseUrl)
      .patch(`/api/messages/${m2.id}`)
      .set(bearer(alice))
      .send({ content: 'revive' });
    expect(editDeleted.status).toBe(409);
    expect(editDeleted.body).toMatchObject({
      code: 'CONFLICT',
      details: { current: { id: m2.id } },
    });
  });

  it('non-participants get FORBIDDEN on history, send, read and subscribe; unknown ids too', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const msg = await sendRest(t.baseUrl, alice, conv.id, 'private');
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [conv.id, missing]) {
      const history = await request(t.baseUrl)
        .get(`/api/conversations/${id}/messages`)
        .set(bearer(carol));
      expect(history.status).toBe(403);
      expect(history.body.code).toBe('FORBIDDEN');
      const send = await request(t.baseUrl)
        .post(`/api/conversations/${id}/messages`)
        .set(bearer(carol))
        .send({ content: 'intrude' });
      expect(send.status).toBe(403);
      const read = await request(t.baseUrl)
        .post(`/api/conversations/${id}/read`)
        .set(bearer(carol))
        .send({ messageId: msg.id });
      expect(read.status).toBe(403);
      expect(read.body.code).toBe('FORBIDDEN');
    }
    const s = await open(carol);
    await expect(s.request('subscribe', { channel: `chat:${conv.id}` })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    await expect(s.request('subscribe', { channel: `chat:${missing}` })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    await expect(s.request('subscribe', { channel: 'chat:not-a-uuid' })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    for (const [type, data] of [
      ['chat.send', { conversationId: conv.id, content: 'x' }],
      ['chat.read', { conversationId: conv.id, messageId: msg.id }],
      ['chat.typing', { conversationId: conv.id, typing: true }],
      ['chat.edit', { messageId: msg.id, content: 'x' }],
      ['chat.delete', { messageId: msg.id }],
    ] as const) {
      await expect(s.request(type, { data })).resolves.toMatchObject({
        type: 'error',
        code: 'FORBIDDEN',
      });
    }
    const recovery = await request(t.baseUrl)
      .get(`/api/channels/chat:${conv.id}/events`)
      .set(bearer(carol));
    expect(recovery.status).toBe(403);
    // Nothing was written by any of those attempts.
    const page = await request(t.baseUrl)
      .get(`/api/conversations/${conv.id}/messages`)
      .set(bearer(alice));
    expect(page.body.items).toEqual([msg]);
    const anonymous = await request(t.baseUrl).get(`/api/conversations/${conv.id}/messages`);
    expect(anonymous.status).toBe(401);
  });

  it('read receipts move forward only and reach the reader’s other devices', async () => {
    const conv = await createConversation(t.baseUrl, alice, [bob]);
    const m1 = await sendRest(t.baseUrl, alice, conv.id, 'a');
    const m2 = await sendRest(t.baseUrl, alice, conv.id, 'b');
    const m3 = await sendRest(t.baseUrl, alice, conv.id, 'c');
    const bobPhone = await open(bob);
    const bobLaptop = await open(bob);
    const aliceSocket = await open(alice);
    await subscribe(bobLaptop, `chat:${conv.id}`);
    await subscribe(aliceSocket, `chat:${conv.id}`);

    const first = await bobPhone.request('chat.read', {
      data: { conversationId: conv.id, messageId: m2.id },
    });
    expect(first).toMatchObject({
      type: 'ack',
      data: { conversationId: conv.id, lastReadMessageId: m2.id, unreadCount: 1 },
    });
    const receipt = { conversationId: conv.id, userId: bob.id, messageId: m2.id };
    const [onLaptop] = await expectEventually(() => {
      const e = eventsNamed(bobLaptop, `chat:${conv.id}`, 'chat.read');
      expect(e).toHaveLength(1);
      return e;
    });
    expect(onLaptop.data).toMatchObject(receipt);
    await expectEventually(() =>
      expect(eventsNamed(aliceSocket, `chat:${conv.id}`, 'chat.read')[0]?.data).toMatchObject(
        receipt,
      ),
    );
    // The reader's own channel too (devices that do not watch this conversation).
    await expectEventually(() =>
      expect(eventsNamed(bobPhone, `user:${bob.id}`, 'chat.read')[0]?.data).toMatchObject(receipt),
    );

    const back = await request(t.baseUrl)
      .post(`/api/conversations/${conv.id}/read`)
      .set(bearer(bob))
      .send({ messageId: m1.id });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ lastReadMessageId: m2.id, unreadCount: 1 });

    const fwd = await request(t.baseUrl)
      .post(`/api/conversations/${conv.id}/read`)
      .set(bearer(bob))
      .send({ messageId: m3.id });
    expect(fwd.body).toMatchObject({ lastReadMessageId: m3.id, unreadCount: 0 });
    const reads = await expectEventually(() => {
      const e = eventsNamed(bobLaptop, `chat:${conv.id}`, 'chat.read');
      expect(e).toHaveLength(2);
      return e;
    });
    // The backwards read published nothing: the second receipt is m3's.
    expect(reads[1].data).toMatchObject({ messageId: m3.id });

    const foreign = await createConversation(t.baseUrl, alice, [carol]);
    const other = await sendRest(t.baseUrl, alice, foreign.id, 'elsewhere');
    const wrong = await request(t.baseUrl)
      .post(`/api/conversations/${conv.id}/read`)
      .set(bearer(bob))
      .send({ messageId: other.id });
    expect(wrong.status).toBe(404);
  });

  it('conversation list: mine only, last activity first, lastMessage and unreadCount', async () => {
    const dave = await registerUser(t.baseUrl, { displayName: 'Dave' });
    const c1 = await createConversation(t.baseUrl, dave, [alice]);
    const c2 = await createConversation(t.baseUrl, dave, [bob, carol], 'Team');
    await createConversation(t.baseUrl, alice, [bob]); // not Dave's
    await sendRest(t.baseUrl, alice, c1.id, 'one');
    await sendRest(t.baseUrl, bob, c2.id, 'two');
    await sendRest(t.baseUrl, carol, c2.id, 'three');
    const last = await sendRest(t.baseUrl, alice, c1.id, 'four');

    const list = await request(t.baseUrl).get('/api/conversations').set(bearer(dave));
    expect(list.status).toBe(200);
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items[0]).toMatchObject({
      id: c1.id,
      type: 'direct',
      lastMessage: last,
      unreadCount: 2,
    });
    expect(list.body.items[1]).toMatchObject({
      id: c2.id,
      type: 'group',
      title: 'Team',
      ownerId: dave.id,
      lastMessage: { content: 'three', senderId: carol.id },
      unreadCount: 2,
    });
    expect([...list.body.items[1].participantIds].sort()).toEqual(
      [dave.id, bob.id, carol.id].sort(),
    );
    // Own messages are not unread; reading clears the count.
    await sendRest(t.baseUrl, dave, c2.id, 'mine');
    await request(t.baseUrl)
      .post(`/api/conversations/${c1.id}/read`)
      .set(bearer(dave))
      .send({ messageId: last.id })
      .expect(200);
    const again = await request(t.baseUrl).get('/api/conversations').set(bearer(dave));
    expect(
      again.body.items.map((c: { id: string; unreadCount: number }) => [c.id, c.unreadCount]),
    ).toEqual([
      [c2.id, 0],
      [c1.id, 0],
    ]);
    const paged = await request(t.baseUrl).get('/api/conversations?limit=1').set(bearer(dave));
    expect(paged.body.items.map((c: { id: string }) => c.id)).toEqual([c2.id]);
    const next = await request(t.baseUrl)
      .get(`/api/conversations?limit=1&cursor=${paged.body.nextCursor}`)
      .set(bearer(dave));
    expect(next.body).toMatchObject({ items: [{ id: c1.id }], nextCursor: null });
    expect(
      (await request(t.baseUrl).get('/api/conversations?limit=0').set(bearer(dave))).status,
    ).toBe(400);
  });
});
