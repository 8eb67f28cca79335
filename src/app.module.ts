import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { CreatedOrExistingInterceptor } from './common/created-or-existing/created-or-existing.interceptor.js';
import { createValidationPipe } from './common/http/validation.js';
import { InviteLimitsModule } from './common/rate-limit/invite-limiter.js';
import type { Logger as PinoLogger } from 'pino';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { AppConfigModule } from './config/config.module.js';
import { LoggerModule } from './common/logging/logger.module.js';
import { RateBucketsModule } from './common/rate-limit/rate-buckets.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { DocsModule } from './docs/docs.module.js';
import { FEATURES } from './feature-modules.js';
import { HealthModule } from './health/health.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';

type ModuleImport = Type<unknown> | DynamicModule;

@Module({})
export class AppModule {
  /** `features`: extra modules (the tests add a test-only channel and command this way). */
  static forRoot(
    config: AppConfig,
    logger: PinoLogger,
    databaseUrl: string,
    features: ModuleImport[] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        RateBucketsModule,
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl)),
        InviteLimitsModule,
        AuthModule,
        RealtimeModule,
        HealthModule,
        DocsModule,
        ...FEATURES.map((f) => f.module),
        ...features,
      ],
      // Providers rather than app.useGlobal*: these reach socket gateways too.
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_INTERCEPTOR, useClass: CreatedOrExistingInterceptor },
      ],
    };
  }
}
