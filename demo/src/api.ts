import { RtError } from '../../client/src/index.js';
import type { AuthResult, User } from './protocol.js';

/** How long before its expiry the access token is refreshed instead of used. */
const REFRESH_MARGIN_MS = 30_000;
const SESSION_KEY = 'rt-demo.session';

/** A JSON call to the server's REST API (same origin); an error answer throws an RtError. */
export async function http<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new RtError('NETWORK', `${method} ${path}: ${String(err)}`);
  }
  const text = await res.text();
  const json: unknown = text === '' ? null : JSON.parse(text);
  if (!res.ok) throw restError(json, res.status, `${method} ${path} answered ${res.status}`);
  return json as T;
}

function restError(body: unknown, status: number, fallback: string): RtError {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof b.code === 'string' ? b.code : 'INTERNAL';
  const message = typeof b.message === 'string' ? b.message : fallback;
  return new RtError(code, message, { status, details: b.details });
}

interface StoredSession {
  user: User;
  refreshToken: string;
}

/**
 * The signed-in user's tokens. The refresh token is kept in sessionStorage, so
 * a reload stays signed in; not in localStorage, because a refresh token works
 * once and two tabs refreshing the same one would get the whole login revoked.
 */
export class Auth {
  user: User | null = null;
  private access: string | null = null;
  private accessExpiresAt = 0;
  private refreshToken: string | null = null;
  private refreshing: Promise<string | null> | null = null;

  /** The session a previous page load left in this tab, if any. */
  restore(): User | null {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    try {
      const s = JSON.parse(raw) as StoredSession;
      this.user = s.user;
      this.refreshToken = s.refreshToken;
      return s.user;
    } catch {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
  }

  async register(email: string, password: string, displayName: string): Promise<User> {
    return this.accept(
      await http<AuthResult>('POST', '/api/auth/register', { email, password, displayName }),
    );
  }

  async login(email: string, password: string): Promise<User> {
    return this.accept(await http<AuthResult>('POST', '/api/auth/login', { email, password }));
  }

  /**
   * A valid access token: the current one, or a refreshed one when it is about
   * to expire or the server refused it (`force`). Null once signed out.
   */
  async token(force = false): Promise<string | null> {
    if (!force && this.access && Date.now() < this.accessExpiresAt - REFRESH_MARGIN_MS) {
      return this.access;
    }
    // One refresh at a time: the socket and REST calls may all ask at once.
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  signOut(): void {
    this.user = null;
    this.access = null;
    this.refreshToken = null;
    sessionStorage.removeItem(SESSION_KEY);
  }

  private async refresh(): Promise<string | null> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return null;
    try {
      this.accept(await http<AuthResult>('POST', '/api/auth/refresh', { refreshToken }));
      return this.access;
    } catch (err) {
      // Refused (used, expired, revoked): the login is over. Unreachable: try later.
      if (err instanceof RtError && err.status === 401) this.signOut();
      throw err;
    }
  }

  private accept(r: AuthResult): User {
    this.user = r.user;
    this.access = r.accessToken;
    this.accessExpiresAt = Date.now() + r.expiresIn * 1000;
    this.refreshToken = r.refreshToken;
    const stored: StoredSession = { user: r.user, refreshToken: r.refreshToken };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(stored));
    return r.user;
  }
}

/** REST calls as the signed-in user: a 401 refreshes the token and retries once. */
export class Api {
  constructor(private readonly auth: Auth) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await http<T>(method, path, body, await this.auth.token());
    } catch (err) {
      if (!(err instanceof RtError) || err.status !== 401) throw err;
      return http<T>(method, path, body, await this.auth.token(true));
    }
  }
}
