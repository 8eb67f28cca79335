import { Module, OnModuleInit } from '@nestjs/common';
import { RealtimeService } from '../realtime/realtime.service.js';
import { PRESENCE_EVENTS } from './presence.events.js';
import { PresenceAccess } from './presence.access.js';
import { PresenceController } from './presence.controller.js';
import { PresenceGateway } from './presence.gateway.js';
import { PresenceRepository } from './presence.repository.js';
import { PresenceService } from './presence.service.js';

/** Online/away/dnd/offline with a grace period, counted across instances by the kernel's socket counter. */
@Module({
  providers: [PresenceRepository, PresenceAccess, PresenceService, PresenceGateway],
  controllers: [PresenceController],
  exports: [PresenceService],
})
export class PresenceModule implements OnModuleInit {
  constructor(private readonly realtime: RealtimeService) {}

  onModuleInit(): void {
    this.realtime.registerEvents('presence', PRESENCE_EVENTS);
  }
}
