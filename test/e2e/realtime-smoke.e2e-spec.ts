import request from 'supertest';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser, RegisteredUser } from '../helpers/users.js';
import { connect } from '../helpers/ws-client.js';

describe('realtime smoke', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  beforeAll(async () => {
    t = await startTestApp({ modules: [TestFeatureModule] });
    alice = await registerUser(t.baseUrl);
  });
  afterAll(async () => {
    await t.close();
  });

  it('connects, subscribes, receives a REST-published event, acks a socket command', async () => {
    const s = await connect(t.baseUrl, { token: alice.accessToken });
    expect(s.frames[0]).toMatchObject({
      type: 'connected',
      user: { id: alice.id },
      heartbeatMs: 25000,
    });
    await expect(s.request('subscribe', { channel: 'test:open-1' })).resolves.toMatchObject({
      type: 'subscribed',
      channel: 'test:open-1',
      offset: 0,
    });
    const res = await request(t.baseUrl)
      .post('/api/test/rooms/open-1/items')
      .set(bearer(alice))
      .send({ n: 1 });
    expect(res.status).toBe(201);
    const [e] = await s.waitEvents('test:open-1', 1);
    expect(e).toMatchObject({
      offset: 1,
      event: 'test.item.created',
      data: { n: 1, by: alice.id },
    });
    await expect(
      s.request('test.publish', { data: { room: 'open-1', n: 2 } }),
    ).resolves.toMatchObject({ type: 'ack', data: { offset: 2 } });
    await expect(
      s.request('test.publish', { data: { room: 'open-1', bogus: 1 } }),
    ).resolves.toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    await expect(s.request('nope.nope')).resolves.toMatchObject({
      type: 'error',
      code: 'UNKNOWN_TYPE',
    });
    s.close();
  });
});
