import request from 'supertest';
import { ChannelPolicyRegistry } from '../../src/realtime/channels/channel-policy.registry.js';
import { CommandRunner } from '../../src/realtime/kernel/command-runner.js';
import { openSse } from '../helpers/sse-client.js';
import { RawStomp } from '../helpers/stomp-client.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

const ADMIN_EMAIL = 'matrix-admin@example.test';
const T0 = '2031-05-01T10:00:00.000Z';
const T1 = '2031-05-01T11:00:00.000Z';

/** What the owner made, that the outsider has no access to. */
interface Fixtures {
  owner: RegisteredUser;
  member: RegisteredUser;
  outsider: RegisteredUser;
  conversationId: string;
  messageId: string;
  boardId: string;
  columnId: string;
  cardId: string;
  calendarId: string;
  eventId: string;
  notificationId: string;
}

interface Call {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  body?: object;
}

/**
 * Who may call a route or a command; every route of Nest's router and every
 * command of the kernel's table must have one here, or the test fails:
 * - `public`: anyone, anonymous callers included;
 * - `auth-only`: any signed-in user, on their own things only (`cross`: a
 *   call on another user's things, and the check that it changed nothing);
 * - `admin`: admins only;
 * - `policy`: those the resource's policy lets in; `call` aims at the owner's
 *   resource, which the outsider is refused.
 */
type Access<C> =
  | { kind: 'public' }
  | {
      kind: 'auth-only';
      cross?: { call: (f: Fixtures) => C; unchanged: (f: Fixtures) => Promise<void> };
    }
  | { kind: 'admin'; call?: (f: Fixtures) => C }
  | { kind: 'policy'; call: (f: Fixtures) => C };

const policy = <C>(call: (f: Fixtures) => C): Access<C> => ({ kind: 'policy', call });
const AUTH_ONLY = { kind: 'auth-only' } as const;
const PUBLIC = { kind: 'public' } as const;

/** Command data aimed at the owner's resources (the outsider is refused them). */
type CommandAccess = Access<Record<string, unknown>>;

