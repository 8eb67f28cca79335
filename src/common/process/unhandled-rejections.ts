import type { Logger as PinoLogger } from 'pino';

/** Unhandled rejections this process survived (read by the metrics at scrape time). */
let survived = 0;

export function unhandledRejectionCount(): number {
  return survived;
}

/**
 * A rejection nobody handled is a bug, not a reason to drop every socket of the
 * node: Node's default (exit) is replaced by an error line and a count
 * (`rt_unhandled_rejections_total`), and the process goes on.
 */
export function surviveUnhandledRejections(
  target: Pick<NodeJS.Process, 'on'>,
  logger: PinoLogger,
): void {
  target.on('unhandledRejection', (reason: unknown) => {
    survived += 1;
    logger.error({ err: reason, survived }, 'unhandled promise rejection (the process goes on)');
  });
}
