import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventsNamed, openEventStream } from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

interface Notification {
  id: string;
  type: string;
  title: string;
  body: string;
  link?: string;
  readAt: string | null;
  createdAt: string;
}

describe('notifications', () => {
  let t: TestApp;
  let admin: RegisteredUser;
  let bob: RegisteredUser;
  const sockets: TestSocket[] = [];
  const open = async (u: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: u.accessToken });
    sockets.push(s);
    return s;
  };
  const notify = async (
    to: RegisteredUser,
    body: Record<string, unknown> = {},
  ): Promise<Notification & { ackedAt: string | null }> => {
    const res = await request(t.baseUrl)
      .post('/api/notifications')
      .set(bearer(admin))
      .send({ userId: to.id, title: 'Hello', body: 'Body text', ...body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const pushed = (s: TestSocket, user: RegisteredUser): Frame[] =>
    eventsNamed(s, `user:${user.id}`, 'notification.created');
  const pushedIds = (s: TestSocket, user: RegisteredUser): string[] =>
    pushed(s, user).map((f) => (f.data as Notification).id);

  beforeAll(async () => {
    t = await startTestApp({
      env: { ADMIN_EMAILS: 'notify-admin@example.test', WS_HEARTBEAT_MS: '300' },
    });
    admin = await registerUser(t.baseUrl, { email: 'notify-admin@example.test' });
  });
  beforeEach(async () => {
    bob = await registerUser(t.baseUrl, { displayName: 'Bob' });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await t.close();
  });

  it('admins create notifications (201); others get 403; unknown users 404; bad bodies 400', async () => {
    const created = await notify(bob, { type: 'billing.due', link: '/billing' });
    expect(created).toEqual({
      id: expect.any(String),
      type: 'billing.due',
      title: 'Hello',
      body: 'Body text',
      link: '/billing',
      readAt: null,
      createdAt: expect.any(String),
      deliveredAt: null,
      ackedAt: null,
    });
    const plain = await notify(bob);
    expect(plain.type).toBe('admin.message');
    expect(plain).not.toHaveProperty('link');

    const byUser = await request(t.baseUrl)
      .post('/api/notifications')
      .set(bearer(bob))
      .send({ userId: bob.id, title: 'x', body: 'y' });
    expect(byUser.status).toBe(403);
    expect(byUser.body.code).toBe('FORBIDDEN');
    const unknown = await request(t.baseUrl)
      .post('/api/notifications')
      .set(bearer(admin))
      .send({ userId: randomUUID(), title: 'x', body: 'y' });
    expect(unknown.status).toBe(404);
    for (const body of [
      { userId: bob.id, body: 'no title' },
      { userId: 'nope', title: 'x', body: 'y' },
      { userId: bob.id, title: 'x', body: 'y', extra: true },
    ]) {
      const res = await request(t.baseUrl).post('/api/notifications').set(bearer(admin)).send(body);
      expect(res.status).toBe(400);
    }
  });

  it('a notification reaches a connected user live as notification.created on user:{id}', async () => {
    // The push of a waiting one marks the moment the user channel is live.
    const waiting = await notify(bob, { title: 'waiting' });
    const s = await open(bob);
    await expectEventually(() => expect(pushedIds(s, bob)).toEqual([waiting.id]));
    expect(pushed(s, bob)[0].offset).toBeUndefined();
    const n = await notify(bob, { link: '/x' });
    await s.waitEvents(`user:${bob.id}`, 2);
    const frame = s.events(`user:${bob.id}`)[1];
    expect(frame).toEqual({
      type: 'event',
      channel: `user:${bob.id}`,
      offset: 2,
      event: 'notification.created',
      data: {
        id: n.id,
        type: n.type,
        title: n.title,
        body: n.body,
        link: '/x',
        readAt: null,
        createdAt: n.createdAt,
      },
      ts: expect.any(String),
    });
  });

  it('created while offline: pushed at every connect until acknowledged, then not any more', async () => {
    const first = await notify(bob, { title: 'While you were away' });
    const second = await notify(bob, { title: 'And this' });

    const s1 = await open(bob);
    await expectEventually(() => expect(pushedIds(s1, bob)).toEqual([first.id, second.id]));
    expect(pushed(s1, bob)[0]).toMatchObject({
      type: 'event',
      channel: `user:${bob.id}`,
      event: 'notification.created',
      data: {
        id: first.id,
        type: 'admin.message',
        title: 'While you were away',
        body: 'Body text',
        readAt: null,
        createdAt: first.createdAt,
      },
    });
    s1.close();

    // Not acknowledged: pushed again at the next connect, on every socket.
    const [s2, s2b] = await Promise.all([open(bob), open(bob)]);
    await expectEventually(() => expect(pushedIds(s2, bob)).toEqual([first.id, second.id]));
    await expectEventually(() => expect(pushedIds(s2b, bob)).toEqual([first.id, second.id]));
    const ack = await s2.request('notification.ack', { data: { ids: [first.id] } });
    expect(ack).toMatchObject({
      type: 'ack',
      data: { ids: [first.id], ackedAt: expect.any(String) },
    });
    s2.close();
    s2b.close();

    // After the ack only the other one; a marker created now arrives after it.
    const marker = await notify(bob, { title: 'marker' });
    const s3 = await open(bob);
    await expectEventually(() => expect(pushedIds(s3, bob)).toContain(marker.id));
    expect(pushedIds(s3, bob)).toEqual([second.id, marker.id]);

    // Reading also ends the pushes (REST ack for the rest).
    await request(t.baseUrl)
      .post('/api/notifications/read')
      .set(bearer(bob))
      .send({ ids: [second.id] })
      .expect(200);
    const ackRest = await request(t.baseUrl)
      .post('/api/notifications/ack')
      .set(bearer(bob))
      .send({ ids: [marker.id] });
    expect(ackRest.status).toBe(200);
    expect(ackRest.body).toMatchObject({ ids: [marker.id] });
    s3.close();
    const marker2 = await notify(bob, { title: 'marker 2' });
    const s4 = await open(bob);
    await expectEventually(() => expect(pushedIds(s4, bob)).toContain(marker2.id));
    expect(pushedIds(s4, bob)).toEqual([marker2.id]);

    const list = await request(t.baseUrl).get('/api/notifications').set(bearer(bob));
    const byId = new Map(
      (
        list.body.items as (Notification & { ackedAt: string | null; deliveredAt: string | null })[]
      ).map((n) => [n.id, n]),
    );
    expect(byId.get(first.id)).toMatchObject({ ackedAt: expect.any(String), readAt: null });
    expect(byId.get(first.id)?.deliveredAt).not.toBeNull();
    expect(byId.get(second.id)?.readAt).not.toBeNull();
  });

  it('notification.read marks read, announces notification.read on user:{id}; lists and counts unread', async () => {
    const ns = [];
    for (let i = 0; i < 5; i += 1) ns.push(await notify(bob, { title: `n${i}` }));
    const phone = await open(bob);
    const laptop = await open(bob);
    await expectEventually(() => expect(pushedIds(laptop, bob)).toHaveLength(5));

    const all = await request(t.baseUrl).get('/api/notifications').set(bearer(bob));
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ nextCursor: null, unreadCount: 5 });
    expect(all.body.items.map((n: Notification) => n.title)).toEqual([
      'n4',
      'n3',
      'n2',
      'n1',
      'n0',
    ]);

    const read = await phone.request('notification.read', { data: { ids: [ns[1].id, ns[3].id] } });
    expect(read).toMatchObject({
      type: 'ack',
      data: { ids: expect.arrayContaining([ns[1].id, ns[3].id]), unreadCount: 3 },
    });
    const [event] = await expectEventually(() => {
      const e = eventsNamed(laptop, `user:${bob.id}`, 'notification.read');
      expect(e).toHaveLength(1);
      return e;
    });
    expect(event).toMatchObject({
      offset: expect.any(Number),
      data: { ids: expect.arrayContaining([ns[1].id, ns[3].id]), readAt: expect.any(String) },
    });

    const unread = await request(t.baseUrl).get('/api/notifications?unread=true').set(bearer(bob));
    expect(unread.body.items.map((n: Notification) => n.title)).toEqual(['n4', 'n2', 'n0']);
    expect(unread.body.unreadCount).toBe(3);

    // Pages of two through the cursor.
    const titles: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.baseUrl)
        .get(`/api/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(bearer(bob));
      expect(res.status).toBe(200);
      titles.push(...res.body.items.map((n: Notification) => n.title));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(titles).toEqual(['n4', 'n3', 'n2', 'n1', 'n0']);

    const readAll = await request(t.baseUrl)
      .post('/api/notifications/read')
      .set(bearer(bob))
      .send({ all: true });
    expect(readAll.status).toBe(200);
    expect(readAll.body).toMatchObject({ unreadCount: 0 });
    expect([...readAll.body.ids].sort()).toEqual([ns[0].id, ns[2].id, ns[4].id].sort());
    const none = await request(t.baseUrl).get('/api/notifications?unread=true').set(bearer(bob));
    expect(none.body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });

    // Someone else's ids change nothing.
    const carol = await registerUser(t.baseUrl);
    const foreign = await request(t.baseUrl)
      .post('/api/notifications/read')
      .set(bearer(carol))
      .send({ ids: [ns[0].id] });
    expect(foreign.body).toMatchObject({ ids: [], unreadCount: 0 });
    for (const body of [{}, { ids: [] }, { ids: ['x'] }, { all: 'yes' }]) {
      const res = await request(t.baseUrl)
        .post('/api/notifications/read')
        .set(bearer(bob))
        .send(body);
      expect(res.status).toBe(400);
    }
    expect(
      (await request(t.baseUrl).get('/api/notifications?limit=101').set(bearer(bob))).status,
    ).toBe(400);
    expect((await request(t.baseUrl).get('/api/notifications')).status).toBe(401);
  });

  it('GET /api/notifications/stream: SSE of user:{id} with ?token=, pending pushes, heartbeats and Last-Event-ID', async () => {
    const waiting = await notify(bob, { title: 'waiting' });
    const stream = await openEventStream(
      t.baseUrl,
      `/api/notifications/stream?token=${bob.accessToken}`,
    );
    expect(stream.status).toBe(200);
    await expectEventually(() =>
      expect(stream.dataOf('notification.created').map((f) => (f.data as Notification).id)).toEqual(
        [waiting.id],
      ),
    );
    const live = await notify(bob, { title: 'live' });
    await expectEventually(() =>
      expect(stream.dataOf('notification.created').map((f) => (f.data as Notification).id)).toEqual(
        [waiting.id, live.id],
      ),
    );
    const liveBlock = stream.blocks.find(
      (b) => b.event === 'notification.created' && b.data?.includes(live.id),
    )!;
    expect(JSON.parse(liveBlock.data!)).toMatchObject({
      type: 'event',
      channel: `user:${bob.id}`,
      event: 'notification.created',
      offset: expect.any(Number),
      data: { id: live.id, title: 'live', readAt: null },
    });
    expect(liveBlock.id).toEqual(expect.any(String));
    await expectEventually(() =>
      expect(stream.blocks.some((b) => b.comment === 'ping')).toBe(true),
    );
    stream.close();

    // Resume with Last-Event-ID (bearer header this time): the events after it.
    const missed = await notify(bob, { title: 'missed' });
    const resumed = await openEventStream(t.baseUrl, '/api/notifications/stream', {
      ...bearer(bob),
      'Last-Event-ID': liveBlock.id!,
    });
    await expectEventually(() =>
      expect(
        resumed
          .dataOf('notification.created')
          .filter((f) => f.offset !== undefined)
          .map((f) => (f.data as Notification).id),
      ).toEqual([missed.id]),
    );
    resumed.close();

    const noToken = await request(t.baseUrl)
      .get('/api/notifications/stream')
      .set('Accept', 'text/event-stream');
    expect(noToken.status).toBe(401);
  });
});
