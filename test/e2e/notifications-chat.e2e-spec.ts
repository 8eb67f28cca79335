import request from 'supertest';
import { createConversation, sendRest } from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect } from '../helpers/ws-client.js';

const WINDOW_MS = 2000;

interface Notification {
  id: string;
  type: string;
  title: string;
  body: string;
  link?: string;
  entity?: { type: string; id: string };
}

describe('notifications from chat', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;

  beforeAll(async () => {
    t = await startTestApp({ env: { CHAT_NOTIFY_WINDOW_MS: String(WINDOW_MS) } });
    [alice, bob, carol] = await Promise.all([
      registerUser(t.baseUrl, { displayName: 'Alice' }),
      registerUser(t.baseUrl, { displayName: 'Bob' }),
      registerUser(t.baseUrl, { displayName: 'Carol' }),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const notificationsOf = async (u: RegisteredUser): Promise<Notification[]> => {
    const res = await request(t.baseUrl).get('/api/notifications').set(bearer(u));
    expect(res.status).toBe(200);
    return res.body.items as Notification[];
  };

  it('notifies participants without a session, at most once per conversation per window', async () => {
    const group = await createConversation(t.baseUrl, alice, [bob, carol], 'Team');
    const bobSocket = await connect(t.baseUrl, { token: bob.accessToken });
    try {
      await sendRest(t.baseUrl, alice, group.id, 'first message');
      await sendRest(t.baseUrl, alice, group.id, 'second message');

      const [n] = await expectEventually(async () => {
        const items = await notificationsOf(carol);
        expect(items).toHaveLength(1);
        return items;
      });
      expect(n).toMatchObject({
        type: 'chat.message',
        title: 'Alice in Team',
        body: 'first message',
        link: `/conversations/${group.id}`,
        entity: { type: 'conversation', id: group.id },
      });
      // Bob was connected: nothing for him (decided in the same pass as Carol's).
      expect(await notificationsOf(bob)).toEqual([]);
      // The sender is never notified of their own message.
      expect(await notificationsOf(alice)).toEqual([]);

      // After the window, the next message notifies again; the second one never did.
      // (Pacing: the window is time that must pass; the assertion waits for its condition.)
      await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
      await sendRest(t.baseUrl, alice, group.id, 'x'.repeat(500));
      const items = await expectEventually(async () => {
        const list = await notificationsOf(carol);
        expect(list).toHaveLength(2);
        return list;
      });
      expect(items.map((i) => i.body)).toEqual([`${'x'.repeat(139)}…`, 'first message']);

      // Carol connects: both are pushed to her.
      const carolSocket = await connect(t.baseUrl, { token: carol.accessToken });
      try {
        await expectEventually(() =>
          expect(
            carolSocket
              .events(`user:${carol.id}`)
              .filter((f) => f.event === 'notification.created')
              .map((f) => (f.data as Notification).id),
          ).toEqual([items[1].id, items[0].id]),
        );
      } finally {
        carolSocket.close();
      }
    } finally {
      bobSocket.close();
    }
  });

  it('a direct message notifies with the sender’s name', async () => {
    const dave = await registerUser(t.baseUrl, { displayName: 'Dave' });
    const direct = await createConversation(t.baseUrl, alice, [dave]);
    const socket = await connect(t.baseUrl, { token: alice.accessToken });
    try {
      await socket.request('chat.send', { data: { conversationId: direct.id, content: 'psst' } });
      await expectEventually(async () =>
        expect(await notificationsOf(dave)).toEqual([
          expect.objectContaining({
            type: 'chat.message',
            title: 'New message from Alice',
            body: 'psst',
          }),
        ]),
      );
    } finally {
      socket.close();
    }
  });
});
