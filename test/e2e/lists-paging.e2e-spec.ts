import request from 'supertest';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every page of `path` (which has a query string already), `limit` at a time. */
async function allPages<T>(t: TestApp, user: RegisteredUser, path: string, limit: number) {
  const pages: Page<T>[] = [];
  let cursor: string | null = null;
  do {
    const res = await request(t.baseUrl)
      .get(`${path}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
      .set(bearer(user));
    expect(res.status).toBe(200);
    const page = res.body as Page<T>;
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

/**
 * The security issue's unbounded lists: `GET /api/boards`, `GET /api/calendars`
 * and calendar events by range answer one page at a time, `{items, nextCursor}`
 * like every list of the contract, each item as before.
 */
describe('lists that page', () => {
  let t: TestApp;
  let owner: RegisteredUser;
  let other: RegisteredUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { WS_RATE_LIMIT: '100000' } });
    [owner, other] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pages GET /api/boards, most recently updated first, each board once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(t.baseUrl)
        .post('/api/boards')
        .set(bearer(owner))
        .send({ name: `b${i}` });
      ids.push(res.body.id as string);
    }
    const pages = await allPages<{ id: string }>(t, owner, '/api/boards?', 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((b) => b.id))).toEqual([...ids].reverse());
    expect(pages[2].nextCursor).toBeNull();
    expect(Object.keys(pages[0].items[0]).sort()).toEqual(
      ['createdAt', 'id', 'name', 'role', 'updatedAt', 'version'].sort(),
    );
    const whole = await request(t.baseUrl).get('/api/boards').set(bearer(owner));
    expect(whole.body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(whole.body.items).toHaveLength(5);
  });

  it('pages GET /api/calendars, oldest first, owned and shared ones', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(t.baseUrl)
        .post('/api/calendars')
        .set(bearer(other))
        .send({ name: `c${i}` });
      ids.push(res.body.id as string);
    }
    await request(t.baseUrl)
      .post(`/api/calendars/${ids[1]}/shares`)
      .set(bearer(other))
      .send({ userId: owner.id, access: 'read' });
    const mine = await request(t.baseUrl)
      .post('/api/calendars')
      .set(bearer(owner))
      .send({ name: 'mine' });
    const pages = await allPages<{ id: string; access: string }>(t, owner, '/api/calendars?', 1);
    expect(pages.flatMap((p) => p.items.map((c) => [c.id, c.access]))).toEqual([
      [ids[1], 'read'],
      [mine.body.id, 'owner'],
    ]);
    const theirs = await allPages<{ id: string }>(t, other, '/api/calendars?', 2);
    expect(theirs.flatMap((p) => p.items.map((c) => c.id))).toEqual(ids);
  });

  it('pages the events of a range by start, and only that range', async () => {
    const calendar = await request(t.baseUrl)
      .post('/api/calendars')
      .set(bearer(owner))
      .send({ name: 'events' });
    const id = calendar.body.id as string;
    const at = (hour: number): string => `2031-03-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
    // Created out of order; two start at the same time.
    for (const hour of [5, 1, 3, 3, 9, 2])
      await request(t.baseUrl)
        .post(`/api/calendars/${id}/events`)
        .set(bearer(owner))
        .send({ title: `h${hour}`, startsAt: at(hour), endsAt: at(hour + 1) });
    const range = `/api/calendars/${id}/events?from=${at(1)}&to=${at(9)}`;
    const pages = await allPages<{ startsAt: string; id: string }>(t, owner, range, 2);
    const starts = pages.flatMap((p) => p.items.map((e) => e.startsAt));
    expect(starts).toEqual([at(1), at(2), at(3), at(3), at(5)]);
    expect(new Set(pages.flatMap((p) => p.items.map((e) => e.id))).size).toBe(5);
    expect(pages.at(-1)!.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give and a limit out of range', async () => {
    for (const path of ['/api/boards', '/api/calendars']) {
      const bad = await request(t.baseUrl).get(`${path}?cursor=nonsense`).set(bearer(owner));
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
      expect((await request(t.baseUrl).get(`${path}?limit=101`).set(bearer(owner))).status).toBe(
        400,
      );
    }
  });
});
