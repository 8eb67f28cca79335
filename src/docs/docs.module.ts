import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AsyncApiController } from './asyncapi.controller.js';
import { AsyncApiService } from './asyncapi.service.js';
import { ProtocolCatalogue } from './protocol-catalogue.js';

/**
 * The API documents: OpenAPI (REST) at /docs, /docs-json and /docs-yaml, and
 * AsyncAPI (the socket) at /docs/asyncapi and /docs/asyncapi.yaml. Not a
 * feature module: it reads the kernel through RealtimeService and its
 * constants, and the gateways through Nest's discovery.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ProtocolCatalogue, AsyncApiService],
  controllers: [AsyncApiController],
})
export class DocsModule {}
