import request from 'supertest';
import { BoardBody, orderFromBoard, orderFromEvents } from '../helpers/board-order.js';
import { createTestDatabase, sqlClient } from '../helpers/databases.js';
import { faultEnv } from '../helpers/fault-cluster.js';
import { killAllServers, ServerProcess } from '../helpers/server-process.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

interface Card {
  id: string;
  columnId: string;
  version: number;
  position: string;
}

/**
 * Concurrent moves on two instances sharing PostgreSQL and Redis: exactly one of
 * the moves made with the same version wins, the others are CONFLICT with the
 * winner's card in details.current, and every subscriber ends with the order
 * that GET /api/boards/:id returns.
 */
describe('boards under concurrent moves (two instances)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let owner: RegisteredUser;
  let editor: RegisteredUser;
  const open: TestSocket[] = [];
  const socketOn = async (t: ServerProcess, user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set: use npm test');
    const databaseUrl = await createTestDatabase();
    const redisUrl = process.env.TEST_REDIS_URL;
    const env = faultEnv();
    // Two server processes: each instance's state is its own, as in production.
    a = await ServerProcess.start({ databaseUrl, redisUrl, env });
    b = await ServerProcess.start({ databaseUrl, redisUrl, env });
    [owner, editor] = await Promise.all([registerUser(a.baseUrl), registerUser(a.baseUrl)]);
  }, 60000);
  afterAll(async () => {
    for (const s of open) s.close();
    await killAllServers();
  });

  async function board(columns: number): Promise<{ id: string; columns: string[] }> {
    const res = await request(a.baseUrl)
      .post('/api/boards')
      .set(bearer(owner))
      .send({ name: 'race' });
    const id = res.body.id as string;
    await request(a.baseUrl)
      .post(`/api/boards/${id}/members`)
      .set(bearer(owner))
      .send({ userId: editor.id, role: 'editor' });
    const ids: string[] = [];
    for (let i = 0; i < columns; i++) {
      const c = await request(b.baseUrl)
        .post(`/api/boards/${id}/columns`)
        .set(bearer(editor))
        .send({ title: `col ${i}` });
      ids.push(c.body.id as string);
    }
    return { id, columns: ids };
  }

  async function subscribers(boardId: string): Promise<[TestSocket, TestSocket]> {
    const s1 = await socketOn(a, owner);
    const s2 = await socketOn(b, editor);
    for (const s of [s1, s2])
      await expect(
        s.request('subscribe', { channel: `board:${boardId}`, since: 0 }),
      ).resolves.toMatchObject({
        type: 'subscribed',
      });
    return [s1, s2];
  }

  async function latestOffset(boardId: string): Promise<number> {
    const sql = await sqlClient(a.databaseUrl);
    try {
      const r = await sql.query('SELECT last_offset FROM channel_offsets WHERE channel = $1', [
        `board:${boardId}`,
      ]);
      return Number(r.rows[0]?.last_offset ?? 0);
    } finally {
      await sql.end();
    }
  }

  /** Both subscribers hold every event, gap-free, and the three orders agree. */
  async function compareOrders(boardId: string, subs: TestSocket[]): Promise<number> {
    const latest = await latestOffset(boardId);
    const fromEvents: Record<string, string[]>[] = [];
    for (const s of subs) {
      const events = await s.waitEvents(`board:${boardId}`, latest, 30000);
      expect(events.map((e) => e.offset)).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
      fromEvents.push(orderFromEvents(events));
    }
    const got = await request(b.baseUrl).get(`/api/boards/${boardId}`).set(bearer(owner));
    const fromGet = orderFromBoard(got.body as BoardBody);
    for (const order of fromEvents) expect(order).toEqual(fromGet);
    return subs.length + 1;
  }

  it('two clients moving the same card at once: exactly one wins, the other gets CONFLICT with details.current', async () => {
    const { id, columns } = await board(3);
    const [s1, s2] = await subscribers(id);
    const created = await request(a.baseUrl)
      .post(`/api/boards/${id}/cards`)
      .set(bearer(owner))
      .send({ columnId: columns[0], title: 'contested' });
    let card = created.body as Card;
    const c1 = await socketOn(a, owner);
    const c2 = await socketOn(b, editor);
    const ROUNDS = 20;
    let conflicts = 0;
    const winners = { c1: 0, c2: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const to1 = columns[round % 3];
      const to2 = columns[(round + 1) % 3];
      const [r1, r2] = await Promise.all([
        c1.request('board.card.move', {
          data: { cardId: card.id, version: card.version, toColumnId: to1, afterCardId: null },
        }),
        c2.request('board.card.move', {
          data: { cardId: card.id, version: card.version, toColumnId: to2, afterCardId: null },
        }),
      ]);
      const acks = [r1, r2].filter((r) => r.type === 'ack');
      const errors = [r1, r2].filter((r) => r.type === 'error');
      expect(acks).toHaveLength(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'CONFLICT' });
      const won = acks[0].data as Card;
      expect(won.version).toBe(card.version + 1);
      expect((errors[0].details as { current: Card }).current).toEqual(won);
      if (r1.type === 'ack') winners.c1 += 1;
      else winners.c2 += 1;
      conflicts += 1;
      card = won;
    }
    const compared = await compareOrders(id, [s1, s2]);
    console.log(
      `[boards race] same card: ${ROUNDS * 2} moves attempted in ${ROUNDS} rounds, ` +
        `${ROUNDS} won (instance A ${winners.c1}, instance B ${winners.c2}), ${conflicts} CONFLICT; ` +
        `final order compared on ${compared} views (2 subscribers + GET): identical`,
    );
  });

  it('20 concurrent move attempts over several cards: one winner per card and version, identical final order everywhere', async () => {
    const { id, columns } = await board(3);
    const [s1, s2] = await subscribers(id);
    // A fixed anchor card per column (never moved), plus movable cards.
    const anchors: string[] = [];
    const movable: Card[] = [];
    for (const col of columns) {
      const anchor = await request(a.baseUrl)
        .post(`/api/boards/${id}/cards`)
        .set(bearer(owner))
        .send({ columnId: col, title: 'anchor' });
      anchors.push(anchor.body.id as string);
      for (let i = 0; i < 4; i++) {
        const c = await request(b.baseUrl)
          .post(`/api/boards/${id}/cards`)
          .set(bearer(editor))
          .send({ columnId: col, title: `card ${i}` });
        movable.push(c.body as Card);
      }
    }
    const clients = [
      await socketOn(a, owner),
      await socketOn(a, editor),
      await socketOn(b, owner),
      await socketOn(b, editor),
    ];
    let seed = 7;
    const rand = (n: number): number => {
      // mulberry32: a small deterministic generator that stays within 32-bit integers.
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const ROUNDS = 3;
    const ATTEMPTS = 20;
    let attempted = 0;
    let won = 0;
    let conflicts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Everybody moves from the same snapshot of versions, as concurrent users would.
      const snapshot = (await request(a.baseUrl).get(`/api/boards/${id}`).set(bearer(owner)))
        .body as {
        columns: { cards: Card[] }[];
      };
      const versions = new Map(
        snapshot.columns.flatMap((c) => c.cards).map((c) => [c.id, c.version]),
      );
      const attempts = Array.from({ length: ATTEMPTS }, (_, i) => {
        const card = movable[rand(movable.length)];
        const col = rand(columns.length);
        return {
          client: clients[i % clients.length],
          cardId: card.id,
          data: {
            cardId: card.id,
            version: versions.get(card.id)!,
            toColumnId: columns[col],
            afterCardId: rand(2) === 0 ? null : anchors[col],
          },
        };
      });
      const replies = await Promise.all(
        attempts.map((x) => x.client.request('board.card.move', { data: x.data }, 20000)),
      );
      attempted += attempts.length;
      const winnersByCard = new Map<string, Frame[]>();
      for (const [i, r] of replies.entries()) {
        if (r.type === 'ack') {
          won += 1;
          winnersByCard.set(attempts[i].cardId, [
            ...(winnersByCard.get(attempts[i].cardId) ?? []),
            r,
          ]);
        } else {
          expect(r).toMatchObject({
            code: 'CONFLICT',
            details: { current: { id: attempts[i].cardId } },
          });
          conflicts += 1;
        }
      }
      // Exactly one winner for every card that was targeted in this round.
      const targeted = new Set(attempts.map((x) => x.cardId));
      expect([...winnersByCard.keys()].sort()).toEqual([...targeted].sort());
      for (const ws of winnersByCard.values()) expect(ws).toHaveLength(1);
      // A conflict's details.current is the winner's card (or a later state of it).
      for (const [i, r] of replies.entries()) {
        if (r.type !== 'error') continue;
        const current = (r.details as { current: Card }).current;
        expect(current.version).toBeGreaterThan(attempts[i].data.version);
      }
    }
    const compared = await compareOrders(id, [s1, s2]);
    // Position keys stay unique within a column.
    const sql = await sqlClient(a.databaseUrl);
    try {
      const dup = await sql.query(
        `SELECT column_id, position, count(*) FROM board_cards WHERE board_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
        [id],
      );
      expect(dup.rows).toEqual([]);
    } finally {
      await sql.end();
    }
    expect(won + conflicts).toBe(attempted);
    console.log(
      `[boards race] ${attempted} concurrent move attempts (${ROUNDS} rounds of ${ATTEMPTS}, 4 clients on 2 instances): ` +
        `${won} won, ${conflicts} CONFLICT; final order compared on ${compared} views (2 subscribers + GET): identical`,
    );
  });
});
