import { randomBytes } from 'node:crypto';
import request from 'supertest';

export interface RegisteredUser {
  id: string;
  email: string;
  displayName: string;
  role: 'user' | 'admin';
  password: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** Registers a fresh user over the real REST API. */
export async function registerUser(
  baseUrl: string,
  overrides: { email?: string; displayName?: string } = {},
): Promise<RegisteredUser> {
  counter += 1;
  const email = overrides.email ?? `user${counter}-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  const displayName = overrides.displayName ?? `User ${counter}`;
  const res = await request(baseUrl)
    .post('/api/auth/register')
    .send({ email, password, displayName });
  if (res.status !== 201)
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    ...res.body.user,
    password,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
}

export function bearer(user: { accessToken: string }): Record<string, string> {
  return { Authorization: `Bearer ${user.accessToken}` };
}
