import request from 'supertest';
import { expectEventually } from '../helpers/eventually.js';
import { LogCapture } from '../helpers/log-capture.js';
import { openSse } from '../helpers/sse-client.js';
import { TestFeatureModule } from '../helpers/test-feature.module.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';
import { registerUser } from '../helpers/users.js';

const INFO = 30;

describe('HTTP access log at LOG_LEVEL=info', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { LOG_LEVEL: 'info' },
      logDestination: logs,
      modules: [TestFeatureModule],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs method, url without ?token=, status code and duration; no headers', async () => {
    const res = await request(t.baseUrl)
      .get('/health/ready?token=query-secret-1&probe=1')
      .set('Authorization', 'Bearer header-secret-1')
      .set('X-Probe', 'header-value-1');
    expect(res.status).toBe(200);

    const [line] = await expectEventually(() => {
      const found = logs.requests('/health/ready');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(line).toMatchObject({
      level: INFO,
      msg: 'request completed',
      req: { method: 'GET', url: '/health/ready?probe=1', id: res.headers['x-request-id'] },
      res: { statusCode: 200 },
    });
    expect(typeof line!.responseTime).toBe('number');
    expect(line!.req!.headers).toBeUndefined();
    expect(line!.res!.headers).toBeUndefined();

    const text = logs.text();
    expect(text).not.toContain('query-secret-1');
    expect(text).not.toContain('header-secret-1');
    expect(text).not.toContain('header-value-1');
  });

  it('never logs the access token an event stream takes in ?token=', async () => {
    const user = await registerUser(t.baseUrl);
    const stream = await openSse(t.baseUrl, `/api/notifications/stream?token=${user.accessToken}`);
    expect(stream.status).toBe(200);
    stream.close();

    const [line] = await expectEventually(() => {
      const found = logs.requests('/api/notifications/stream');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(line).toMatchObject({
      level: INFO,
      req: { method: 'GET', url: '/api/notifications/stream' },
      res: { statusCode: 200 },
    });
    expect(logs.text()).not.toContain(user.accessToken);
  });

  it('keeps ?token= out of the error log of an unexpected failure too', async () => {
    const user = await registerUser(t.baseUrl);
    const res = await request(t.baseUrl).get(`/api/test/boom?probe=2&token=${user.accessToken}`);
    expect(res.status).toBe(500);
    const traceId = (res.body as { traceId: string }).traceId;
    const line = await expectEventually(() => {
      const found = logs
        .text()
        .split('\n')
        .filter((l) => l.includes(traceId) && l.includes('unexpected error'));
      expect(found).toHaveLength(1);
      return JSON.parse(found[0]!) as { url?: string; err?: unknown };
    });
    expect(line).toMatchObject({ url: '/api/test/boom?probe=2', err: expect.anything() });
    await expectEventually(() => expect(logs.requests('/api/test/boom')).toHaveLength(1));
    expect(logs.text()).not.toContain(user.accessToken);
  });
});
