import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '../entities/user.entity.js';

/** A user as clients receive it (`GET /api/users/me`, and inside a token pair). */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ['user', 'admin'] }) role: Role;
}

/** The answer of register, login and refresh. */
export class TokenPairView {
  @ApiProperty({ type: UserView }) user: UserView;
  @ApiProperty() accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn: number;
}
