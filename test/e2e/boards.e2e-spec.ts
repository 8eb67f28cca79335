import request from 'supertest';
import { DataSource } from 'typeorm';
import { orderFromBoard, orderFromEvents } from '../helpers/board-order.js';
import { sqlClient } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

interface Card {
  id: string;
  columnId: string;
  version: number;
  position: string;
  title: string;
  assigneeId: string | null;
}

describe('boards (docs/protocol.md: channels, commands and events; REST)', () => {
  let t: TestApp;
  let owner: RegisteredUser;
  let editor: RegisteredUser;
  let viewer: RegisteredUser;
  let outsider: RegisteredUser;
  const open: TestSocket[] = [];
  const socketOf = async (user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };
  const api = () => request(t.baseUrl);

  /** A board with the four users in their roles and two columns, made over REST. */
  async function boardWithMembers(): Promise<{ id: string; todo: string; done: string }> {
    const res = await api().post('/api/boards').set(bearer(owner)).send({ name: 'Team board' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    for (const [u, role] of [
      [editor, 'editor'],
      [viewer, 'viewer'],
    ] as const) {
      const m = await api()
        .post(`/api/boards/${id}/members`)
        .set(bearer(owner))
        .send({ userId: u.id, role });
      expect(m.status).toBe(201);
    }
    const todo = await api()
      .post(`/api/boards/${id}/columns`)
      .set(bearer(owner))
      .send({ title: 'To do' });
    const done = await api()
      .post(`/api/boards/${id}/columns`)
      .set(bearer(owner))
      .send({ title: 'Done' });
    expect([todo.status, done.status]).toEqual([201, 201]);
    return { id, todo: todo.body.id, done: done.body.id };
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { WS_RATE_LIMIT: '100000' } });
    [owner, editor, viewer, outsider] = await Promise.all([
      registerUser(t.baseUrl, { displayName: 'Olive Owner' }),
      registerUser(t.baseUrl, { displayName: 'Eddie Editor' }),
      registerUser(t.baseUrl, { displayName: 'Vera Viewer' }),
      registerUser(t.baseUrl, { displayName: 'Otto Outsider' }),
    ]);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('POST /api/boards: 201 with the whole board, the creator its owner; GET lists mine', async () => {
    const res = await api().post('/api/boards').set(bearer(owner)).send({ name: 'Roadmap' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Roadmap',
      version: 1,
      members: [
        { boardId: res.body.id, userId: owner.id, displayName: 'Olive Owner', role: 'owner' },
      ],
      columns: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const mine = await api().get('/api/boards').set(bearer(owner));
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: res.body.id, role: 'owner' })]),
    );
    const theirs = await api().get('/api/boards').set(bearer(outsider));
    expect(theirs.body.items.map((b: { id: string }) => b.id)).not.toContain(res.body.id);

    await expect(api().post('/api/boards').set(bearer(owner)).send({})).resolves.toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST' },
    });
    await expect(api().post('/api/boards').send({ name: 'x' })).resolves.toMatchObject({
      status: 401,
    });
  });

  it('members: owner adds (201, 200 on a role change), others cannot; the board version rises', async () => {
    const { id } = await boardWithMembers();
    const before = (await api().get(`/api/boards/${id}`).set(bearer(owner))).body;
    expect(before.version).toBe(3);
    expect(before.members.map((m: { role: string }) => m.role).sort()).toEqual([
      'editor',
      'owner',
      'viewer',
    ]);
    const again = await api()
      .post(`/api/boards/${id}/members`)
      .set(bearer(owner))
      .send({ userId: viewer.id, role: 'viewer' });
    expect(again.status).toBe(200);
    for (const u of [editor, viewer]) {
      const res = await api()
        .post(`/api/boards/${id}/members`)
        .set(bearer(u))
        .send({ userId: outsider.id, role: 'editor' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const res = await api()
      .post(`/api/boards/${id}/members`)
      .set(bearer(outsider))
      .send({ userId: outsider.id, role: 'owner' });
    expect(res.status).toBe(403);
    const unknown = await api()
      .post(`/api/boards/${id}/members`)
      .set(bearer(owner))
      .send({ userId: '00000000-0000-4000-8000-000000000000', role: 'editor' });
    expect(unknown.status).toBe(404);
    const badRole = await api()
      .post(`/api/boards/${id}/members`)
      .set(bearer(owner))
      .send({ userId: outsider.id, role: 'god' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.details).toEqual([{ field: 'role', errors: expect.any(Array) }]);
    const lastOwner = await api()
      .delete(`/api/boards/${id}/members/${owner.id}`)
      .set(bearer(owner));
    expect(lastOwner.status).toBe(400);
  });

  it('only members read or subscribe; a missing board is FORBIDDEN too (existence not revealed)', async () => {
    const { id } = await boardWithMembers();
    for (const u of [owner, editor, viewer])
      expect((await api().get(`/api/boards/${id}`).set(bearer(u))).status).toBe(200);
    const res = await api().get(`/api/boards/${id}`).set(bearer(outsider));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    const missing = await api()
      .get('/api/boards/00000000-0000-4000-8000-000000000000')
      .set(bearer(owner));
    expect(missing.status).toBe(403);

    const vs = await socketOf(viewer);
    await expect(vs.request('subscribe', { channel: `board:${id}` })).resolves.toMatchObject({
      type: 'subscribed',
      channel: `board:${id}`,
    });
    const os = await socketOf(outsider);
    await expect(os.request('subscribe', { channel: `board:${id}` })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    await expect(os.request('subscribe', { channel: 'board:not-a-uuid' })).resolves.toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
  });

  it('viewers and outsiders cannot write, over REST or the socket; nothing is written', async () => {
    const { id, todo } = await boardWithMembers();
    const card = (
      await api()
        .post(`/api/boards/${id}/cards`)
        .set(bearer(editor))
        .send({ columnId: todo, title: 'Write docs' })
    ).body as Card;
    const vs = await socketOf(viewer);
    const os = await socketOf(outsider);
    for (const [s, code] of [
      [vs, 'FORBIDDEN'],
      [os, 'FORBIDDEN'],
    ] as const) {
      await expect(
        s.request('board.card.create', { data: { boardId: id, columnId: todo, title: 'x' } }),
      ).resolves.toMatchObject({ type: 'error', code });
      await expect(
        s.request('board.card.move', {
          data: { cardId: card.id, version: card.version, toColumnId: todo, afterCardId: null },
        }),
      ).resolves.toMatchObject({ type: 'error', code });
      await expect(
        s.request('board.card.update', {
          data: { cardId: card.id, version: card.version, title: 'hacked' },
        }),
      ).resolves.toMatchObject({ type: 'error', code });
      await expect(
        s.request('board.card.delete', { data: { cardId: card.id, version: card.version } }),
      ).resolves.toMatchObject({ type: 'error', code });
      await expect(
        s.request('board.column.create', { data: { boardId: id, title: 'x' } }),
      ).resolves.toMatchObject({ type: 'error', code });
      await expect(
        s.request('board.column.update', { data: { columnId: todo, version: 1, title: 'x' } }),
      ).resolves.toMatchObject({ type: 'error', code });
      await expect(
        s.request('board.column.delete', { data: { columnId: todo, version: 1 } }),
      ).resolves.toMatchObject({ type: 'error', code });
    }
    for (const u of [viewer, outsider]) {
      const writes = [
        api().post(`/api/boards/${id}/columns`).set(bearer(u)).send({ title: 'x' }),
        api().patch(`/api/columns/${todo}`).set(bearer(u)).send({ version: 1, title: 'x' }),
        api().delete(`/api/columns/${todo}`).set(bearer(u)),
        api().post(`/api/boards/${id}/cards`).set(bearer(u)).send({ columnId: todo, title: 'x' }),
        api().patch(`/api/cards/${card.id}`).set(bearer(u)).send({ version: 1, title: 'x' }),
        api()
          .post(`/api/cards/${card.id}/move`)
          .set(bearer(u))
          .send({ version: 1, toColumnId: todo, afterCardId: null }),
        api().delete(`/api/cards/${card.id}?version=1`).set(bearer(u)),
      ];
      for (const res of await Promise.all(writes)) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
    }
    const board = (await api().get(`/api/boards/${id}`).set(bearer(viewer))).body;
    expect(board.columns.map((c: { title: string }) => c.title)).toEqual(['To do', 'Done']);
    expect(board.columns[0].cards).toEqual([expect.objectContaining({ id: card.id, version: 1 })]);
    const anon = await connect(t.baseUrl);
    open.push(anon);
    await expect(
      anon.request('board.card.create', { data: { boardId: id, columnId: todo, title: 'x' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
  });

  it('columns: ordered by afterColumnId, renamed and moved with versions, deleted with their cards', async () => {
    const { id, todo, done } = await boardWithMembers();
    const s = await socketOf(editor);
    const first = await s.request('board.column.create', {
      data: { boardId: id, title: 'Backlog', afterColumnId: null },
    });
    expect(first).toMatchObject({ type: 'ack', data: { title: 'Backlog', version: 1 } });
    const middle = await s.request('board.column.create', {
      data: { boardId: id, title: 'Doing', afterColumnId: todo },
    });
    const titles = async () =>
      (
        (await api().get(`/api/boards/${id}`).set(bearer(owner))).body.columns as {
          title: string;
        }[]
      ).map((c) => c.title);
    expect(await titles()).toEqual(['Backlog', 'To do', 'Doing', 'Done']);

    const moved = await api()
      .patch(`/api/columns/${done}`)
      .set(bearer(editor))
      .send({ version: 1, title: 'Shipped', afterColumnId: null });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: done, title: 'Shipped', version: 2 });
    expect(await titles()).toEqual(['Shipped', 'Backlog', 'To do', 'Doing']);

    const stale = await api()
      .patch(`/api/columns/${done}`)
      .set(bearer(editor))
      .send({ version: 1, title: 'x' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'CONFLICT',
      details: { current: { id: done, title: 'Shipped', version: 2 } },
    });
    const midId = (middle.data as { id: string }).id;
    await api()
      .post(`/api/boards/${id}/cards`)
      .set(bearer(editor))
      .send({ columnId: midId, title: 'in Doing' });
    await expect(
      s.request('board.column.delete', { data: { columnId: midId, version: 2 } }),
    ).resolves.toMatchObject({
      type: 'error',
      code: 'CONFLICT',
      details: { current: { version: 1 } },
    });
    await expect(
      s.request('board.column.delete', { data: { columnId: midId, version: 1 } }),
    ).resolves.toMatchObject({ type: 'ack', data: { id: midId, boardId: id } });
    expect(await titles()).toEqual(['Shipped', 'Backlog', 'To do']);
    const gone = await api().delete(`/api/columns/${midId}`).set(bearer(editor));
    expect(gone.status).toBe(404);
    expect((await api().delete(`/api/columns/${todo}`).set(bearer(owner))).status).toBe(204);
  });

  it('cards: every change is a persisted event in order; REST and socket writes look the same', async () => {
    const { id, todo, done } = await boardWithMembers();
    const watcher = await socketOf(viewer);
    await watcher.request('subscribe', { channel: `board:${id}` });
    const s = await socketOf(editor);

    const a = await s.request('board.card.create', {
      data: {
        boardId: id,
        columnId: todo,
        title: 'A',
        labels: ['x'],
        dueAt: '2030-01-02T03:04:05Z',
      },
    });
    expect(a).toMatchObject({
      type: 'ack',
      data: {
        boardId: id,
        columnId: todo,
        title: 'A',
        labels: ['x'],
        dueAt: '2030-01-02T03:04:05.000Z',
        description: null,
        assigneeId: null,
        version: 1,
      },
    });
    const cardA = a.data as Card;
    const b = await api()
      .post(`/api/boards/${id}/cards`)
      .set(bearer(owner))
      .send({ columnId: todo, title: 'B' });
    expect(b.status).toBe(201);
    const top = await api()
      .post(`/api/boards/${id}/cards`)
      .set(bearer(owner))
      .send({ columnId: todo, title: 'Top', afterCardId: null });
    const upd = await api()
      .patch(`/api/cards/${cardA.id}`)
      .set(bearer(editor))
      .send({ version: 1, title: 'A2', description: 'more', labels: [] });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ title: 'A2', description: 'more', labels: [], version: 2 });
    const mv = await s.request('board.card.move', {
      data: { cardId: cardA.id, version: 2, toColumnId: done, afterCardId: null },
    });
    expect(mv).toMatchObject({ type: 'ack', data: { id: cardA.id, columnId: done, version: 3 } });
    const mv2 = await api()
      .post(`/api/cards/${b.body.id}/move`)
      .set(bearer(owner))
      .send({ version: 1, toColumnId: done, afterCardId: cardA.id });
    expect(mv2.status).toBe(200);
    const del = await api().delete(`/api/cards/${top.body.id}?version=1`).set(bearer(editor));
    expect(del.status).toBe(204);

    const events = await watcher.waitEvents(`board:${id}`, 7);
    expect(events.map((e) => e.event)).toEqual([
      'board.card.created',
      'board.card.created',
      'board.card.created',
      'board.card.updated',
      'board.card.moved',
      'board.card.moved',
      'board.card.deleted',
    ]);
    const offsets = events.map((e) => e.offset as number);
    expect(offsets).toEqual(offsets.map((_, i) => offsets[0] + i));
    expect(events[4].data).toMatchObject({
      id: cardA.id,
      columnId: done,
      fromColumnId: todo,
      version: 3,
    });
    expect(events[6].data).toEqual({ id: top.body.id, boardId: id, columnId: todo, version: 1 });

    const board = (await api().get(`/api/boards/${id}`).set(bearer(viewer))).body;
    expect(board.columns.map((c: { cards: Card[] }) => c.cards.map((x) => x.title))).toEqual([
      [],
      ['A2', 'B'],
    ]);
    expect(board.columns[1]).toMatchObject({
      id: done,
      title: 'Done',
      version: 1,
      position: expect.any(String),
    });
    // The order rebuilt from the events alone is the order the server holds.
    const fromHistory = await s.request('subscribe', { channel: `board:${id}`, since: 0 });
    expect(fromHistory).toMatchObject({ type: 'subscribed', recovered: true });
    const replayed = await s.waitEvents(`board:${id}`, offsets[6]);
    expect(orderFromEvents(replayed)).toEqual(orderFromBoard(board));
  });

  it('stale versions are CONFLICT with details.current on both transports; nothing is written', async () => {
    const { id, todo, done } = await boardWithMembers();
    const card = (
      await api()
        .post(`/api/boards/${id}/cards`)
        .set(bearer(editor))
        .send({ columnId: todo, title: 'C' })
    ).body as Card;
    await api()
      .patch(`/api/cards/${card.id}`)
      .set(bearer(editor))
      .send({ version: 1, title: 'C2' });
    const s = await socketOf(owner);
    const conflict = await s.request('board.card.move', {
      data: { cardId: card.id, version: 1, toColumnId: done, afterCardId: null },
    });
    expect(conflict).toMatchObject({
      type: 'error',
      code: 'CONFLICT',
      details: { current: { id: card.id, title: 'C2', version: 2, columnId: todo } },
    });
    const rest = await api()
      .patch(`/api/cards/${card.id}`)
      .set(bearer(owner))
      .send({ version: 1, title: 'C3' });
    expect(rest.status).toBe(409);
    expect(rest.body.details.current).toMatchObject({ title: 'C2', version: 2 });
    const delStale = await api().delete(`/api/cards/${card.id}?version=1`).set(bearer(owner));
    expect(delStale.status).toBe(409);
    const sql = await sqlClient(t.databaseUrl);
    try {
      const rows = await sql.query(
        'SELECT title, version, column_id FROM board_cards WHERE id = $1',
        [card.id],
      );
      expect(rows.rows).toEqual([{ title: 'C2', version: 2, column_id: todo }]);
      const log = await sql.query(
        `SELECT event FROM channel_events WHERE channel = $1 AND event LIKE 'board.card.%' ORDER BY "offset"`,
        [`board:${id}`],
      );
      expect(log.rows.map((r: { event: string }) => r.event)).toEqual([
        'board.card.created',
        'board.card.updated',
      ]);
    } finally {
      await sql.end();
    }
  });

  it('validation: unknown fields, bad ids, references outside the board are 400', async () => {
    const { id, todo } = await boardWithMembers();
    const other = await boardWithMembers();
    const s = await socketOf(editor);
    await expect(
      s.request('board.card.create', {
        data: { boardId: id, columnId: todo, title: 'x', bogus: 1 },
      }),
    ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    await expect(
      s.request('board.card.create', { data: { boardId: id, columnId: other.todo, title: 'x' } }),
    ).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
      details: [{ field: 'columnId', errors: expect.any(Array) }],
    });
    await expect(
      s.request('board.card.create', { data: { boardId: id, columnId: todo, title: '' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    await expect(
      s.request('board.card.create', {
        data: { boardId: id, columnId: todo, title: 'x', assigneeId: outsider.id },
      }),
    ).resolves.toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
      details: [{ field: 'assigneeId' }],
    });
    const card = (
      await api()
        .post(`/api/boards/${id}/cards`)
        .set(bearer(editor))
        .send({ columnId: todo, title: 'c' })
    ).body as Card;
    const nullTitle = await api()
      .patch(`/api/cards/${card.id}`)
      .set(bearer(editor))
      .send({ version: 1, title: null });
    expect(nullTitle.status).toBe(400);
    const noVersion = await api()
      .patch(`/api/cards/${card.id}`)
      .set(bearer(editor))
      .send({ title: 'y' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.details).toEqual([{ field: 'version', errors: expect.any(Array) }]);
    const badId = await api()
      .patch('/api/cards/not-a-uuid')
      .set(bearer(editor))
      .send({ version: 1 });
    expect(badId.status).toBe(400);
    const missing = await api()
      .patch('/api/cards/00000000-0000-4000-8000-000000000000')
      .set(bearer(editor))
      .send({ version: 1 });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    const self = await api()
      .post(`/api/cards/${card.id}/move`)
      .set(bearer(editor))
      .send({ version: 1, toColumnId: todo, afterCardId: card.id });
    expect(self.status).toBe(400);
    const badQuery = await api().delete(`/api/cards/${card.id}?version=abc`).set(bearer(editor));
    expect(badQuery.status).toBe(400);
  });

  it('assigning a card notifies the assignee on user:{id}', async () => {
    const { id, todo } = await boardWithMembers();
    const es = await socketOf(editor);
    const card = (
      await api()
        .post(`/api/boards/${id}/cards`)
        .set(bearer(owner))
        .send({ columnId: todo, title: 'Fix login' })
    ).body as Card;
    const res = await api()
      .patch(`/api/cards/${card.id}`)
      .set(bearer(owner))
      .send({ version: 1, assigneeId: editor.id });
    expect(res.status).toBe(200);
    expect(res.body.assigneeId).toBe(editor.id);
    const n = await es.next(
      (f) =>
        f.type === 'event' &&
        f.channel === `user:${editor.id}` &&
        f.event === 'notification.created' &&
        (f.data as { type: string }).type === 'board.card.assigned',
      10000,
    );
    expect(n.data).toMatchObject({
      id: expect.any(String),
      type: 'board.card.assigned',
      title: expect.stringContaining('Fix login'),
      body: expect.stringContaining('Olive Owner'),
      link: `/boards/${id}?card=${card.id}`,
      readAt: null,
    });
    const list = await api().get('/api/notifications').set(bearer(editor));
    expect(list.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'board.card.assigned' })]),
    );
    // Assigning oneself notifies nobody.
    await api()
      .patch(`/api/cards/${card.id}`)
      .set(bearer(editor))
      .send({ version: 2, assigneeId: editor.id });
    await api()
      .post(`/api/boards/${id}/cards`)
      .set(bearer(owner))
      .send({ columnId: todo, title: 'Second', assigneeId: editor.id });
    await expectEventually(async () => {
      const again = await api().get('/api/notifications').set(bearer(editor));
      expect(
        again.body.items.filter((x: { type: string }) => x.type === 'board.card.assigned'),
      ).toHaveLength(2);
    });
  });

  it('removing a member revokes their subscription at once, on every node', async () => {
    const { id, todo } = await boardWithMembers();
    const vs = await socketOf(viewer);
    await vs.request('subscribe', { channel: `board:${id}` });
    const removed = await api().delete(`/api/boards/${id}/members/${viewer.id}`).set(bearer(owner));
    expect(removed.status).toBe(204);
    const ev = await vs.next((f) => f.type === 'event' && f.event === 'board.member.removed');
    expect(ev.data).toMatchObject({ boardId: id, userId: viewer.id });
    await vs.next((f) => f.type === 'unsubscribed' && f.channel === `board:${id}`);
    await api()
      .post(`/api/boards/${id}/cards`)
      .set(bearer(owner))
      .send({ columnId: todo, title: 'secret' });
    const probe = await socketOf(owner);
    await probe.request('subscribe', { channel: `board:${id}`, since: 0 });
    await probe.next((f) => f.type === 'event' && f.event === 'board.card.created');
    expect(vs.events(`board:${id}`).map((e: Frame) => e.event)).not.toContain('board.card.created');
    await expect(vs.request('subscribe', { channel: `board:${id}` })).resolves.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await api().get(`/api/boards/${id}`).set(bearer(viewer))).status).toBe(403);
    // A member may leave on their own.
    expect(
      (await api().delete(`/api/boards/${id}/members/${editor.id}`).set(bearer(editor))).status,
    ).toBe(204);
    expect((await api().get(`/api/boards/${id}`).set(bearer(editor))).status).toBe(403);
  });

  it('GET /api/boards/:id reads a large board in a fixed number of queries', async () => {
    const { id, todo, done } = await boardWithMembers();
    for (let i = 0; i < 15; i++)
      await api()
        .post(`/api/boards/${id}/cards`)
        .set(bearer(owner))
        .send({ columnId: i % 2 ? todo : done, title: `card ${i}` });
    // Count the SQL statements of one GET by wrapping the query runner (same process).
    const ds = t.app.get(DataSource);
    const runner = ds.createQueryRunner();
    const proto = Object.getPrototypeOf(runner) as { query: (...args: unknown[]) => unknown };
    await runner.release();
    const original = proto.query;
    const seen: string[] = [];
    proto.query = function (this: unknown, ...args: unknown[]) {
      seen.push(String(args[0]));
      return original.apply(this, args);
    };
    let res: request.Response;
    try {
      res = await api().get(`/api/boards/${id}`).set(bearer(owner));
    } finally {
      proto.query = original;
    }
    expect(res.status).toBe(200);
    expect(res.body.columns.map((c: { cards: Card[] }) => c.cards.length)).toEqual([7, 8]);
    expect(seen.filter((q) => /board_cards/.test(q))).toHaveLength(1);
    expect(seen.filter((q) => /board_columns/.test(q))).toHaveLength(1);
    expect(seen.length).toBeLessThanOrEqual(12);
  });
});
