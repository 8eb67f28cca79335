import type { ModuleSchema } from '../database/module-schema.js';
import { AuthSessionEntity } from './entities/auth-session.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { Accounts1763770000000 } from './migrations/1763770000000-accounts.js';

/**
 * The tables of auth: users, their sessions and refresh tokens.
 * Listed in src/module-schemas.ts; the migrations are in ./migrations.
 */
export const AUTH_SCHEMA: ModuleSchema = {
  entities: [AuthSessionEntity, RefreshTokenEntity, UserEntity],
  migrations: [Accounts1763770000000],
};
