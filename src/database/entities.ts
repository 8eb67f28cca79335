import { AuthSessionEntity } from '../auth/entities/auth-session.entity.js';
import { RefreshTokenEntity } from '../auth/entities/refresh-token.entity.js';
import { UserEntity } from '../auth/entities/user.entity.js';

/** Every entity of the app, registered once with the data source. */
export const ENTITIES = [UserEntity, AuthSessionEntity, RefreshTokenEntity];
