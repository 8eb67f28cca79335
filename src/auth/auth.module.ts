import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountEvents } from './account-events.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuthRateLimiter } from './auth-rate-limiter.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthenticationService } from './authentication.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { AuthSessionsRepository } from './repositories/auth-sessions.repository.js';
import { UsersRepository } from './repositories/users.repository.js';
import { TokenService } from './token.service.js';
import { UsersController } from './users.controller.js';

@Module({
  controllers: [AuthController, UsersController],
  providers: [
    UsersRepository,
    AuthSessionsRepository,
    TokenService,
    AuthenticationService,
    AccountEvents,
    AdminBootstrap,
    AuthRateLimiter,
    AuthService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthenticationService, TokenService, AuthService, UsersRepository, AccountEvents],
})
export class AuthModule {}
