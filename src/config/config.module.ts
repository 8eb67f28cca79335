import { DynamicModule, Global, Module } from '@nestjs/common';
import { ClientAddresses } from '../common/http/client-address.js';
import { AppConfig } from './app-config.js';

/** Injection token for the parsed AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ClientAddresses, useValue: new ClientAddresses(config.trustProxy) },
      ],
      exports: [APP_CONFIG, ClientAddresses],
    };
  }
}
