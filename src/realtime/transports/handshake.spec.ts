import type { IncomingMessage } from 'node:http';
import type { AuthUser } from '../../auth/auth.types.js';
import type { AuthenticationService } from '../../auth/authentication.service.js';
import { AppException } from '../../common/app.exception.js';
import { loadConfig } from '../../config/app-config.js';
import { decideUpgrade, handshakeToken, offeredProtocols, selectProtocol } from './handshake.js';

const req = (headers: Record<string, string>): IncomingMessage =>
  ({
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  }) as unknown as IncomingMessage;
const url = (query = ''): URL => new URL(`/ws${query}`, 'http://localhost');

const alice: AuthUser = {
  id: 'alice',
  email: 'alice@example.test',
  displayName: 'Alice',
  role: 'user',
  exp: 2_000_000_000,
};
/** Accepts exactly the token "good". */
const authn = {
  authenticate: async (token: string): Promise<AuthUser> => {
    if (token === 'good') return alice;
    throw AppException.unauthorized('Invalid token');
  },
} as unknown as AuthenticationService;
const config = (env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'test', JWT_SECRET: 's'.repeat(32), ...env });

describe('handshakeToken', () => {
  it('takes the query string first, then the Authorization header, then a token- subprotocol', () => {
    const all = req({ Authorization: 'Bearer h', 'Sec-WebSocket-Protocol': 'rt.v1, token-p' });
    expect(handshakeToken(all, url('?token=q'))).toBe('q');
    expect(handshakeToken(all, url())).toBe('h');
    expect(handshakeToken(req({ 'Sec-WebSocket-Protocol': 'rt.v1, token-p' }), url())).toBe('p');
    expect(handshakeToken(req({ 'Sec-WebSocket-Protocol': 'rt.v1' }), url())).toBeUndefined();
    expect(handshakeToken(req({}), url())).toBeUndefined();
  });

  it('counts an empty or malformed entry as present (and so invalid)', () => {
    expect(handshakeToken(req({ Authorization: 'Bearer h' }), url('?token='))).toBe('');
    expect(handshakeToken(req({ Authorization: 'Basic abc' }), url())).toBe('');
    expect(handshakeToken(req({ 'Sec-WebSocket-Protocol': 'token-' }), url())).toBe('');
  });
});

describe('offeredProtocols and selectProtocol', () => {
  it('splits the offered list', () => {
    expect(offeredProtocols(req({ 'Sec-WebSocket-Protocol': ' rt.v1 ,token-x,, ' }))).toEqual([
      'rt.v1',
      'token-x',
    ]);
    expect(offeredProtocols(req({}))).toEqual([]);
  });

  it('answers rt.v1 when offered, else the highest STOMP version, else the token entry, else none', () => {
    expect(selectProtocol(new Set(['token-x', 'rt.v1']))).toBe('rt.v1');
    expect(selectProtocol(new Set(['v10.stomp', 'v12.stomp', 'v11.stomp']))).toBe('v12.stomp');
    expect(selectProtocol(new Set(['v11.stomp', 'token-x']))).toBe('v11.stomp');
    expect(selectProtocol(new Set(['token-x']))).toBe('token-x');
    expect(selectProtocol(new Set(['mqtt']))).toBe(false);
  });
});

describe('decideUpgrade', () => {
  it('accepts a valid token wherever it is, and no token as anonymous', async () => {
    await expect(decideUpgrade(req({}), url('?token=good'), config(), authn)).resolves.toEqual({
      ok: true,
      user: alice,
    });
    await expect(
      decideUpgrade(req({ 'Sec-WebSocket-Protocol': 'token-good' }), url(), config(), authn),
    ).resolves.toEqual({ ok: true, user: alice });
    await expect(decideUpgrade(req({}), url(), config(), authn)).resolves.toEqual({
      ok: true,
      user: null,
    });
  });

  it('refuses an invalid first token with 401 even when a later place holds a valid one', async () => {
    await expect(
      decideUpgrade(req({ Authorization: 'Bearer good' }), url('?token=bad'), config(), authn),
    ).resolves.toMatchObject({ ok: false, status: 401 });
    await expect(
      decideUpgrade(
        req({ Authorization: 'Bearer bad', 'Sec-WebSocket-Protocol': 'token-good' }),
        url(),
        config(),
        authn,
      ),
    ).resolves.toMatchObject({ ok: false, status: 401 });
  });

  it('refuses anonymous handshakes with 401 when WS_ALLOW_ANONYMOUS=false', async () => {
    const strict = config({ WS_ALLOW_ANONYMOUS: 'false' });
    await expect(decideUpgrade(req({}), url(), strict, authn)).resolves.toMatchObject({
      ok: false,
      status: 401,
    });
    await expect(decideUpgrade(req({}), url('?token=good'), strict, authn)).resolves.toMatchObject({
      ok: true,
    });
  });

  it('refuses an Origin outside CORS_ORIGINS with 403, and lets requests without one through', async () => {
    const cors = config({ CORS_ORIGINS: 'https://app.example, https://admin.example' });
    await expect(
      decideUpgrade(req({ Origin: 'https://evil.example' }), url('?token=good'), cors, authn),
    ).resolves.toMatchObject({ ok: false, status: 403 });
    await expect(
      decideUpgrade(req({ Origin: 'https://admin.example' }), url('?token=good'), cors, authn),
    ).resolves.toMatchObject({ ok: true, user: alice });
    await expect(decideUpgrade(req({}), url('?token=good'), cors, authn)).resolves.toMatchObject({
      ok: true,
    });
    // Without CORS_ORIGINS, any Origin is accepted.
    await expect(
      decideUpgrade(req({ Origin: 'https://evil.example' }), url(), config(), authn),
    ).resolves.toMatchObject({ ok: true });
  });
});
