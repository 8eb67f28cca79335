import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from './auth.types.js';
import { AuthService } from './auth.service.js';
import { UserView } from './dto/auth-views.dto.js';
import { SetRoleBody } from './dto/auth.dto.js';
import { CurrentUser, Roles } from './guards/decorators.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Get('me')
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser): Promise<UserView> {
    return this.auth.me(user.id);
  }

  /** Deletes the caller's account; its tokens stop working at once. */
  @Delete('me')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: AuthUser): Promise<void> {
    await this.auth.deleteAccount(user.id);
  }

  /**
   * Sets a user's stored role (admins). An address listed in ADMIN_EMAILS stays
   * admin whatever is stored, unless ADMIN_BOOTSTRAP_SECRET is set (see README).
   */
  @Put(':id/role')
  @Roles('admin')
  @ApiOkResponse({ type: UserView })
  setRole(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: SetRoleBody,
  ): Promise<UserView> {
    return this.auth.setRole(id, dto.role);
  }
}
