import fc from 'fast-check';
import request from 'supertest';
import { CommandRunner } from '../../src/realtime/kernel/command-runner.js';
import { CLIENT_COMMANDS } from '../../src/realtime/protocols/stomp/stomp-frame.js';
import { LogCapture } from '../helpers/log-capture.js';
import { RawStomp } from '../helpers/stomp-client.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, Frame, TestSocket } from '../helpers/ws-client.js';

/** The codes a refusal may carry (docs/protocol.md, "Errors and close codes"), INTERNAL excepted: that one is a bug. */
const REFUSALS = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'TOO_LARGE',
  'UNKNOWN_TYPE',
];
const REPLIES = [
  'ack',
  'error',
  'pong',
  'subscribed',
  'unsubscribed',
  'channels',
  'stats',
  'authenticated',
];
const OWN_FRAMES = ['ping', 'auth', 'subscribe', 'unsubscribe', 'list_channels', 'stats'];
const T0 = '2032-01-01T10:00:00.000Z';
const T1 = '2032-01-01T11:00:00.000Z';

/** Values a hostile client puts in a field. */
function nasty(ids: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '',
      ' ',
      'x'.repeat(3000),
      "' OR 1=1 --",
      '00000000-0000-0000-0000-000000000000',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      '0b7e2a4c-9c1f-4b8e-9d3a-2a4d5e6f7a8g',
      '2032-13-45T99:99:99Z',
      '1970-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      '__proto__',
      'constructor',
      '\u0000',
      '\ud800',
      ...ids,
      ...ids.map((id) => id.toUpperCase()),
    ),
    fc.integer(),
    fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -0, 0.5),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...ids), fc.integer()), {
      maxLength: 12,
    }),
    fc.constant(Array.from({ length: 600 }, (_, i) => ids[i % ids.length])),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as unknown),
    fc.constant(deep(60)),
  );
}

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

