import { createConversation, eventsNamed, subscribe } from '../helpers/chat-helpers.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

interface Typing {
  conversationId: string;
  userId: string;
  typing: boolean;
  expiresInMs?: number;
}

describe('chat typing indicators', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let carol: RegisteredUser;
  let conversationId: string;
  let aliceSocket: TestSocket;
  let aliceOther: TestSocket;
  let bobSocket: TestSocket;
  let carolSocket: TestSocket;
  const typingOf = (s: TestSocket): Typing[] =>
    eventsNamed(s, `chat:${conversationId}`, 'chat.typing').map((f) => f.data as Typing);

  beforeAll(async () => {
    t = await startTestApp();
    [alice, bob, carol] = await Promise.all([
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
      registerUser(t.baseUrl),
    ]);
    conversationId = (await createConversation(t.baseUrl, alice, [bob, carol], 'Typing')).id;
  });
  beforeEach(async () => {
    [aliceSocket, aliceOther, bobSocket, carolSocket] = await Promise.all(
      [alice, alice, bob, carol].map((u) => connect(t.baseUrl, { token: u.accessToken })),
    );
    for (const s of [aliceSocket, aliceOther, bobSocket, carolSocket])
      await subscribe(s, `chat:${conversationId}`);
  });
  afterEach(() => {
    for (const s of [aliceSocket, aliceOther, bobSocket, carolSocket]) s.close();
  });
  afterAll(async () => {
    await t.close();
  });

  it('goes to the other participants only, ephemeral, with its 8 s expiry', async () => {
    const ack = await aliceSocket.request('chat.typing', {
      data: { conversationId, typing: true },
    });
    expect(ack).toMatchObject({
      type: 'ack',
      data: { conversationId, userId: alice.id, typing: true, expiresInMs: 8000 },
    });
    for (const s of [bobSocket, carolSocket]) {
      const [frame] = await s.waitEvents(`chat:${conversationId}`, 1);
      expect(frame).toMatchObject({
        type: 'event',
        event: 'chat.typing',
        data: { conversationId, userId: alice.id, typing: true, expiresInMs: 8000 },
      });
      expect(frame.offset).toBeUndefined();
    }
    // Stop: the others see typing:false right away.
    await aliceSocket.request('chat.typing', { data: { conversationId, typing: false } });
    await expectEventually(() =>
      expect(typingOf(bobSocket).map((e) => e.typing)).toEqual([true, false]),
    );
    // Not echoed to the typist, on any of their sockets. A message sent afterwards
    // reaches them, so the typing events would have arrived by now.
    await aliceSocket.request('chat.send', { data: { conversationId, content: 'done' } });
    await aliceOther.waitEvents(`chat:${conversationId}`, 1);
    await aliceSocket.waitEvents(`chat:${conversationId}`, 1);
    expect(typingOf(aliceSocket)).toEqual([]);
    expect(typingOf(aliceOther)).toEqual([]);
    // Nothing was persisted: the channel offset only counts the message.
    await bobSocket.waitEvents(`chat:${conversationId}`, 3);
    expect(bobSocket.events(`chat:${conversationId}`).map((e) => e.offset)).toEqual([
      undefined,
      undefined,
      expect.any(Number),
    ]);
  });

  it('a typing:true not refreshed within 8 s is followed by an automatic typing:false; a refresh re-arms it', async () => {
    await aliceSocket.request('chat.typing', { data: { conversationId, typing: true } });
    // Pacing: the refresh comes halfway through the first expiry.
    await sleep(4000);
    await aliceSocket.request('chat.typing', { data: { conversationId, typing: true } });
    const refreshedAt = Date.now();
    const stop = await bobSocket.next(
      (f) => f.event === 'chat.typing' && (f.data as Typing).typing === false,
      12_000,
    );
    // 8 s after the refresh, not after the first typing:true: the refresh cancelled that one.
    const elapsed = Date.now() - refreshedAt;
    expect(elapsed).toBeGreaterThanOrEqual(7500);
    expect(elapsed).toBeLessThan(10_000);
    expect(stop.data).toEqual({ conversationId, userId: alice.id, typing: false });
    expect(typingOf(bobSocket).map((e) => e.typing)).toEqual([true, true, false]);
    await expectEventually(() =>
      expect(typingOf(carolSocket).map((e) => e.typing)).toEqual([true, true, false]),
    );
    expect(typingOf(aliceSocket)).toEqual([]);
  }, 30_000);

  it('an explicit typing:false cancels the automatic one', async () => {
    await bobSocket.request('chat.typing', { data: { conversationId, typing: true } });
    await bobSocket.request('chat.typing', { data: { conversationId, typing: false } });
    // The marker: Alice starts typing after Bob stopped; her automatic typing:false
    // comes 8 s later, after the one Bob's explicit false cancelled would have.
    await aliceSocket.request('chat.typing', { data: { conversationId, typing: true } });
    await carolSocket.next(
      (f) =>
        f.event === 'chat.typing' &&
        (f.data as Typing).userId === alice.id &&
        (f.data as Typing).typing === false,
      12_000,
    );
    const bobs = typingOf(carolSocket).filter((e) => e.userId === bob.id);
    expect(bobs.map((e) => e.typing)).toEqual([true, false]);
  }, 30_000);

  it('validates the command', async () => {
    await expect(
      aliceSocket.request('chat.typing', { data: { conversationId, typing: 'yes' } }),
    ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    await expect(
      aliceSocket.request('chat.typing', { data: { typing: true } }),
    ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });
});
