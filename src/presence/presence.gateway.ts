import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/guards/decorators.js';
import { Acks } from '../realtime/command-ack.decorator.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { PresenceView, SetPresenceBody } from './dto/presence.dto.js';
import { PresenceService } from './presence.service.js';

/** `presence.set` (docs/protocol.md, "Commands and events"); the ack carries the caller's presence. */
@RealtimeGateway()
export class PresenceGateway {
  constructor(private readonly presence: PresenceService) {}

  @SubscribeMessage('presence.set')
  @Acks(PresenceView, 'Sets your status (online, away or dnd) on every device')
  set(@CurrentUser() user: AuthUser, @MessageBody() dto: SetPresenceBody): Promise<PresenceView> {
    return this.presence.set(user, dto);
  }
}
