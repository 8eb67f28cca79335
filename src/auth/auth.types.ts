import type { Role } from './entities/user.entity.js';

/** Who is calling, as established by `AuthenticationService.authenticate`. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  /** Access token expiry, seconds since the epoch. */
  exp: number;
  /** The login the token came from (absent for tokens of an external issuer). */
  sessionId?: string;
}
