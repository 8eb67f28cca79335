import { Body, Controller, Get, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Public, Roles } from '../auth/guards/decorators.js';
import { AnnouncementsService } from './announcements.service.js';
import {
  AnnouncementListView,
  AnnouncementView,
  PublishAnnouncementBody,
} from './dto/announcement.dto.js';

/** REST side of announcements (its routes: the OpenAPI document at /docs); same service as the gateway. */
@ApiTags('announcements')
@Controller('api/announcements')
export class AnnouncementsController {
  constructor(private readonly announcements: AnnouncementsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Active announcements, newest first; no token needed' })
  @ApiOkResponse({ type: AnnouncementListView })
  list(): Promise<AnnouncementListView> {
    return this.announcements.listActive();
  }

  @Post()
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Publish an announcement (admins); everyone receives it live' })
  @ApiCreatedResponse({ type: AnnouncementView })
  publish(
    @CurrentUser() user: AuthUser,
    @Body() dto: PublishAnnouncementBody,
  ): Promise<AnnouncementView> {
    return this.announcements.publish(user, dto);
  }
}
