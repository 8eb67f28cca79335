import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { CALENDAR_EVENTS } from './calendar.events.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { CalendarReminders } from './calendar-reminders.service.js';
import { CalendarAccess } from './calendar.access.js';
import { CalendarController } from './calendar.controller.js';
import { CalendarGateway } from './calendar.gateway.js';
import { CalendarRepository } from './calendar.repository.js';
import { CalendarService } from './calendar.service.js';

/** Calendars shared read or write, events on `calendar:{id}`, invitations and reminders. */
@Module({
  imports: [AuthModule, NotificationsModule],
  providers: [
    CalendarRepository,
    CalendarAccess,
    CalendarService,
    CalendarReminders,
    CalendarGateway,
  ],
  controllers: [CalendarController],
  exports: [CalendarService],
})
export class CalendarModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('calendar', CALENDAR_EVENTS);
  }
}
