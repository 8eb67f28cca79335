import { Inject, Injectable, type Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { buildAsyncApi, type ServerAddress } from './asyncapi.builder.js';
import { type JsonObject, toJson } from './json-schema.js';
import { ProtocolCatalogue } from './protocol-catalogue.js';

/**
 * The AsyncAPI document of the socket protocol. Its schemas are the OpenAPI
 * document's own (the catalogue's classes are that document's extraModels),
 * so a class has one schema whichever document shows it.
 */
@Injectable()
export class AsyncApiService {
  private openApi: (() => OpenAPIObject) | null = null;

  constructor(
    private readonly catalogue: ProtocolCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The classes the OpenAPI document must hold for this document: its extraModels. */
  models(): Type<object>[] {
    return this.catalogue.models();
  }

  /** Where the schemas come from (setupDocs wires it). */
  useOpenApi(document: () => OpenAPIObject): void {
    this.openApi = document;
  }

  /**
   * Built on each call, from what the modules registered: call it once the app
   * has started (the modules register their events in onModuleInit).
   */
  document(server: ServerAddress): JsonObject {
    if (!this.openApi) throw new Error('the OpenAPI document is not wired: run setupDocs(app)');
    return buildAsyncApi(
      {
        events: this.catalogue.events(),
        commands: this.catalogue.commands(),
        openApiSchemas: toJson(this.openApi().components?.schemas ?? {}),
        limits: this.limits(),
      },
      server,
    );
  }

  /** The limits a client has to live with, as this server is configured. */
  private limits(): JsonObject {
    const { ws, history, commandTimeoutMs } = this.config;
    return {
      maxFrameBytes: ws.maxPayload,
      maxCommandDataBytes: ws.commandMaxBytes,
      rateLimitFrames: ws.rateLimit,
      rateWindowMs: ws.rateWindowMs,
      abuseThreshold: ws.abuseThreshold,
      connectsPerMinutePerIp: ws.connectRatePerIp,
      heartbeatMs: ws.heartbeatMs,
      idleTimeoutMs: ws.idleTimeoutMs,
      maxBufferedBytes: ws.maxBufferedBytes,
      anonymousAllowed: ws.allowAnonymous,
      historyMaxEvents: history.maxEvents,
      historyTtlMs: history.ttlMs,
      commandTimeoutMs,
    };
  }
}
