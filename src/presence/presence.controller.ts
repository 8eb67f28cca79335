import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { PresenceQuery, PresenceView, SetPresenceBody } from './dto/presence.dto.js';
import { PresenceService } from './presence.service.js';

/** REST side of presence (its routes: the OpenAPI document at /docs); same service as the gateway. */
@ApiTags('presence')
@ApiBearerAuth()
@Controller('api/presence')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  @ApiOperation({ summary: 'Presence of the given users, in the order asked (unknown: offline)' })
  @ApiOkResponse({ type: [PresenceView] })
  get(@CurrentUser() user: AuthUser, @Query() q: PresenceQuery): Promise<PresenceView[]> {
    return this.presence.get(user, q.userIds);
  }

  @Put('me')
  @ApiOperation({ summary: 'Set your status (online, away, dnd); announced as presence.changed' })
  @ApiOkResponse({ type: PresenceView })
  set(@CurrentUser() user: AuthUser, @Body() dto: SetPresenceBody): Promise<PresenceView> {
    return this.presence.set(user, dto);
  }
}