/** A command's data: valid for the fuzzing user's own things, or bent in one place. */
function dataOf(template: Record<string, unknown>, ids: string[]): fc.Arbitrary<unknown> {
  const keys = Object.keys(template);
  const bent = keys.length
    ? fc.tuple(fc.constantFrom(...keys), nasty(ids)).map(([k, v]) => ({ ...template, [k]: v }))
    : nasty(ids).map((v) => ({ value: v }));
  const dropped = keys.length
    ? fc.constantFrom(...keys).map((k) => {
        const copy = { ...template };
        delete copy[k];
        return copy;
      })
    : fc.constant({});
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(template) },
    { weight: 6, arbitrary: bent },
    { weight: 2, arbitrary: dropped },
    { weight: 1, arbitrary: fc.record({ extra: nasty(ids) }).map((x) => ({ ...template, ...x })) },
    { weight: 2, arbitrary: nasty(ids) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/**
 * Property-based fuzzing (fast-check) of the JSON protocol, STOMP and every
 * command's data, over real sockets against the real application: no crash,
 * no unhandled rejection, no error logged, every bad frame a coded refusal
 * (never INTERNAL), and the socket still serves after it.
 */
describe('fuzzing over real sockets', () => {
  const logs = new LogCapture();
  let t: TestApp;
  let user: RegisteredUser;
  let templates: Record<string, Record<string, unknown>>;
  let ids: string[];
  let commands: string[];
  let cases = 0;
  let frames = 0;
  let unhandled = 0;
  const onUnhandled = (): void => {
    unhandled += 1;
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await startTestApp({
      logDestination: logs,
      env: {
        LOG_LEVEL: 'warn',
        WS_RATE_LIMIT: '1000000',
        WS_CONNECT_RATE_PER_IP: '1000000',
        WS_ABUSE_THRESHOLD: '1000000',
      },
    });
    user = await registerUser(t.baseUrl);
    const other = await registerUser(t.baseUrl);
    const as = (path: string, body: object) =>
      request(t.baseUrl).post(path).set(bearer(user)).send(body);
    const conv = await as('/api/conversations', { participantIds: [other.id], title: 'fuzz' });
    const msg = await as(`/api/conversations/${conv.body.id}/messages`, { content: 'hello' });
    const board = await as('/api/boards', { name: 'fuzz' });
    const column = await as(`/api/boards/${board.body.id}/columns`, { title: 'c' });
    const card = await as(`/api/boards/${board.body.id}/cards`, {
      columnId: column.body.id,
      title: 'k',
    });
    const calendar = await as('/api/calendars', { name: 'fuzz' });
    const event = await as(`/api/calendars/${calendar.body.id}/events`, {
      title: 'e',
      startsAt: T0,
      endsAt: T1,
    });
    ids = [
      conv.body.id,
      msg.body.id,
      board.body.id,
      column.body.id,
      card.body.id,
      calendar.body.id,
      event.body.id,
      other.id,
      user.id,
    ];
    templates = {
      'chat.send': { conversationId: conv.body.id, content: 'hi', clientMsgId: 'm-1' },
      'chat.edit': { messageId: msg.body.id, content: 'edited' },
      'chat.delete': { messageId: msg.body.id },
      'chat.read': { conversationId: conv.body.id, messageId: msg.body.id },
      'chat.typing': { conversationId: conv.body.id, typing: true },
      'notification.ack': { ids: [msg.body.id] },
      'notification.read': { all: true },
      'board.column.create': { boardId: board.body.id, title: 'n', afterColumnId: null },
      'board.column.update': { columnId: column.body.id, version: 1, title: 'u' },
      'board.column.delete': { columnId: column.body.id, version: 1 },
      'board.card.create': {
        boardId: board.body.id,
        columnId: column.body.id,
        title: 'n',
        labels: ['a'],
        dueAt: T0,
      },
      'board.card.update': { cardId: card.body.id, version: 1, title: 'u', assigneeId: null },
      'board.card.move': {
        cardId: card.body.id,
        version: 1,
        toColumnId: column.body.id,
        afterCardId: null,
      },
      'board.card.delete': { cardId: card.body.id, version: 1 },
      'calendar.event.create': {
        calendarId: calendar.body.id,
        title: 'n',
        startsAt: T0,
        endsAt: T1,
        attendeeIds: [other.id],
      },
      'calendar.event.update': {
        eventId: event.body.id,
        version: 1,
        title: 'u',
        reminderMinutes: 5,
      },
      'calendar.event.delete': { eventId: event.body.id, version: 1 },
      'presence.set': { status: 'away' },
      'announcement.publish': { title: 't', body: 'b' },
    };
    commands = [...t.app.get(CommandRunner).commands.keys()];
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.stdout.write(`[fuzz] over real sockets: ${cases} cases, ${frames} frames\n`);
    await t?.close();
  });

  /** Sends the frames, then a ping; every reply must be a known, coded one. */
  async function exchange(socket: TestSocket, batch: (string | object)[]): Promise<void> {
    const from = socket.frames.length;
    for (const f of batch) socket.send(f);
    frames += batch.length + 1;
    // Replies come in order: once the ping's pong is in, every earlier reply is too.
    await socket.request('ping', {}, 10_000);
    const replies = socket.frames.slice(from).filter((f) => f.type !== 'event');
    for (const reply of replies) expectCoded(reply);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  }

  function expectCoded(reply: Frame): void {
    expect(REPLIES).toContain(reply.type);
    if (reply.type === 'error') {
      expect(REFUSALS).toContain(reply.code);
      expect(typeof reply.message).toBe('string');
    }
  }

  function expectQuiet(): void {
    expect(unhandled).toBe(0);
    const errors = logs
      .text()
      .split('\n')
      .filter((l) => l.includes('"level":50') || l.includes('"level":60'));
    expect(errors).toEqual([]);
  }

  it('covers every command of the kernel’s table', () => {
    expect(Object.keys(templates).sort()).toEqual([...commands].sort());
  });

  it('answers any JSON-protocol frame with a coded reply and keeps serving (signed-in and anonymous)', async () => {
    const signedIn = await connect(t.baseUrl, { token: user.accessToken });
    const anonymous = await connect(t.baseUrl);
    const frame = fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.record(
          {
            type: fc.oneof(
              fc.constantFrom(...OWN_FRAMES, ...commands, 'system', 'chat', 'nope.nope'),
              nasty(ids),
            ),
            id: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), nasty(ids)),
            action: fc.oneof(fc.constantFrom('send', 'joinRoom', 'leaveRoom'), nasty(ids)),
            data: fc.oneof(fc.record({ roomName: nasty(ids) }), nasty(ids)),
            channel: fc.oneof(
              fc.constantFrom(
                'presence',
                'announcements',
                `user:${user.id}`,
                `chat:${ids[0].toUpperCase()}`,
              ),
              nasty(ids),
            ),
            since: nasty(ids),
            token: nasty(ids),
          },
          { requiredKeys: ['type'] },
        ),
      )
      // A frame over WS_MAX_PAYLOAD closes the socket (1009), as the contract says: not this property.
      .filter((f) => Buffer.byteLength(typeof f === 'string' ? f : JSON.stringify(f)) < 60_000);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.array(frame, { minLength: 1, maxLength: 5 }),
          async (anon, batch) => {
            cases += 1;
            await exchange(anon ? anonymous : signedIn, batch);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      signedIn.close();
      anonymous.close();
    }
    expectQuiet();
  }, 120_000);

  it('answers the protocol’s own frames with fuzzed fields with a coded reply (JSON protocol)', async () => {
    const own: Record<string, Record<string, unknown>> = {
      ping: {},
      auth: { token: user.accessToken },
      subscribe: { channel: 'presence', since: 0 },
      unsubscribe: { channel: 'presence' },
      list_channels: {},
      stats: {},
    };
    expect(Object.keys(own).sort()).toEqual([...OWN_FRAMES].sort());
    const socket = await connect(t.baseUrl, { token: user.accessToken });
    try {
      for (const [type, template] of Object.entries(own))
        await fc.assert(
          fc.asyncProperty(dataOf(template, ids), async (fields) => {
            cases += 1;
            frames += 1;
            const spread =
              typeof fields === 'object' && fields !== null && !Array.isArray(fields)
                ? (fields as Record<string, unknown>)
                : { data: fields };
            // The fields go beside `type` and `id`, as the protocol's own frames carry them.
            const { type: _type, id: _id, ...rest } = spread;
            const from = socket.frames.length;
            const reply = await socket.request(type, rest, 10_000);
            expectCoded(reply);
            for (const f of socket.frames.slice(from)) if (f.type !== 'event') expectCoded(f);
          }),
          { numRuns: 60 },
        );
    } finally {
      socket.close();
    }
    expectQuiet();
  }, 120_000);

  it('answers every command’s fuzzed data with an ack or a coded refusal (JSON protocol)', async () => {
    const socket = await connect(t.baseUrl, { token: user.accessToken });
    try {
      for (const command of commands)
        await fc.assert(
          fc.asyncProperty(dataOf(templates[command], ids), async (data) => {
            cases += 1;
            const from = socket.frames.length;
            const reply = await socket.request(command, { data }, 10_000);
            frames += 1;
            expectCoded(reply);
            expect(['ack', 'error']).toContain(reply.type);
            for (const f of socket.frames.slice(from)) if (f.type !== 'event') expectCoded(f);
          }),
          { numRuns: 40 },
        );
      await expect(socket.request('ping')).resolves.toMatchObject({ type: 'pong' });
    } finally {
      socket.close();
    }
    expectQuiet();
  }, 120_000);

  it('answers every command’s fuzzed data sent with STOMP SEND with a RECEIPT or a coded error, and keeps the session', async () => {
    const stomp = await RawStomp.open(t.baseUrl, { token: user.accessToken });
    try {
      await stomp.connect();
      stomp.frame('SUBSCRIBE', { id: 'errors', destination: '/user/queue/errors', receipt: 'sub' });
      await stomp.next((f) => f.command === 'RECEIPT' && f.header('receipt-id') === 'sub');
      let n = 0;
      for (const command of commands)
        await fc.assert(
          fc.asyncProperty(
            dataOf(templates[command], ids),
            fc.constantFrom(
              `/app/${command}`,
              `/app/${command}`,
              '/app/chat/not-an-id/send',
              '/app/nope.nope',
              '/nowhere',
            ),
            async (data, destination) => {
              cases += 1;
              frames += 1;
              const receipt = `r-${++n}`;
              stomp.frame('SEND', { destination, receipt }, JSON.stringify(data) ?? '');
              const answer = await stomp.next(
                (f) =>
                  f.header('receipt-id') === receipt &&
                  (f.command === 'RECEIPT' || f.command === 'MESSAGE'),
                10_000,
              );
              if (answer.command === 'MESSAGE') {
                expect(REFUSALS).toContain(answer.header('code'));
                expect(REFUSALS).toContain(
                  (JSON.parse(answer.bodyText()) as { code: string }).code,
                );
              }
            },
          ),
          { numRuns: 20 },
        );
      expect(stomp.frames.filter((f) => f.command === 'ERROR')).toEqual([]);
      expect(stomp.ws.readyState).toBe(stomp.ws.OPEN);
    } finally {
      stomp.close();
    }
    expectQuiet();
  }, 120_000);

  it('answers malformed STOMP (random frames, garbage bytes) with a coded ERROR then close, or serves it, and the server goes on', async () => {
    const headerName = fc.oneof(
      fc.constantFrom(
        'destination',
        'id',
        'receipt',
        'content-length',
        'ack',
        'since',
        'accept-version',
        'heart-beat',
        'passcode',
      ),
      fc.string({ maxLength: 10 }),
    );
    const randomFrame = fc
      .record({
        command: fc.oneof(
          // Every command the server reads (transactions included: refused), and one in lower case.
          fc.constantFrom(...CLIENT_COMMANDS, 'connect'),
          fc.string({ maxLength: 12 }),
        ),
        headers: fc.array(fc.tuple(headerName, fc.string({ unit: 'binary', maxLength: 30 })), {
          maxLength: 6,
        }),
        body: fc.string({ unit: 'binary', maxLength: 100 }),
      })
      .map(
        (f) => `${f.command}\n${f.headers.map(([k, v]) => `${k}:${v}`).join('\n')}\n\n${f.body}\0`,
      );
    const message = fc.oneof(
      randomFrame,
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(message, { minLength: 1, maxLength: 4 }),
        async (connectFirst, batch) => {
          cases += 1;
          frames += batch.length;
          const stomp = await RawStomp.open(t.baseUrl, { token: user.accessToken });
          try {
            if (connectFirst) await stomp.connect();
            for (const m of batch) stomp.send(m);
            stomp.frame('SEND', { destination: '/app/heartbeat', receipt: 'probe' });
            const outcome = await Promise.race([
              stomp.closed.then(() => 'closed' as const),
              stomp
                .next((f) => f.header('receipt-id') === 'probe', 10_000)
                .then(() => 'served' as const),
            ]);
            for (const error of stomp.frames.filter((f) => f.command === 'ERROR'))
              expect(REFUSALS).toContain(error.header('code'));
            // Closed: for a malformed frame (an ERROR said why first), or a DISCONNECT (1000).
            if (outcome === 'closed') {
              const { code } = await stomp.closed;
              expect(stomp.frames.some((f) => f.command === 'ERROR') || code === 1000).toBe(true);
            }
          } finally {
            stomp.close();
          }
        },
      ),
      { numRuns: 150 },
    );
    // And it still serves: a new session, a command.
    const fresh = await RawStomp.open(t.baseUrl, { token: user.accessToken });
    await expect(fresh.connect()).resolves.toMatchObject({ command: 'CONNECTED' });
    fresh.close();
    expectQuiet();
  }, 120_000);
});
