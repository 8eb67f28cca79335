import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
export type RootLogger = PinoLogger;

@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: PinoLogger): DynamicModule {
    return {
      module: LoggerModule,
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [ROOT_LOGGER],
    };
  }
}
