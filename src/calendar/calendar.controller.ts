import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { CreatedOrExisting } from '../common/created-or-existing/created-or-existing.js';
import { VersionQuery } from '../common/dto/version.dto.js';
import { ChannelAccess } from '../realtime/channels/channel-access.guard.js';
import { CalendarService } from './calendar.service.js';
import {
  CalendarDetailView,
  CalendarEventPage,
  CalendarEventView,
  CalendarPage,
  CalendarView,
  ShareView,
} from './dto/calendar-views.dto.js';
import {
  CreateCalendarBody,
  CreateEventBody,
  EventRangeQuery,
  ListCalendarsQuery,
  ShareCalendarBody,
  UpdateEventBody,
} from './dto/calendar.dto.js';

const uuid = new ParseUUIDPipe();

/** REST side of the calendar module (its routes: the OpenAPI document at /docs); same service as the gateway. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api')
export class CalendarController {
  constructor(private readonly calendars: CalendarService) {}

  @Post('calendars')
  @ApiOperation({ summary: 'Create a calendar owned by the caller' })
  @ApiCreatedResponse({ type: CalendarView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateCalendarBody): Promise<CalendarView> {
    return this.calendars.createCalendar(user, dto);
  }

  @Get('calendars')
  @ApiOperation({ summary: 'Calendars the caller owns or that are shared with them' })
  @ApiOkResponse({ type: CalendarPage })
  list(@CurrentUser() user: AuthUser, @Query() q: ListCalendarsQuery): Promise<CalendarPage> {
    return this.calendars.listCalendars(user, q);
  }

  @Get('calendars/:id')
  @ChannelAccess({ prefix: 'calendar', param: 'id' })
  @ApiOperation({ summary: 'One calendar with its shares' })
  @ApiOkResponse({ type: CalendarDetailView })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CalendarDetailView> {
    return this.calendars.getCalendar(user, id);
  }

  @Post('calendars/:id/shares')
  @ChannelAccess({ prefix: 'calendar', param: 'id' })
  @ApiOperation({ summary: 'Share (owner); 200 when only the access changed' })
  @ApiCreatedResponse({ type: ShareView })
  share(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: ShareCalendarBody,
  ): Promise<CreatedOrExisting<ShareView>> {
    return this.calendars.share(user, id, dto);
  }

  @Delete('calendars/:id/shares/:userId')
  @HttpCode(204)
  @ChannelAccess({ prefix: 'calendar', param: 'id' })
  @ApiOperation({ summary: 'Unshare (owner), or drop a calendar shared with you' })
  @ApiNoContentResponse()
  async unshare(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('userId', uuid) userId: string,
  ): Promise<void> {
    await this.calendars.unshare(user, id, userId);
  }

  @Get('calendars/:id/events')
  @ChannelAccess({ prefix: 'calendar', param: 'id' })
  @ApiOperation({ summary: 'Events with startsAt < to and endsAt > from (half-open)' })
  @ApiOkResponse({ type: CalendarEventPage })
  events(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() q: EventRangeQuery,
  ): Promise<CalendarEventPage> {
    return this.calendars.listEvents(user, id, q);
  }

  @Post('calendars/:id/events')
  @ChannelAccess({ prefix: 'calendar', param: 'id' })
  @ApiOperation({ summary: 'Create an event (owner or write share); attendees are notified' })
  @ApiCreatedResponse({ type: CalendarEventView })
  createEvent(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreateEventBody,
  ): Promise<CalendarEventView> {
    return this.calendars.createEvent(user, id, dto);
  }

  @Patch('calendar-events/:id')
  @ApiOperation({ summary: 'Edit an event; a stale version is 409 CONFLICT with details.current' })
  @ApiOkResponse({ type: CalendarEventView })
  updateEvent(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Body() dto: UpdateEventBody,
  ): Promise<CalendarEventView> {
    return this.calendars.updateEvent(user, id, dto);
  }

  @Delete('calendar-events/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an event (?version= checked when given)' })
  @ApiNoContentResponse()
  async deleteEvent(
    @CurrentUser() user: AuthUser,
    @Param('id', uuid) id: string,
    @Query() q: VersionQuery,
  ): Promise<void> {
    await this.calendars.deleteEvent(user, id, q.version);
  }
}
