import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { ChannelAccess } from '../realtime/channels/channel-access.guard.js';
import { Acks } from '../realtime/command-ack.decorator.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { CalendarService } from './calendar.service.js';
import { CalendarEventDeletedView, CalendarEventView } from './dto/calendar-views.dto.js';
import { CreateEventCommand, DeleteEventCommand, UpdateEventCommand } from './dto/calendar.dto.js';

/** Socket commands of the calendar module (docs/protocol.md, "Commands and events"); the ack carries the event. */
@RealtimeGateway()
export class CalendarGateway {
  constructor(private readonly calendars: CalendarService) {}

  @SubscribeMessage('calendar.event.create')
  @Acks(CalendarEventView, 'Adds an event to a calendar you may write to')
  @ChannelAccess({ prefix: 'calendar', field: 'calendarId' })
  create(
    @CurrentUser() user: AuthUser,
    @MessageBody() { calendarId, ...dto }: CreateEventCommand,
  ): Promise<CalendarEventView> {
    return this.calendars.createEvent(user, calendarId, dto);
  }

  @SubscribeMessage('calendar.event.update')
  @Acks(CalendarEventView, 'Changes an event at its current `version`')
  update(
    @CurrentUser() user: AuthUser,
    @MessageBody() { eventId, ...dto }: UpdateEventCommand,
  ): Promise<CalendarEventView> {
    return this.calendars.updateEvent(user, eventId, dto);
  }

  @SubscribeMessage('calendar.event.delete')
  @Acks(CalendarEventDeletedView, 'Deletes an event at its current `version`')
  delete(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: DeleteEventCommand,
  ): Promise<CalendarEventDeletedView> {
    return this.calendars.deleteEvent(user, dto.eventId, dto.version);
  }
}
