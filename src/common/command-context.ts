import type { ArgumentsHost } from '@nestjs/common';
import type { AuthUser } from '../auth/auth.types.js';
import type { ErrorFrame } from './error-body.js';

/** The connection a command came from, as guards need it. */
export interface CommandSession {
  readonly id: string;
  readonly user: AuthUser | null;
}

/** What the kernel knows about the socket command being handled (read by the error filter and limits). */
export interface CommandContext {
  readonly kind: 'rt.command';
  /** Gateways' handlers are shared by every socket: the caller travels here. */
  readonly session: CommandSession;
  frameId: string | undefined;
  type: string;
  frameBytes: number;
  /** Answers the command with its error (the exception filter calls it). */
  replyError(frame: ErrorFrame): void;
}

/**
 * The kernel calls a gateway handler as `(client, data, context)`: the context
 * travels as the handler's third argument, where Nest would pass the event name.
 * (Not an AsyncLocalStorage: on Node 20 that turns promise hooks on for the
 * whole process, a cost on every promise of every request.)
 */
export function commandContextOf(host: ArgumentsHost): CommandContext | undefined {
  const arg: unknown = host.getArgByIndex(2);
  return typeof arg === 'object' &&
    arg !== null &&
    (arg as { kind?: unknown }).kind === 'rt.command'
    ? (arg as CommandContext)
    : undefined;
}
