import request, { Response } from 'supertest';
import { sqlClient } from '../helpers/databases.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';
import { connect } from '../helpers/ws-client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The contract's error body: exactly these keys, plus the optional ones given. */
function expectErrorBody(
  res: Response,
  status: number,
  code: string,
  optional: string[] = [],
): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.statusCode).toBe(status);
  expect(typeof res.body.message).toBe('string');
  expect(Object.keys(res.body).sort()).toEqual(
    ['code', 'message', 'statusCode', ...optional].sort(),
  );
}

function fieldsOf(res: Response): string[] {
  return (res.body.details as { field: string; errors: string[] }[]).map((d) => d.field).sort();
}

describe('HTTP errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Command data (REST bodies included) is limited to 16 KiB by default: raised here so
    // that bodies near the 1 MiB limit of the body parser reach validation.
    t = await startTestApp({ env: { WS_COMMAND_MAX_BYTES: String(2 * 1024 * 1024) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an unknown field: 400 BAD_REQUEST whose details name it', async () => {
    const res = await request(t.baseUrl).post('/api/auth/register').send({
      email: 'extra@example.test',
      password: 'correct horse battery',
      displayName: 'Extra',
      isAdmin: true,
    });
    expectErrorBody(res, 400, 'BAD_REQUEST', ['details']);
    expect(res.body.details).toEqual([
      { field: 'isAdmin', errors: [expect.stringContaining('isAdmin') as unknown] },
    ]);
    const login = await request(t.baseUrl)
      .post('/api/auth/login')
      .send({ email: 'extra@example.test', password: 'correct horse battery' });
    expect(login.status).toBe(401);
  });

  it('refuses an invalid email: 400 with details', async () => {
    const res = await request(t.baseUrl)
      .post('/api/auth/register')
      .send({ email: 'not-an-email', password: 'correct horse battery', displayName: 'X' });
    expectErrorBody(res, 400, 'BAD_REQUEST', ['details']);
    expect(fieldsOf(res)).toEqual(['email']);
    expect(res.body.details[0].errors).toEqual([expect.stringMatching(/email/) as unknown]);
  });

  it('lists every bad field, missing ones and wrong types included', async () => {
    const res = await request(t.baseUrl)
      .post('/api/auth/login')
      .send({ email: 42, password: ['x'] });
    expectErrorBody(res, 400, 'BAD_REQUEST', ['details']);
    expect(fieldsOf(res)).toEqual(['email', 'password']);
    const empty = await request(t.baseUrl).post('/api/auth/register').send({});
    expect(fieldsOf(empty)).toEqual(['displayName', 'email', 'password']);
  });

  it('refuses text PostgreSQL cannot store (a lone surrogate, NUL) over REST and the socket alike', async () => {
    const user = await registerUser(t.baseUrl);
    const auth = { Authorization: `Bearer ${user.accessToken}` };
    const board = await request(t.baseUrl).post('/api/boards').set(auth).send({ name: 'Text' });
    expect(board.status).toBe(201);
    const boardId = board.body.id as string;
    // JSON escapes the lone half of a pair as "\ud800": legal JSON, not Unicode text.
    const res = await request(t.baseUrl)
      .post(`/api/boards/${boardId}/columns`)
      .set(auth)
      .send({ title: 'To do \ud800' });
    expectErrorBody(res, 400, 'BAD_REQUEST', ['details']);
    expect(fieldsOf(res)).toEqual(['title']);
    const s = await connect(t.baseUrl, { token: user.accessToken });
    try {
      const frame = await s.request('board.column.create', {
        data: { boardId, title: '\udfff after a low half', afterColumnId: null },
      });
      expect(frame).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
      expect((frame.details as { field: string }[]).map((d) => d.field)).toEqual(['title']);
    } finally {
      s.close();
    }
    const nul = await request(t.baseUrl)
      .post('/api/boards')
      .set(auth)
      .send({ name: 'bad \u0000 byte' });
    expectErrorBody(nul, 400, 'BAD_REQUEST', ['details']);
    expect(fieldsOf(nul)).toEqual(['name']);
    // A well-formed pair (an emoji) is text like any other.
    const emoji = await request(t.baseUrl)
      .post(`/api/boards/${boardId}/columns`)
      .set(auth)
      .send({ title: 'Done \ud83d\ude00' });
    expect(emoji.status).toBe(201);
    expect(emoji.body.title).toBe('Done \u{1f600}');
    const read = await request(t.baseUrl).get(`/api/boards/${boardId}`).set(auth);
    expect(read.status).toBe(200);
    expect((read.body.columns as { title: string }[]).map((c) => c.title)).toEqual([
      'Done \u{1f600}',
    ]);
  });

  it('refuses malformed JSON: 400 BAD_REQUEST in the contract shape', async () => {
    const res = await request(t.baseUrl)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@example.test", "password": ');
    expectErrorBody(res, 400, 'BAD_REQUEST');
    expect(res.body.message).toBe('Malformed JSON body');
  });

  it('refuses a body over 1 MiB: 413 TOO_LARGE; just under it is read', async () => {
    const big = { email: 'big@example.test', password: 'x'.repeat(1024 * 1024) };
    const res = await request(t.baseUrl).post('/api/auth/login').send(big);
    expectErrorBody(res, 413, 'TOO_LARGE');
    expect(res.body.message).toBe('Body larger than 1048576 bytes');

    const under = { email: 'big@example.test', password: 'x'.repeat(1024 * 1024 - 100) };
    expect(Buffer.byteLength(JSON.stringify(under))).toBeLessThanOrEqual(1024 * 1024);
    const read = await request(t.baseUrl).post('/api/auth/login').send(under);
    expectErrorBody(read, 400, 'BAD_REQUEST', ['details']);
    expect(fieldsOf(read)).toEqual(['password']);
  });

  it('answers an unknown route: 404 NOT_FOUND in the same shape', async () => {
    const res = await request(t.baseUrl).get('/api/does-not-exist');
    expectErrorBody(res, 404, 'NOT_FOUND');
    const post = await request(t.baseUrl).post('/nowhere').send({ a: 1 });
    expectErrorBody(post, 404, 'NOT_FOUND');
  });

  it('echoes a valid x-request-id and makes one up otherwise', async () => {
    const given = await request(t.baseUrl).get('/health/live').set('x-request-id', 'req-42.a_b');
    expect(given.status).toBe(200);
    expect(given.headers['x-request-id']).toBe('req-42.a_b');

    const errored = await request(t.baseUrl).get('/nowhere').set('x-request-id', 'req-404');
    expect(errored.status).toBe(404);
    expect(errored.headers['x-request-id']).toBe('req-404');

    const invalid = await request(t.baseUrl)
      .get('/health/live')
      .set('x-request-id', 'has spaces and ; semicolons');
    expect(invalid.headers['x-request-id']).toMatch(UUID);
    const tooLong = await request(t.baseUrl)
      .get('/health/live')
      .set('x-request-id', 'a'.repeat(65));
    expect(tooLong.headers['x-request-id']).toMatch(UUID);
    const none = await request(t.baseUrl).get('/health/live');
    expect(none.headers['x-request-id']).toMatch(UUID);
  });
});

