import type { AuthUser } from '../../auth/auth.types.js';
import { AppException } from '../../common/app.exception.js';
import { ChannelPolicyRegistry } from './channel-policy.registry.js';

const user = (id: string, role: 'user' | 'admin' = 'user'): AuthUser => ({
  id,
  email: `${id}@example.test`,
  displayName: id,
  role,
  exp: Math.floor(Date.now() / 1000) + 600,
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof AppException) return err.code;
    throw err;
  }
}

describe('ChannelPolicyRegistry', () => {
  const registry = new ChannelPolicyRegistry();
  registry.register({
    prefix: 'room',
    needsId: true,
    canSubscribe: async (u, id) => u !== null && id === `of-${u.id}`,
  });
  const alice = user('alice');
  const admin = user('root', 'admin');

  it.each([
    [null, 'announcements', 'OK'],
    [null, 'presence', 'UNAUTHORIZED'],
    [null, 'system', 'UNAUTHORIZED'],
    [null, 'user:alice', 'UNAUTHORIZED'],
    [null, 'room:of-alice', 'UNAUTHORIZED'],
    [alice, 'presence', 'OK'],
    [alice, 'system', 'FORBIDDEN'],
    [admin, 'system', 'OK'],
    [alice, 'user:alice', 'OK'],
    [alice, 'user:bob', 'FORBIDDEN'],
    [admin, 'user:alice', 'FORBIDDEN'],
    [alice, 'room:of-alice', 'OK'],
    [alice, 'room:of-bob', 'FORBIDDEN'],
    [alice, 'nope:1', 'NOT_FOUND'],
    [alice, 'room', 'NOT_FOUND'],
    [alice, 'presence:1', 'NOT_FOUND'],
    [alice, 'Room:of-alice', 'NOT_FOUND'],
    [alice, undefined, 'NOT_FOUND'],
  ] as const)('%o on %s: %s', async (caller, channel, expected) => {
    expect(await codeOf(registry.authorize(caller, channel))).toBe(expected);
  });

  it('returns the channel name when allowed', async () => {
    await expect(registry.authorize(alice, 'room:of-alice')).resolves.toBe('room:of-alice');
  });

  it('refuses a second policy for a prefix and lists the patterns', () => {
    expect(() =>
      registry.register({ prefix: 'room', needsId: true, canSubscribe: () => true }),
    ).toThrow(/already registered/);
    expect(registry.prefixes()).toEqual(
      expect.arrayContaining(['announcements', 'presence', 'system', 'user:*', 'room:*']),
    );
  });
});