describe('the authorization matrix: every channel, command and route, refused to who has no access', () => {
  let t: TestApp;
  let f: Fixtures;
  let admin: RegisteredUser;
  let checked = 0;

  const api = () => request(t.baseUrl);
  const send = (call: Call, user?: RegisteredUser) => {
    const req = api()[call.method](call.path);
    if (user) req.set(bearer(user));
    return call.body === undefined ? req : req.send(call.body);
  };
  /** The owner's notification is still unread and unacknowledged. */
  const notificationUntouched = async (fx: Fixtures): Promise<void> => {
    const res = await api().get('/api/notifications').set(bearer(fx.owner));
    const mine = (res.body.items as { id: string; readAt: string | null }[]).find(
      (n) => n.id === fx.notificationId,
    );
    expect(mine).toMatchObject({ readAt: null });
  };

  const ROUTES: Record<string, Access<Call>> = {
    'POST /api/auth/register': PUBLIC,
    'POST /api/auth/login': PUBLIC,
    'POST /api/auth/refresh': PUBLIC,
    'POST /api/auth/logout': AUTH_ONLY,
    'GET /api/users/me': AUTH_ONLY,
    'DELETE /api/users/me': AUTH_ONLY,
    'PUT /api/users/{id}/role': {
      kind: 'admin',
      call: (x) => ({
        method: 'put',
        path: `/api/users/${x.outsider.id}/role`,
        body: { role: 'admin' },
      }),
    },
    'GET /api/channels/{channel}/events': policy((x) => ({
      method: 'get',
      path: `/api/channels/chat:${x.conversationId}/events`,
    })),
    'GET /api/stream': policy((x) => ({
      method: 'get',
      path: `/api/stream?channels=chat:${x.conversationId}`,
    })),
    'GET /metrics': PUBLIC,
    'GET /health/live': PUBLIC,
    'GET /health/ready': PUBLIC,
    'GET /api/notifications': AUTH_ONLY,
    'POST /api/notifications': {
      kind: 'admin',
      call: (x) => ({
        method: 'post',
        path: '/api/notifications',
        body: { userId: x.owner.id, title: 't', body: 'b' },
      }),
    },
    'GET /api/notifications/stream': AUTH_ONLY,
    'POST /api/notifications/read': {
      kind: 'auth-only',
      cross: {
        call: (x) => ({
          method: 'post',
          path: '/api/notifications/read',
          body: { ids: [x.notificationId] },
        }),
        unchanged: notificationUntouched,
      },
    },
    'POST /api/notifications/ack': {
      kind: 'auth-only',
      cross: {
        call: (x) => ({
          method: 'post',
          path: '/api/notifications/ack',
          body: { ids: [x.notificationId] },
        }),
        unchanged: notificationUntouched,
      },
    },
    'POST /api/conversations': AUTH_ONLY,
    'GET /api/conversations': AUTH_ONLY,
    'POST /api/conversations/{id}/participants': policy((x) => ({
      method: 'post',
      path: `/api/conversations/${x.conversationId}/participants`,
      body: { userIds: [x.outsider.id] },
    })),
    'DELETE /api/conversations/{id}/participants/{userId}': policy((x) => ({
      method: 'delete',
      path: `/api/conversations/${x.conversationId}/participants/${x.member.id}`,
    })),
    'GET /api/conversations/{id}/messages': policy((x) => ({
      method: 'get',
      path: `/api/conversations/${x.conversationId}/messages`,
    })),
    'POST /api/conversations/{id}/messages': policy((x) => ({
      method: 'post',
      path: `/api/conversations/${x.conversationId}/messages`,
      body: { content: 'intruder' },
    })),
    'POST /api/conversations/{id}/read': policy((x) => ({
      method: 'post',
      path: `/api/conversations/${x.conversationId}/read`,
      body: { messageId: x.messageId },
    })),
    'PATCH /api/messages/{id}': policy((x) => ({
      method: 'patch',
      path: `/api/messages/${x.messageId}`,
      body: { content: 'defaced' },
    })),
    'DELETE /api/messages/{id}': policy((x) => ({
      method: 'delete',
      path: `/api/messages/${x.messageId}`,
    })),
    'POST /api/boards': AUTH_ONLY,
    'GET /api/boards': AUTH_ONLY,
    'GET /api/boards/{id}': policy((x) => ({ method: 'get', path: `/api/boards/${x.boardId}` })),
    'POST /api/boards/{id}/members': policy((x) => ({
      method: 'post',
      path: `/api/boards/${x.boardId}/members`,
      body: { userId: x.outsider.id, role: 'owner' },
    })),
    'DELETE /api/boards/{id}/members/{userId}': policy((x) => ({
      method: 'delete',
      path: `/api/boards/${x.boardId}/members/${x.owner.id}`,
    })),
    'POST /api/boards/{id}/columns': policy((x) => ({
      method: 'post',
      path: `/api/boards/${x.boardId}/columns`,
      body: { title: 'intruder' },
    })),
    'PATCH /api/columns/{id}': policy((x) => ({
      method: 'patch',
      path: `/api/columns/${x.columnId}`,
      body: { version: 1, title: 'defaced' },
    })),
    'DELETE /api/columns/{id}': policy((x) => ({
      method: 'delete',
      path: `/api/columns/${x.columnId}?version=1`,
    })),
    'POST /api/boards/{id}/cards': policy((x) => ({
      method: 'post',
      path: `/api/boards/${x.boardId}/cards`,
      body: { columnId: x.columnId, title: 'intruder' },
    })),
    'PATCH /api/cards/{id}': policy((x) => ({
      method: 'patch',
      path: `/api/cards/${x.cardId}`,
      body: { version: 1, title: 'defaced' },
    })),
    'DELETE /api/cards/{id}': policy((x) => ({
      method: 'delete',
      path: `/api/cards/${x.cardId}?version=1`,
    })),
    'POST /api/cards/{id}/move': policy((x) => ({
      method: 'post',
      path: `/api/cards/${x.cardId}/move`,
      body: { version: 1, toColumnId: x.columnId, afterCardId: null },
    })),
    'POST /api/calendars': AUTH_ONLY,
    'GET /api/calendars': AUTH_ONLY,
    'GET /api/calendars/{id}': policy((x) => ({
      method: 'get',
      path: `/api/calendars/${x.calendarId}`,
    })),
    'POST /api/calendars/{id}/shares': policy((x) => ({
      method: 'post',
      path: `/api/calendars/${x.calendarId}/shares`,
      body: { userId: x.outsider.id, access: 'write' },
    })),
    'DELETE /api/calendars/{id}/shares/{userId}': policy((x) => ({
      method: 'delete',
      path: `/api/calendars/${x.calendarId}/shares/${x.member.id}`,
    })),
    'GET /api/calendars/{id}/events': policy((x) => ({
      method: 'get',
      path: `/api/calendars/${x.calendarId}/events?from=${T0}&to=${T1}`,
    })),
    'POST /api/calendars/{id}/events': policy((x) => ({
      method: 'post',
      path: `/api/calendars/${x.calendarId}/events`,
      body: { title: 'intruder', startsAt: T0, endsAt: T1 },
    })),
    'PATCH /api/calendar-events/{id}': policy((x) => ({
      method: 'patch',
      path: `/api/calendar-events/${x.eventId}`,
      body: { version: 1, title: 'defaced' },
    })),
    'DELETE /api/calendar-events/{id}': policy((x) => ({
      method: 'delete',
      path: `/api/calendar-events/${x.eventId}?version=1`,
    })),
    'GET /api/presence': AUTH_ONLY,
    'PUT /api/presence/me': AUTH_ONLY,
    'GET /api/announcements': PUBLIC,
    'POST /api/announcements': {
      kind: 'admin',
      call: () => ({ method: 'post', path: '/api/announcements', body: { title: 't', body: 'b' } }),
    },
  };

  const COMMANDS: Record<string, CommandAccess> = {
    'chat.send': policy((x) => ({ conversationId: x.conversationId, content: 'intruder' })),
    'chat.edit': policy((x) => ({ messageId: x.messageId, content: 'defaced' })),
    'chat.delete': policy((x) => ({ messageId: x.messageId })),
    'chat.read': policy((x) => ({ conversationId: x.conversationId, messageId: x.messageId })),
    'chat.typing': policy((x) => ({ conversationId: x.conversationId, typing: true })),
    'notification.ack': {
      kind: 'auth-only',
      cross: { call: (x) => ({ ids: [x.notificationId] }), unchanged: notificationUntouched },
    },
    'notification.read': {
      kind: 'auth-only',
      cross: { call: (x) => ({ ids: [x.notificationId] }), unchanged: notificationUntouched },
    },
    'board.column.create': policy((x) => ({ boardId: x.boardId, title: 'intruder' })),
    'board.column.update': policy((x) => ({ columnId: x.columnId, version: 1, title: 'defaced' })),
    'board.column.delete': policy((x) => ({ columnId: x.columnId, version: 1 })),
    'board.card.create': policy((x) => ({
      boardId: x.boardId,
      columnId: x.columnId,
      title: 'intruder',
    })),
    'board.card.update': policy((x) => ({ cardId: x.cardId, version: 1, title: 'defaced' })),
    'board.card.move': policy((x) => ({
      cardId: x.cardId,
      version: 1,
      toColumnId: x.columnId,
      afterCardId: null,
    })),
    'board.card.delete': policy((x) => ({ cardId: x.cardId, version: 1 })),
    'calendar.event.create': policy((x) => ({
      calendarId: x.calendarId,
      title: 'intruder',
      startsAt: T0,
      endsAt: T1,
    })),
    'calendar.event.update': policy((x) => ({ eventId: x.eventId, version: 1, title: 'defaced' })),
    'calendar.event.delete': policy((x) => ({ eventId: x.eventId, version: 1 })),
    'presence.set': AUTH_ONLY,
    'announcement.publish': { kind: 'admin', call: () => ({ title: 't', body: 'b' }) },
  };

  /**
   * Per channel prefix of the policy registry: `public` (anonymous sockets
   * too), `auth-only` (any signed-in user), or a channel of it that the
   * outsider, a plain user, may not read (admin channels included).
   */
  const CHANNELS: Record<string, ((x: Fixtures) => string) | 'public' | 'auth-only'> = {
    announcements: 'public',
    presence: 'auth-only',
    system: () => 'system',
    'user:*': (x) => `user:${x.owner.id}`,
    'chat:*': (x) => `chat:${x.conversationId}`,
    'board:*': (x) => `board:${x.boardId}`,
    'calendar:*': (x) => `calendar:${x.calendarId}`,
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ADMIN_EMAILS: ADMIN_EMAIL,
        WS_RATE_LIMIT: '1000000',
        WS_CONNECT_RATE_PER_IP: '1000000',
      },
    });
    const [owner, member, outsider] = await Promise.all([
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
    ]);
    admin = await registerUser(t.baseUrl, { email: ADMIN_EMAIL });
    const as = (u: RegisteredUser) => ({
      post: (path: string, body: object) => api().post(path).set(bearer(u)).send(body),
    });
    const conv = await as(owner).post('/api/conversations', {
      participantIds: [member.id],
      title: 'private',
    });
    const msg = await as(owner).post(`/api/conversations/${conv.body.id}/messages`, {
      content: 'secret',
    });
    const board = await as(owner).post('/api/boards', { name: 'private' });
    const column = await as(owner).post(`/api/boards/${board.body.id}/columns`, { title: 'c' });
    const card = await as(owner).post(`/api/boards/${board.body.id}/cards`, {
      columnId: column.body.id,
      title: 'k',
    });
    const calendar = await as(owner).post('/api/calendars', { name: 'private' });
    await as(owner).post(`/api/calendars/${calendar.body.id}/shares`, {
      userId: member.id,
      access: 'read',
    });
    const event = await as(owner).post(`/api/calendars/${calendar.body.id}/events`, {
      title: 'e',
      startsAt: T0,
      endsAt: T1,
    });
    const notification = await as(admin).post('/api/notifications', {
      userId: owner.id,
      title: 'n',
      body: 'b',
    });
    f = {
      owner,
      member,
      outsider,
      conversationId: conv.body.id,
      messageId: msg.body.id,
      boardId: board.body.id,
      columnId: column.body.id,
      cardId: card.body.id,
      calendarId: calendar.body.id,
      eventId: event.body.id,
      notificationId: notification.body.id,
    };
    for (const [name, value] of Object.entries(f))
      if (value === undefined) throw new Error(`fixture ${name} was not created`);
  });
  afterAll(async () => {
    process.stdout.write(`[authorization matrix] ${checked} refusals checked\n`);
    await t?.close();
  });

  it('covers every route of the router and of the OpenAPI document, and nothing else', async () => {
    const doc = (await api().get('/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const fromDoc = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const fromRouter = routerRoutes(t);
    expect(fromRouter.sort()).toEqual([...new Set(fromDoc)].sort());
    expect(Object.keys(ROUTES).sort()).toEqual(fromRouter.sort());
  });

  it('covers every command of the kernel’s table, and every channel prefix of the policy registry', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(
      [...t.app.get(CommandRunner).commands.keys()].sort(),
    );
    expect(Object.keys(CHANNELS).sort()).toEqual(
      t.app.get(ChannelPolicyRegistry).prefixes().sort(),
    );
  });

  it('refuses every route but the public ones to anonymous callers (401)', async () => {
    const wrong: string[] = [];
    for (const [route, access] of Object.entries(ROUTES)) {
      if (access.kind === 'public') continue;
      const [method, template] = route.split(' ');
      const call: Call =
        access.kind === 'policy' || (access.kind === 'admin' && access.call)
          ? access.call!(f)
          : { method: method.toLowerCase() as Call['method'], path: template };
      const res = await sendOnce(call);
      if (res !== 401) wrong.push(`${route}: ${res}`);
      checked += 1;
    }
    expect(wrong).toEqual([]);
  });

  it('refuses every policy route to a user outside the resource (403), admin routes to users, and another user’s things change nothing', async () => {
    const wrong: string[] = [];
    for (const [route, access] of Object.entries(ROUTES)) {
      if (access.kind === 'policy' || (access.kind === 'admin' && access.call)) {
        const status = await sendOnce(access.call!(f), f.outsider);
        if (status !== 403) wrong.push(`${route}: ${status}`);
        checked += 1;
      }
      if (access.kind === 'auth-only' && access.cross) {
        await send(access.cross.call(f), f.outsider);
        await access.cross.unchanged(f);
        checked += 1;
      }
    }
    expect(wrong).toEqual([]);
    await expectFixturesIntact();
  });

  it('refuses every command on the JSON protocol: FORBIDDEN to an outsider, UNAUTHORIZED to anonymous sockets', async () => {
    const outsider = await connect(t.baseUrl, { token: f.outsider.accessToken });
    const anonymous = await connect(t.baseUrl);
    const wrong: string[] = [];
    try {
      for (const [command, access] of Object.entries(COMMANDS)) {
        const data = dataFor(access);
        if (access.kind !== 'public') {
          const reply = await anonymous.request(command, { data });
          if (reply.code !== 'UNAUTHORIZED')
            wrong.push(`anonymous ${command}: ${String(reply.code ?? reply.type)}`);
          checked += 1;
        }
        if (access.kind === 'policy' || access.kind === 'admin') {
          const reply = await outsider.request(command, { data });
          if (reply.code !== 'FORBIDDEN')
            wrong.push(`outsider ${command}: ${String(reply.code ?? reply.type)}`);
          checked += 1;
        }
        if (access.kind === 'auth-only' && access.cross) {
          await outsider.request(command, { data: access.cross.call(f) });
          await access.cross.unchanged(f);
          checked += 1;
        }
      }
    } finally {
      outsider.close();
      anonymous.close();
    }
    expect(wrong).toEqual([]);
    await expectFixturesIntact();
  });

  it('refuses every command on STOMP (SEND /app/<command>): FORBIDDEN on /user/queue/errors, no RECEIPT for anonymous', async () => {
    const outsider = await RawStomp.open(t.baseUrl, { token: f.outsider.accessToken });
    const anonymous = await RawStomp.open(t.baseUrl);
    const wrong: string[] = [];
    try {
      await outsider.connect();
      await anonymous.connect();
      outsider.frame('SUBSCRIBE', {
        id: 'errors',
        destination: '/user/queue/errors',
        receipt: 'sub',
      });
      await outsider.next((fr) => fr.command === 'RECEIPT' && fr.header('receipt-id') === 'sub');
      let n = 0;
      for (const [command, access] of Object.entries(COMMANDS)) {
        const body = JSON.stringify(dataFor(access));
        if (access.kind === 'policy' || access.kind === 'admin') {
          const receipt = `r-${++n}`;
          outsider.frame(
            'SEND',
            { destination: `/app/${command}`, receipt, 'content-type': 'application/json' },
            body,
          );
          const answer = await outsider.next(
            (fr) =>
              fr.header('receipt-id') === receipt &&
              (fr.command === 'MESSAGE' || fr.command === 'RECEIPT'),
          );
          if (answer.command !== 'MESSAGE' || answer.header('code') !== 'FORBIDDEN')
            wrong.push(`outsider ${command}: ${answer.command} ${answer.header('code') ?? ''}`);
          checked += 1;
        }
        if (access.kind !== 'public') {
          const receipt = `a-${++n}`;
          anonymous.frame(
            'SEND',
            { destination: `/app/${command}`, receipt, 'content-type': 'application/json' },
            body,
          );
          // A marker behind it: its RECEIPT comes after the command's answer, had there been one.
          anonymous.frame('SEND', { destination: '/app/heartbeat', receipt: `${receipt}-marker` });
          await anonymous.next((fr) => fr.header('receipt-id') === `${receipt}-marker`);
          if (anonymous.frames.some((fr) => fr.header('receipt-id') === receipt))
            wrong.push(`anonymous ${command}: RECEIPT`);
          checked += 1;
        }
      }
    } finally {
      outsider.close();
      anonymous.close();
    }
    expect(wrong).toEqual([]);
    await expectFixturesIntact();
  });

  it('refuses every private channel on every path: subscribe, STOMP SUBSCRIBE, SSE and HTTP recovery', async () => {
    const wrong: string[] = [];
    for (const [prefix, fixture] of Object.entries(CHANNELS)) {
      if (fixture === 'public') {
        const anonymous = await connect(t.baseUrl);
        const reply = await anonymous.request('subscribe', { channel: prefix });
        anonymous.close();
        if (reply.type !== 'subscribed')
          wrong.push(`${prefix} is public but refused: ${String(reply.code)}`);
        continue;
      }
      const channel = fixture === 'auth-only' ? prefix : fixture(f);
      const callers = [
        ['anonymous', undefined, 'UNAUTHORIZED'],
        ['outsider', f.outsider, 'FORBIDDEN'],
      ] as const;
      for (const [who, user, expected] of fixture === 'auth-only' ? callers.slice(0, 1) : callers) {
        const codes = await channelRefusals(channel, user);
        for (const [path, code] of Object.entries(codes)) {
          if (code !== expected) wrong.push(`${who} ${channel} via ${path}: ${code}`);
          checked += 1;
        }
      }
    }
    // Another user's queues over STOMP, by their id.
    const stomp = await RawStomp.open(t.baseUrl, { token: f.outsider.accessToken });
    await stomp.connect();
    stomp.frame('SUBSCRIBE', { id: 'x', destination: `/user/${f.owner.id}/queue/notifications` });
    const refused = await stomp.next((fr) => fr.command === 'ERROR');
    if (refused.header('code') !== 'FORBIDDEN')
      wrong.push(`/user/{other}/queue: ${refused.header('code')}`);
    checked += 1;
    expect(wrong).toEqual([]);
  });

  /** The owner's resources are as they were made, whatever was attempted. */
  async function expectFixturesIntact(): Promise<void> {
    const board = await api().get(`/api/boards/${f.boardId}`).set(bearer(f.owner));
    expect(board.body).toMatchObject({
      name: 'private',
      members: [expect.objectContaining({ userId: f.owner.id })],
    });
    expect(board.body.members).toHaveLength(1);
    expect(board.body.columns).toEqual([
      expect.objectContaining({
        id: f.columnId,
        title: 'c',
        version: 1,
        cards: [expect.objectContaining({ id: f.cardId, title: 'k', version: 1 })],
      }),
    ]);
    const messages = await api()
      .get(`/api/conversations/${f.conversationId}/messages`)
      .set(bearer(f.owner));
    expect(messages.body.items).toEqual([
      expect.objectContaining({ id: f.messageId, content: 'secret', deletedAt: null }),
    ]);
    const events = await api()
      .get(`/api/calendars/${f.calendarId}/events?from=${T0}&to=${T1}`)
      .set(bearer(f.owner));
    expect(events.body.items).toEqual([
      expect.objectContaining({ id: f.eventId, title: 'e', version: 1 }),
    ]);
    const calendar = await api().get(`/api/calendars/${f.calendarId}`).set(bearer(f.owner));
    expect(calendar.body.shares).toEqual([
      expect.objectContaining({ userId: f.member.id, access: 'read' }),
    ]);
    const outsiderRole = await api().get('/api/users/me').set(bearer(f.outsider));
    expect(outsiderRole.body.role).toBe('user');
  }

  async function sendOnce(call: Call, user?: RegisteredUser): Promise<number> {
    if (call.path.startsWith('/api/stream') || call.path.endsWith('/stream')) {
      const s = await openSse(t.baseUrl, call.path, user ? bearer(user) : {});
      s.close();
      return s.status;
    }
    return (await send(call, user)).status;
  }

  function dataFor(access: CommandAccess): Record<string, unknown> {
    if (access.kind === 'policy') return access.call(f);
    if (access.kind === 'admin' && access.call) return access.call(f);
    return {};
  }

  /** The refusal code of `channel` on each path, for `user` (anonymous when undefined). */
  async function channelRefusals(
    channel: string,
    user: RegisteredUser | undefined,
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const socket: TestSocket = await connect(t.baseUrl, user ? { token: user.accessToken } : {});
    out.subscribe = String((await socket.request('subscribe', { channel })).code);
    socket.close();
    const stomp = await RawStomp.open(t.baseUrl, user ? { token: user.accessToken } : {});
    await stomp.connect();
    const [prefix, id] = channel.split(':');
    stomp.frame('SUBSCRIBE', {
      id: 's',
      destination: id ? `/topic/${prefix}/${id}` : `/topic/${prefix}`,
    });
    out['STOMP SUBSCRIBE'] =
      (await stomp.next((fr) => fr.command === 'ERROR')).header('code') ?? '';
    stomp.close();
    const sse = await openSse(
      t.baseUrl,
      `/api/stream?channels=${channel}`,
      user ? bearer(user) : {},
    );
    sse.close();
    out.SSE = codeOf(sse.status);
    const recovery = await api()
      .get(`/api/channels/${channel}/events`)
      .set(user ? bearer(user) : {});
    out['HTTP recovery'] = String(recovery.body.code);
    return out;
  }
});

function codeOf(status: number): string {
  return status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : String(status);
}

/** Every route Nest's router serves (Express's router stack), as `METHOD /path/{param}`. */
function routerRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const found = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods))
      found.add(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return [...found].filter((r) => !r.includes(' /docs'));
}
