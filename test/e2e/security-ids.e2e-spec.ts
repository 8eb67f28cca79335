import request from 'supertest';
import { createConversation, sendRest, subscribe } from '../helpers/chat-helpers.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect, TestSocket } from '../helpers/ws-client.js';

/**
 * The security issue's "revocation bypass by letter case": ids are accepted in
 * either case (the database compares uuids whatever their case), so they are
 * normalised once at the edge and a channel has one spelling.
 */
describe('one spelling per id and channel', () => {
  let t: TestApp;
  let owner: RegisteredUser;
  let bob: RegisteredUser;
  const sockets: TestSocket[] = [];
  const socketOf = async (user: RegisteredUser): Promise<TestSocket> => {
    const s = await connect(t.baseUrl, { token: user.accessToken });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { WS_RATE_LIMIT: '100000' } });
    [owner, bob] = await Promise.all([registerUser(t.baseUrl), registerUser(t.baseUrl)]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('removing a participant by upper-case ids revokes the real subscription', async () => {
    const group = await createConversation(t.baseUrl, owner, [bob], 'case');
    const channel = `chat:${group.id}`;
    const bobSocket = await socketOf(bob);
    await subscribe(bobSocket, channel);

    const res = await request(t.baseUrl)
      .delete(`/api/conversations/${group.id.toUpperCase()}/participants/${bob.id.toUpperCase()}`)
      .set(bearer(owner));
    expect(res.status).toBe(204);

    await expect(
      bobSocket.next((f) => f.type === 'unsubscribed' && f.reason === 'revoked'),
    ).resolves.toMatchObject({ channel });
    await expect(bobSocket.request('list_channels')).resolves.toMatchObject({
      subscribed: [`user:${bob.id}`],
    });
    // The removal was written to the conversation's one log.
    const log = await request(t.baseUrl).get(`/api/channels/${channel}/events`).set(bearer(owner));
    expect(log.body.events.map((e: { event: string }) => e.event)).toContain(
      'chat.participant.removed',
    );
    await sendRest(t.baseUrl, owner, group.id, 'after the removal');
    const marker = await socketOf(owner);
    await subscribe(marker, channel);
    await sendRest(t.baseUrl, owner, group.id, 'marker');
    await marker.waitEvents(channel, 1);
    // Bob heard of his own removal, and nothing after it.
    expect(bobSocket.events(channel).map((e) => e.event)).toEqual(['chat.participant.removed']);
  });

  it('writes events of upper-case ids to the one channel, and subscribes it under one name', async () => {
    const group = await createConversation(t.baseUrl, owner, [bob], 'one log');
    const upper = group.id.toUpperCase();
    const channel = `chat:${group.id}`;
    const listener = await socketOf(bob);
    // Subscribing in upper case subscribes the canonical channel.
    await expect(
      listener.request('subscribe', { channel: `chat:${upper}` }),
    ).resolves.toMatchObject({ type: 'subscribed', channel });
    const writer = await socketOf(owner);
    const viaSocket = await writer.request('chat.send', {
      data: { conversationId: upper, content: 'over the socket' },
    });
    expect(viaSocket).toMatchObject({ type: 'ack', data: { conversationId: group.id } });
    const viaRest = await sendRest(t.baseUrl, owner, upper, 'over REST');
    expect(viaRest.conversationId).toBe(group.id);
    const events = await listener.waitEvents(channel, 2);
    expect(events.map((e) => e.offset)).toEqual([1, 2]);
    const log = await request(t.baseUrl).get(`/api/channels/chat:${upper}/events`).set(bearer(bob));
    expect(log.status).toBe(200);
    expect(log.body.events).toHaveLength(2);
    expect(log.body.events[0]).toMatchObject({ channel });
    // Unsubscribing in either spelling ends it.
    await expect(
      listener.request('unsubscribe', { channel: `chat:${upper}` }),
    ).resolves.toMatchObject({ type: 'unsubscribed', channel });
    await expect(listener.request('list_channels')).resolves.toMatchObject({
      subscribed: [`user:${bob.id}`],
    });
  });

  it('answers ids in their canonical spelling on REST, whatever the request used', async () => {
    const group = await createConversation(t.baseUrl, owner, [bob], 'answers');
    const presence = await request(t.baseUrl)
      .get(`/api/presence?userIds=${bob.id.toUpperCase()}`)
      .set(bearer(owner));
    expect(presence.body).toEqual([expect.objectContaining({ userId: bob.id })]);
    await expectEventually(async () => {
      const history = await request(t.baseUrl)
        .get(`/api/conversations/${group.id.toUpperCase()}/messages`)
        .set(bearer(bob));
      expect(history.status).toBe(200);
    });
  });
});
