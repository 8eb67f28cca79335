import request from 'supertest';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { sleep } from '../helpers/eventually.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

const LIMIT = 5;
const ABUSE_THRESHOLD = 3;

describe('realtime rate limits (docs/protocol.md: limits)', () => {
  let t: TestApp;
  const open: TestSocket[] = [];
  const socketOf = async (user?: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, user ? { token: user.accessToken } : {});
    open.push(s);
    return s;
  };
  /** Sends `n` pings at once and resolves with their replies, in order. */
  const pings = (s: TestSocket, n: number): Promise<Frame[]> =>
    Promise.all(Array.from({ length: n }, () => s.request('ping')));

  beforeAll(async () => {
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: {
        WS_RATE_LIMIT: String(LIMIT),
        WS_RATE_WINDOW_MS: '600000',
        WS_ABUSE_THRESHOLD: String(ABUSE_THRESHOLD),
      },
    });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t?.close();
  });

  it('refuses the frame after WS_RATE_LIMIT with RATE_LIMITED and a top-level retryAfterMs; ping counts', async () => {
    const user = await registerUser(t.baseUrl);
    const s = await socketOf(user);
    const replies = await pings(s, LIMIT);
    expect(replies.map((r) => r.type)).toEqual(Array(LIMIT).fill('pong'));
    const refused = await s.request('ping');
    expect(refused).toEqual({
      type: 'error',
      id: refused.id,
      code: 'RATE_LIMITED',
      message: expect.any(String) as unknown,
      retryAfterMs: expect.any(Number) as unknown,
    });
    expect(refused.retryAfterMs as number).toBeGreaterThan(0);
    expect(refused.retryAfterMs as number).toBeLessThanOrEqual(600000 / LIMIT);
    // Any frame counts, including a command and a malformed one; the socket stays open.
    await expect(s.request('list_channels')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    expect(s.ws.readyState).toBe(s.ws.OPEN);
  });

  it('counts malformed frames too', async () => {
    const user = await registerUser(t.baseUrl);
    const s = await socketOf(user);
    for (let i = 0; i < LIMIT; i++) s.send('not json');
    await expect(s.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    expect(s.frames.filter((f) => f.code === 'BAD_REQUEST')).toHaveLength(LIMIT);
  });

  it('shares one budget between the sockets of a user', async () => {
    const user = await registerUser(t.baseUrl);
    const a = await socketOf(user);
    const b = await socketOf(user);
    await pings(a, 3);
    await pings(b, LIMIT - 3);
    await expect(b.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(a.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    // Another user is not affected.
    const other = await socketOf(await registerUser(t.baseUrl));
    await expect(other.request('ping')).resolves.toMatchObject({ type: 'pong' });
  });

  it('closes with 4429 after repeated breaches (WS_ABUSE_THRESHOLD)', async () => {
    const user = await registerUser(t.baseUrl);
    const s = await socketOf(user);
    await pings(s, LIMIT);
    for (let i = 0; i < ABUSE_THRESHOLD; i++)
      await expect(s.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    s.send({ type: 'ping', id: 'last-straw' });
    await expect(s.closed).resolves.toMatchObject({ code: 4429 });
    expect(s.frames.some((f) => f.id === 'last-straw')).toBe(false);
  });

  it('answers every accepted frame, in the order accepted, before closing with 4429', async () => {
    const user = await registerUser(t.baseUrl);
    const s = await socketOf(user);
    // One burst: a command that writes to the database first (its ack takes a
    // transaction), then pings that would be answered at once, then refusals
    // past the abuse threshold.
    const burst = 20;
    s.send({ type: 'test.publish', id: 'f-0', data: { room: 'open-order', n: 1 } });
    for (let i = 1; i < burst; i++) s.send({ type: 'ping', id: `f-${i}` });
    await expect(s.closed).resolves.toMatchObject({ code: 4429 });
    const replies = s.frames.filter((f) => typeof f.id === 'string' && f.id.startsWith('f-'));
    expect(replies.map((f) => f.id)).toEqual(
      Array.from({ length: LIMIT + ABUSE_THRESHOLD }, (_, i) => `f-${i}`),
    );
    expect(replies.map((f) => f.type)).toEqual([
      'ack',
      ...Array<string>(LIMIT - 1).fill('pong'),
      ...Array<string>(ABUSE_THRESHOLD).fill('error'),
    ]);
    expect(replies.slice(LIMIT).every((f) => f.code === 'RATE_LIMITED')).toBe(true);
  });

  it('makes HTTP writes share the budget: 429 with Retry-After once the socket spent it', async () => {
    const user = await registerUser(t.baseUrl);
    const s = await socketOf(user);
    await pings(s, LIMIT);
    const res = await request(t.baseUrl)
      .post('/api/test/rooms/open-1/items')
      .set(bearer(user))
      .send({ n: 1 });
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Nothing was written.
    await expect(s.request('subscribe', { channel: 'test:open-1' })).resolves.toMatchObject({
      code: 'RATE_LIMITED',
    });
    const reader = await socketOf(await registerUser(t.baseUrl));
    await expect(reader.request('subscribe', { channel: 'test:open-1' })).resolves.toMatchObject({
      type: 'subscribed',
      offset: 0,
    });
  });

  it('makes socket frames share the budget HTTP writes spent', async () => {
    const user = await registerUser(t.baseUrl);
    for (let i = 0; i < LIMIT; i++) {
      const res = await request(t.baseUrl)
        .post('/api/test/rooms/open-2/items')
        .set(bearer(user))
        .send({ n: i });
      expect(res.status).toBe(201);
    }
    const s = await socketOf(user);
    await expect(s.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    // Reads are not writes: they do not spend it.
    const read = await request(t.baseUrl)
      .get('/api/channels/test:open-2/events?since=0')
      .set(bearer(user));
    expect(read.status).toBe(200);
    expect(read.body.events).toHaveLength(LIMIT);
  });

  it('limits anonymous sockets per IP, apart from anonymous HTTP writes (register)', async () => {
    for (let i = 0; i <= LIMIT; i++) await registerUser(t.baseUrl);
    const a = await socketOf();
    const b = await socketOf();
    await pings(a, LIMIT);
    await expect(b.request('ping')).resolves.toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('realtime rate limit refill (a token bucket)', () => {
  let t: TestApp;
  let s: TestSocket | undefined;
  beforeAll(async () => {
    t = await startTestApp({ env: { WS_RATE_LIMIT: '2', WS_RATE_WINDOW_MS: '1000' } });
  });
  afterAll(async () => {
    s?.close();
    await t?.close();
  });

  it('regains WS_RATE_LIMIT frames per WS_RATE_WINDOW_MS and holds at most WS_RATE_LIMIT', async () => {
    s = await connect(t.baseUrl, { token: (await registerUser(t.baseUrl)).accessToken });
    const burst = await Promise.all([s.request('ping'), s.request('ping'), s.request('ping')]);
    expect(burst.map((f) => f.type)).toEqual(['pong', 'pong', 'error']);
    const wait = burst[2].retryAfterMs as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(500);
    // Pacing: the refill is time that must pass (the bucket's own clock).
    await sleep(wait + 50);
    await expect(s.request('ping')).resolves.toMatchObject({ type: 'pong' });
    // Idle for several windows: the bucket is full again, but holds no more than 2.
    await sleep(2500);
    const again = await Promise.all([s.request('ping'), s.request('ping'), s.request('ping')]);
    expect(again.map((f) => f.type)).toEqual(['pong', 'pong', 'error']);
  });
});

describe('command size limit over REST (docs/protocol.md, limits: TOO_LARGE, HTTP 413)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a REST write whose body is over the 16 KiB default with 413 TOO_LARGE, and writes nothing', async () => {
    const user = await registerUser(t.baseUrl);
    const big = await request(t.baseUrl)
      .post('/api/test/rooms/open-size/items')
      .set(bearer(user))
      .send({ text: 'x'.repeat(17 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ statusCode: 413, code: 'TOO_LARGE' });
    const small = await request(t.baseUrl)
      .post('/api/test/rooms/open-size/items')
      .set(bearer(user))
      .send({ text: 'x'.repeat(15 * 1024) });
    expect(small.status).toBe(201);
    // The refused write took no offset: the accepted one is the first event.
    expect(small.body).toEqual({ offset: 1 });
  });
});
