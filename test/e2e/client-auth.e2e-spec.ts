import request from 'supertest';
import type { StateChange, TokenReason } from '../../client/src/index.js';
import { accessTokenFor } from '../helpers/access-tokens.js';
import { createConversation, sendRest, type ConversationBody } from '../helpers/chat-helpers.js';
import { nodeClient, type ChatClient, type SocketLog } from '../helpers/client-helpers.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { registerUser, type RegisteredUser } from '../helpers/users.js';

/** Access tokens of a user, renewed through the real refresh endpoint (one-time refresh tokens). */
function tokenKeeper(app: TestApp, user: RegisteredUser) {
  let access = user.accessToken;
  let refresh = user.refreshToken;
  const reasons: TokenReason[] = [];
  return {
    reasons,
    current: () => access,
    async getToken(reason: TokenReason): Promise<string> {
      reasons.push(reason);
      if (reason === 'connect') return access;
      const res = await request(app.baseUrl)
        .post('/api/auth/refresh')
        .send({ refreshToken: refresh });
      if (res.status !== 200) throw new Error(`refresh: ${res.status}`);
      access = res.body.accessToken as string;
      refresh = res.body.refreshToken as string;
      return access;
    },
  };
}

/** Resolves with the client's `closed` state change. */
function closedState(client: ChatClient): Promise<StateChange> {
  return new Promise((resolve) => {
    const off = client.on('closed', (s) => {
      off();
      resolve(s);
    });
  });
}

describe('client against the real server: access tokens', () => {
  const TTL_SEC = 3;
  let app: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let conv: ConversationBody;
  let aliceLongLived: RegisteredUser;

  beforeAll(async () => {
    app = await startTestApp({ env: { JWT_ACCESS_TTL: String(TTL_SEC) } });
    alice = await registerUser(app.baseUrl);
    bob = await registerUser(app.baseUrl);
    conv = await createConversation(app.baseUrl, alice, [bob]);
    // The writer's REST calls must outlive the short access tokens.
    aliceLongLived = { ...alice, accessToken: accessTokenFor(alice, { expiresInSec: 600 }) };
  });

  afterAll(async () => {
    await app.close();
  });

  it('renews the token in-band before each expiry and keeps the one socket', async () => {
    const keeper = tokenKeeper(app, bob);
    const log: SocketLog = { sockets: [], refused: 0 };
    const client = nodeClient({ url: app.baseUrl, getToken: (r) => keeper.getToken(r) }, log);
    const contents: string[] = [];
    const sub = client.subscribe(`chat:${conv.id}`, (e) => {
      if (e.event === 'chat.message.created') contents.push(e.data.content);
    });
    await sub.ready;
    // Two and a half lifetimes of the first token: the server would have closed
    // the socket with 4401 at the first expiry without a renewal.
    await sleep(TTL_SEC * 2500);
    await sendRest(app.baseUrl, aliceLongLived, conv.id, 'after three expiries');
    await expectEventually(() => expect(contents).toEqual(['after three expiries']));
    expect(keeper.reasons.filter((r) => r === 'renew').length).toBeGreaterThanOrEqual(2);
    expect(log.sockets).toHaveLength(1);
    expect(client.stats.reconnects).toBe(0);
    expect(client.state).toBe('open');
    console.log(
      `[client e2e] renewal: ${keeper.reasons.filter((r) => r === 'renew').length} in-band renewals ` +
        `over ${TTL_SEC * 2.5} s with ${TTL_SEC} s tokens, ${log.sockets.length} socket, 0 reconnects`,
    );
    client.close();
  });

  it('stops on 4401 when getToken has no new token, and never reconnects', async () => {
    // A new login: its token expires within TTL_SEC, and is never replaced.
    const stale = (await registerUser(app.baseUrl)).accessToken;
    const reasons: TokenReason[] = [];
    const log: SocketLog = { sockets: [], refused: 0 };
    const client = nodeClient(
      {
        url: app.baseUrl,
        getToken: (r) => {
          reasons.push(r);
          return stale;
        },
      },
      log,
    );
    const change = await closedState(client);
    expect(change).toMatchObject({ state: 'closed', code: 4401 });
    expect(reasons).toContain('rejected');
    expect(log.sockets).toHaveLength(1);
    await expect(client.request('presence.set', { status: 'away' })).rejects.toMatchObject({
      code: 'CLOSED',
    });
  });

  it('reconnects with the new token getToken gives after a 4401, and resumes', async () => {
    const fresh = await registerUser(app.baseUrl);
    const keeper = tokenKeeper(app, fresh);
    const conv2 = await createConversation(app.baseUrl, aliceLongLived, [fresh]);
    const log: SocketLog = { sockets: [], refused: 0 };
    // Renewal gives nothing new, so the server closes with 4401 at expiry; the
    // token asked for then ('rejected') is a fresh one.
    const client = nodeClient(
      {
        url: app.baseUrl,
        getToken: (r) => (r === 'renew' ? keeper.current() : keeper.getToken(r)),
      },
      log,
    );
    const contents: string[] = [];
    const sub = client.subscribe(`chat:${conv2.id}`, (e) => {
      if (e.event === 'chat.message.created') contents.push(e.data.content);
    });
    await sub.ready;
    await expectEventually(() => expect(log.sockets).toHaveLength(2), {
      timeoutMs: TTL_SEC * 3000,
    });
    await expectEventually(() => expect(client.state).toBe('open'));
    await sendRest(app.baseUrl, aliceLongLived, conv2.id, 'after the 4401');
    await expectEventually(() => expect(contents).toEqual(['after the 4401']));
    expect(keeper.reasons).toContain('rejected');
    expect(log.sockets[0].readyState).toBe(log.sockets[0].CLOSED);
    client.close();
  });
});
