import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createConversation, eventsNamed, sendRest, subscribe } from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

describe('chat conversations and participants', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  const sockets: TestSocket[] = [];
  const open = async (u: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: u.accessToken });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
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

  it('a direct conversation is one per pair: 201 when created, 200 with it afterwards, from either side', async () => {
    const bobSocket = await open(bob);
    const created = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(alice))
      .send({ participantIds: [bob.id] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      type: 'direct',
      title: null,
      ownerId: null,
    });
    expect([...created.body.participantIds].sort()).toEqual([alice.id, bob.id].sort());

    const again = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(alice))
      .send({ participantIds: [bob.id, alice.id, bob.id] });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const reverse = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(bob))
      .send({ participantIds: [alice.id] });
    expect(reverse.status).toBe(200);
    expect(reverse.body.id).toBe(created.body.id);

    // Concurrent creates of another pair: one conversation.
    const racers = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        request(t.baseUrl)
          .post('/api/conversations')
          .set(bearer(i % 2 ? carol : bob))
          .send({ participantIds: [i % 2 ? bob.id : carol.id] }),
      ),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(racers.map((r) => r.body.id)).size).toBe(1);

    // The other participant learns of the new conversation on their own channel.
    await expectEventually(() =>
      expect(
        eventsNamed(bobSocket, `user:${bob.id}`, 'chat.conversation.created').map(
          (e) => (e.data as { id: string }).id,
        ),
      ).toEqual([created.body.id, racers[0].body.id]),
    );
  });

  it('refuses conversations with nobody else or with unknown users', async () => {
    const post = (body: object) =>
      request(t.baseUrl).post('/api/conversations').set(bearer(alice)).send(body);
    expect((await post({ participantIds: [alice.id] })).status).toBe(400);
    expect((await post({ participantIds: [] })).status).toBe(400);
    expect((await post({ participantIds: ['nope'] })).status).toBe(400);
    const unknown = await post({ participantIds: [randomUUID()] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'BAD_REQUEST', details: expect.any(Array) });
    const tooMany = await post({
      participantIds: Array.from({ length: 501 }, () => randomUUID()),
      title: 'Crowd',
    });
    expect(tooMany.status).toBe(400);
  });

  it('a group holds up to 500 participants', async () => {
    const db = await sqlClient(t.databaseUrl);
    let ids: string[];
    try {
      const rows = await db.query<{ id: string }>(
        `INSERT INTO users (email, password_hash, display_name)
         SELECT 'bulk-' || g || '-' || $1 || '@example.test', 'x', 'Bulk ' || g
           FROM generate_series(1, 500) g RETURNING id`,
        [alice.id],
      );
      ids = rows.rows.map((r) => r.id);
    } finally {
      await db.end();
    }
    const full = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(alice))
      .send({ participantIds: ids.slice(0, 499), title: 'Full house' });
    expect(full.status).toBe(201);
    expect(full.body.participantIds).toHaveLength(500);
    const oneMore = await request(t.baseUrl)
      .post(`/api/conversations/${full.body.id}/participants`)
      .set(bearer(alice))
      .send({ userIds: [ids[499]] });
    expect(oneMore.status).toBe(400);
    expect(oneMore.body.code).toBe('BAD_REQUEST');
    // Already a participant: not counted twice, nothing new (200).
    const same = await request(t.baseUrl)
      .post(`/api/conversations/${full.body.id}/participants`)
      .set(bearer(alice))
      .send({ userIds: [ids[0]] });
    expect(same.status).toBe(200);
    expect(same.body.participantIds).toHaveLength(500);
  });

  it('a group: title, creator owns it; the owner adds participants, who learn of it', async () => {
    const group = await request(t.baseUrl)
      .post('/api/conversations')
      .set(bearer(alice))
      .send({ participantIds: [bob.id], title: 'Project' });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({ type: 'group', title: 'Project', ownerId: alice.id });
    const id = group.body.id as string;
    // A group with the same people is another group.
    const second = await createConversation(t.baseUrl, alice, [bob], 'Project');
    expect(second.id).not.toBe(id);

    const bobSocket = await open(bob);
    const carolSocket = await open(carol);
    await subscribe(bobSocket, `chat:${id}`);

    const byBob = await request(t.baseUrl)
      .post(`/api/conversations/${id}/participants`)
      .set(bearer(bob))
      .send({ userIds: [carol.id] });
    expect(byBob.status).toBe(403);

    const added = await request(t.baseUrl)
      .post(`/api/conversations/${id}/participants`)
      .set(bearer(alice))
      .send({ userIds: [carol.id, bob.id] });
    expect(added.status).toBe(201);
    expect([...added.body.participantIds].sort()).toEqual([alice.id, bob.id, carol.id].sort());

    const [event] = await bobSocket.waitEvents(`chat:${id}`, 1);
    expect(event).toMatchObject({
      offset: 1,
      event: 'chat.participant.added',
      data: { conversationId: id, userIds: [carol.id], by: alice.id },
    });
    await expectEventually(() =>
      expect(
        eventsNamed(carolSocket, `user:${carol.id}`, 'chat.conversation.created')[0]?.data,
      ).toMatchObject({ id, title: 'Project' }),
    );
    // Carol can now subscribe and read.
    await subscribe(carolSocket, `chat:${id}`);
    const msg = await sendRest(t.baseUrl, bob, id, 'welcome');
    await expectEventually(() =>
      expect(eventsNamed(carolSocket, `chat:${id}`, 'chat.message.created')[0]?.data).toEqual(msg),
    );

    const unknown = await request(t.baseUrl)
      .post(`/api/conversations/${id}/participants`)
      .set(bearer(alice))
      .send({ userIds: [randomUUID()] });
    expect(unknown.status).toBe(400);
    const direct = await createConversation(t.baseUrl, alice, [bob]);
    const toDirect = await request(t.baseUrl)
      .post(`/api/conversations/${direct.id}/participants`)
      .set(bearer(alice))
      .send({ userIds: [carol.id] });
    expect(toDirect.status).toBe(400);
  });

  it('removing a participant revokes their live subscription and their access to history', async () => {
    const group = await createConversation(t.baseUrl, alice, [bob, carol], 'Ops');
    const carolSocket = await open(carol);
    const bobSocket = await open(bob);
    await subscribe(carolSocket, `chat:${group.id}`);
    await subscribe(bobSocket, `chat:${group.id}`);
    await sendRest(t.baseUrl, alice, group.id, 'before');
    await carolSocket.waitEvents(`chat:${group.id}`, 1);

    const byBob = await request(t.baseUrl)
      .delete(`/api/conversations/${group.id}/participants/${carol.id}`)
      .set(bearer(bob));
    expect(byBob.status).toBe(403);

    const removed = await request(t.baseUrl)
      .delete(`/api/conversations/${group.id}/participants/${carol.id}`)
      .set(bearer(alice));
    expect(removed.status).toBe(204);
    await expect(
      carolSocket.next((f) => f.type === 'unsubscribed' && f.channel === `chat:${group.id}`),
    ).resolves.toMatchObject({ reason: 'revoked' });
    const list = await carolSocket.request('list_channels');
    expect(list.subscribed).not.toContain(`chat:${group.id}`);

    // Bob (still in) sees the change and keeps receiving; Carol receives nothing more.
    const removedEvent = await expectEventually(() => {
      const e = eventsNamed(bobSocket, `chat:${group.id}`, 'chat.participant.removed');
      expect(e).toHaveLength(1);
      return e[0];
    });
    expect(removedEvent.data).toMatchObject({ conversationId: group.id, userId: carol.id });
    const after = await sendRest(t.baseUrl, alice, group.id, 'after');
    await expectEventually(() =>
      expect(
        eventsNamed(bobSocket, `chat:${group.id}`, 'chat.message.created').map(
          (e) => (e.data as { id: string }).id,
        ),
      ).toContain(after.id),
    );
    expect(
      eventsNamed(carolSocket, `chat:${group.id}`, 'chat.message.created').map(
        (e) => (e.data as { content: string }).content,
      ),
    ).toEqual(['before']);

    const history = await request(t.baseUrl)
      .get(`/api/conversations/${group.id}/messages`)
      .set(bearer(carol));
    expect(history.status).toBe(403);
    await expect(
      carolSocket.request('subscribe', { channel: `chat:${group.id}` }),
    ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    await expect(
      carolSocket.request('chat.send', { data: { conversationId: group.id, content: 'hi?' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    const again = await request(t.baseUrl)
      .delete(`/api/conversations/${group.id}/participants/${carol.id}`)
      .set(bearer(alice));
    expect(again.status).toBe(404);
    const mine = await request(t.baseUrl).get('/api/conversations').set(bearer(carol));
    expect(mine.body.items).toEqual([]);
  });

  it('anyone may leave; when the owner leaves, the longest-standing participant owns the group', async () => {
    const group = await createConversation(t.baseUrl, alice, [bob, carol], 'Club');
    const leave = await request(t.baseUrl)
      .delete(`/api/conversations/${group.id}/participants/${bob.id}`)
      .set(bearer(bob));
    expect(leave.status).toBe(204);
    const ownerLeaves = await request(t.baseUrl)
      .delete(`/api/conversations/${group.id}/participants/${alice.id}`)
      .set(bearer(alice));
    expect(ownerLeaves.status).toBe(204);
    const list = await request(t.baseUrl).get('/api/conversations').set(bearer(carol));
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      id: group.id,
      ownerId: carol.id,
      participantIds: [carol.id],
    });
    // A direct conversation cannot be left.
    const direct = await createConversation(t.baseUrl, alice, [bob]);
    const leaveDirect = await request(t.baseUrl)
      .delete(`/api/conversations/${direct.id}/participants/${bob.id}`)
      .set(bearer(bob));
    expect(leaveDirect.status).toBe(400);
  });

  it('the OpenAPI document covers the chat and notification routes', async () => {
    const res = await request(t.baseUrl).get('/docs-json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/conversations',
        '/api/conversations/{id}/participants',
        '/api/conversations/{id}/participants/{userId}',
        '/api/conversations/{id}/messages',
        '/api/conversations/{id}/read',
        '/api/messages/{id}',
        '/api/notifications',
        '/api/notifications/read',
        '/api/notifications/ack',
        '/api/notifications/stream',
      ]),
    );
    expect(Object.keys(paths['/api/messages/{id}']).sort()).toEqual(['delete', 'patch']);
    expect(res.body.components.schemas.SendMessageBody.properties).toHaveProperty('clientMsgId');
  });
});
