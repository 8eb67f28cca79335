import { Module } from '@nestjs/common';
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
export class PresenceModule {}
