import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength, MinLength } from 'class-validator';
import type { Role } from '../entities/user.entity.js';

export class RegisterBody {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128)
  password: string;

  @ApiProperty({ example: 'Ada', minLength: 1, maxLength: 80 })
  @IsString()
  @Length(1, 80)
  displayName: string;
}

export class LoginBody {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password: string;
}

export class RefreshBody {
  @ApiProperty()
  @IsString()
  @Length(10, 512)
  refreshToken: string;
}

export class LogoutBody {
  @ApiPropertyOptional({
    description:
      'The refresh token of the login to end, when no valid access token is sent (it expired)',
  })
  @IsOptional()
  @IsString()
  @Length(10, 512)
  refreshToken?: string;
}

export class SetRoleBody {
  @ApiProperty({ enum: ['user', 'admin'] })
  @IsIn(['user', 'admin'])
  role: Role;
}
