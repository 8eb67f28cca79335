import request from 'supertest';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { bearer, registerUser } from '../helpers/users.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers and reads /api/users/me', async () => {
    const u = await registerUser(t.baseUrl);
    const res = await request(t.baseUrl).get('/api/users/me').set(bearer(u));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: 'user',
    });
  });
});
