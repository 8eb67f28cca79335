import { LoggerService } from '@nestjs/common';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type LoggerOptions, Logger as PinoLogger } from 'pino';
import { redactTokens } from './http-logger.js';

/**
 * One pino logger for the process: JSON lines in production and tests, pretty in
 * development when pino-pretty is installed (it is a dev dependency). A
 * `destination` (tests read the lines back) replaces stdout and the pretty
 * transport, which pino does not combine with a stream.
 */
export function createRootLogger(
  level: string,
  nodeEnv: string,
  destination?: DestinationStream,
): PinoLogger {
  const pretty = destination === undefined && nodeEnv === 'development' && hasPinoPretty();
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.headers["x-admin-bootstrap-secret"]',
      'req.headers["sec-websocket-protocol"]',
      'password',
      'refreshToken',
    ],
    hooks: {
      // A message may quote a url with the access token of an event stream or a
      // SockJS session (a library's error line): never write it.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactTokens(a) : a)) as Parameters<
            typeof method
          >,
        );
      },
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
          },
        }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

function hasPinoPretty(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** Nest's LoggerService on top of pino, so framework logs share the JSON format. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, stringify(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, stringify(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, stringify(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, stringify(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}
