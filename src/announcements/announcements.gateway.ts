import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Roles } from '../auth/guards/decorators.js';
import { Acks } from '../realtime/command-ack.decorator.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { AnnouncementsService } from './announcements.service.js';
import { AnnouncementView, PublishAnnouncementBody } from './dto/announcement.dto.js';

/** `announcement.publish` (admins; docs/protocol.md, "Commands and events"); the ack carries the announcement. */
@RealtimeGateway()
export class AnnouncementsGateway {
  constructor(private readonly announcements: AnnouncementsService) {}

  @SubscribeMessage('announcement.publish')
  @Acks(AnnouncementView, 'Publishes an announcement to everyone, anonymous sockets included')
  @Roles('admin')
  publish(
    @CurrentUser() user: AuthUser,
    @MessageBody() dto: PublishAnnouncementBody,
  ): Promise<AnnouncementView> {
    return this.announcements.publish(user, dto);
  }
}