describe('unexpected errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await registerUser(t.baseUrl, { email: 'before-the-break@example.test' });
    const sql = await sqlClient(t.databaseUrl);
    try {
      await sql.query('DROP TABLE users CASCADE');
    } finally {
      await sql.end();
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answer 500 INTERNAL with a traceId and nothing of the cause', async () => {
    const res = await request(t.baseUrl)
      .post('/api/auth/login')
      .set('x-request-id', 'trace-me-1')
      .send({ email: 'before-the-break@example.test', password: 'correct horse battery' });
    expectErrorBody(res, 500, 'INTERNAL', ['traceId']);
    expect(res.body.message).toBe('Internal server error');
    expect(res.body.traceId).toBe('trace-me-1');
    expect(res.headers['x-request-id']).toBe('trace-me-1');
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/stack|at \w|relation|users|QueryFailed|\.ts:|\.js:/);
  });

  it('make up a traceId when the request had no id', async () => {
    const res = await request(t.baseUrl)
      .post('/api/auth/register')
      .send({ email: 'after@example.test', password: 'correct horse battery', displayName: 'A' });
    expectErrorBody(res, 500, 'INTERNAL', ['traceId']);
    expect(res.body.traceId).toMatch(UUID);
    expect(res.body.traceId).toBe(res.headers['x-request-id']);
  });
});

describe('module refusals carry a stable reason beside the code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names the rule in the HTTP body and in the error frame alike', async () => {
    const user = await registerUser(t.baseUrl);
    const missingCard = '00000000-0000-4000-8000-000000000000';
    const res = await request(t.baseUrl)
      .patch(`/api/cards/${missingCard}`)
      .set('Authorization', `Bearer ${user.accessToken}`)
      .send({ version: 1, title: 'x' });
    expectErrorBody(res, 404, 'NOT_FOUND', ['reason']);
    expect(res.body.reason).toBe('CARD_NOT_FOUND');
    const s = await connect(t.baseUrl, { token: user.accessToken });
    try {
      const frame = await s.request('board.card.update', {
        data: { cardId: missingCard, version: 1, title: 'x' },
      });
      expect(frame).toEqual({
        type: 'error',
        id: frame.id,
        code: 'NOT_FOUND',
        reason: 'CARD_NOT_FOUND',
        message: res.body.message as string,
      });
    } finally {
      s.close();
    }
  });
});
