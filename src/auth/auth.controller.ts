import { applyDecorators, Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ADMIN_BOOTSTRAP_HEADER } from './admin-bootstrap.js';
import { AuthService } from './auth.service.js';
import { TokenPairView } from './dto/auth-views.dto.js';
import type { AuthUser } from './auth.types.js';
import { LoginBody, LogoutBody, RefreshBody, RegisterBody } from './dto/auth.dto.js';
import { CurrentUser, Public } from './guards/decorators.js';

@ApiTags('auth')
@Public()
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @AdminBootstrapHeader()
  @ApiCreatedResponse({ type: TokenPairView })
  @ApiConflictResponse({
    description:
      'CONFLICT: the email has an account (this tells that it does: see README "Security")',
  })
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED, with Retry-After' })
  register(
    @Body() dto: RegisterBody,
    @Req() req: Request,
    @Headers(ADMIN_BOOTSTRAP_HEADER) adminSecret: string | undefined,
  ): Promise<TokenPairView> {
    return this.auth.register(dto, clientIp(req), adminSecret);
  }

  @Post('login')
  @HttpCode(200)
  @AdminBootstrapHeader()
  @ApiOkResponse({ type: TokenPairView })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED, with Retry-After' })
  login(
    @Body() dto: LoginBody,
    @Req() req: Request,
    @Headers(ADMIN_BOOTSTRAP_HEADER) adminSecret: string | undefined,
  ): Promise<TokenPairView> {
    return this.auth.login(dto, clientIp(req), adminSecret);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairView })
  @ApiUnauthorizedResponse({ description: 'Invalid, expired or already used refresh token' })
  refresh(@Body() dto: RefreshBody): Promise<TokenPairView> {
    return this.auth.refresh(dto.refreshToken);
  }

  /**
   * Ends the login of the bearer access token (or, without a valid one, of the
   * refresh token in the body): its refresh tokens stop working, and its sockets
   * and event streams close at once (4401).
   */
  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The login is revoked' })
  @ApiUnauthorizedResponse({ description: 'Neither a valid access token nor refresh token' })
  async logout(@CurrentUser() user: AuthUser | undefined, @Body() dto: LogoutBody): Promise<void> {
    await this.auth.logout(user, dto.refreshToken);
  }
}

/** The optional header of an ADMIN_EMAILS address's first sign-in, and its refusal. */
function AdminBootstrapHeader(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: ADMIN_BOOTSTRAP_HEADER,
      required: false,
      description:
        'ADMIN_BOOTSTRAP_SECRET, when it is set: required for an ADMIN_EMAILS address until it is admin',
    }),
    ApiForbiddenResponse({
      description:
        'FORBIDDEN (reason ADMIN_BOOTSTRAP_SECRET_REQUIRED): an admin address without the secret',
    }),
  );
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
