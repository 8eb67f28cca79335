import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { UsersRepository } from '../auth/repositories/users.repository.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { CalendarRepository } from './calendar.repository.js';

/** Reminders claimed per transaction. */
const BATCH = 50;

/**
 * Fires due event reminders, exactly once across every instance: each poll
 * claims due rows with `FOR UPDATE SKIP LOCKED`, creates the notifications and
 * sets `fired_at` in the same transaction. Another instance skips the locked
 * rows and, once they committed, no longer sees them as due.
 */
@Injectable()
export class CalendarReminders implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly realtime: RealtimeService,
    private readonly repo: CalendarRepository,
    private readonly users: UsersRepository,
    private readonly notifications: NotificationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.calendar.reminderPollMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = this.fireAllDue()
      .catch((err: unknown) => this.logger.warn({ err }, 'calendar reminders failed; will retry'))
      .finally(() => {
        this.running = null;
      });
  }

  private async fireAllDue(): Promise<void> {
    while (!this.stopped && (await this.fireDue(BATCH)) === BATCH);
  }

  /** Claims and fires up to `limit` due reminders; returns how many. */
  async fireDue(limit: number): Promise<number> {
    return this.realtime.transaction(async (tx) => {
      const due = await this.repo.claimDueReminders(tx.em, limit);
      if (due.length === 0) return 0;
      const events = await this.repo.findEvents(
        tx.em,
        due.map((r) => r.event_id),
      );
      for (const event of events) {
        const wanted = [...new Set([event.createdBy, ...event.attendeeIds])].filter(
          (id): id is string => id !== null,
        );
        const recipients = await this.users.existingIds(tx.em, wanted);
        for (const userId of recipients) {
          await this.notifications.create(
            {
              userId,
              type: 'calendar.event.reminder',
              title: `Starting soon: ${event.title}`,
              body: `"${event.title}" starts at ${event.startsAt.toISOString()}`,
              link: `/calendars/${event.calendarId}?event=${event.id}`,
              entity: { type: 'calendar.event', id: event.id },
            },
            tx,
          );
        }
      }
      await this.repo.markRemindersFired(
        tx.em,
        due.map((r) => r.id),
      );
      return due.length;
    });
  }
}
