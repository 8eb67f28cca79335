import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig: presence and calendar settings', () => {
  it('defaults: 10 s grace, 30 s instance TTL, "presence:" keys, reminders polled every 15 s', () => {
    const c = loadConfig({});
    expect(c.presence).toEqual({
      graceMs: 10_000,
      instanceTtlMs: 30_000,
      redisPrefix: 'presence:',
    });
    expect(c.calendar).toEqual({ reminderPollMs: 15_000 });
  });

  it('reads valid values', () => {
    const c = loadConfig({
      PRESENCE_GRACE_MS: '0',
      PRESENCE_INSTANCE_TTL_MS: '5000',
      PRESENCE_REDIS_PREFIX: 'app1:presence:',
      CALENDAR_REMINDER_POLL_MS: '250',
    });
    expect(c.presence).toEqual({ graceMs: 0, instanceTtlMs: 5000, redisPrefix: 'app1:presence:' });
    expect(c.calendar.reminderPollMs).toBe(250);
  });

  it('names every bad value', () => {
    let problems: string[] = [];
    try {
      loadConfig({
        PRESENCE_GRACE_MS: '-1',
        PRESENCE_INSTANCE_TTL_MS: '10',
        CALENDAR_REMINDER_POLL_MS: 'often',
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^PRESENCE_GRACE_MS: /),
      expect.stringMatching(/^PRESENCE_INSTANCE_TTL_MS: /),
      expect.stringMatching(/^CALENDAR_REMINDER_POLL_MS: /),
    ]);
  });
});
