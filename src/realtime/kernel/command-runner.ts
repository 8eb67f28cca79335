import { Inject, Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { CommandContext } from '../../common/command-context.js';
import { describeError, errorFrameOf, type ErrorFrame } from '../../common/error-body.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { deadlinePassed } from '../limits/deadline.interceptor.js';
import type { RtSession } from '../session/session.js';

/**
 * Nest's handler for one command (guards, interceptors, pipes, filter and the
 * gateway method), shared by every session: the session travels in the context.
 */
export interface BoundCommand {
  callback: (data: unknown, context: CommandContext) => unknown;
  transform: (result: unknown) => Observable<unknown>;
}

/** Where a protocol wants a command's outcome: exactly one of the two is called. */
export interface CommandOutcome {
  ack(value: unknown): void;
  error(frame: ErrorFrame): void;
}

/**
 * The module commands (`chat.send`, `board.card.move`, …): one table for every
 * session, whatever its protocol. The JSON protocol reaches a command by its
 * frame type, STOMP by `SEND /app/<command>`; both run the same Nest pipeline.
 */
@Injectable()
export class CommandRunner {
  /** Filled once by the adapter with every gateway's handlers. */
  readonly commands = new Map<string, BoundCommand>();

  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  has(type: string): boolean {
    return this.commands.has(type);
  }

  /**
   * Runs `type` with `data`; the outcome goes to `outcome` once. Never throws.
   * Answered within COMMAND_TIMEOUT_MS whatever the command waits for (its
   * guards included): see DeadlineInterceptor for why, and why the command
   * itself runs on.
   */
  run(
    session: RtSession,
    type: string,
    data: unknown,
    frameId: string | undefined,
    frameBytes: number,
    outcome: CommandOutcome,
  ): void {
    const command = this.commands.get(type);
    let settled = false;
    const ms = this.config.commandTimeoutMs;
    const deadline = setTimeout(
      () => fail(errorFrameOf(frameId, describeError(deadlinePassed(ms)))),
      ms,
    );
    const ack = (value: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome.ack(value);
    };
    const fail = (frame: ErrorFrame): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome.error(frame);
    };
    if (!command) {
      fail(errorFrameOf(frameId, describeError(new Error(`no command ${type}`))));
      return;
    }
    const ctx: CommandContext = {
      kind: 'rt.command',
      session,
      frameId,
      type,
      frameBytes,
      replyError: fail,
    };
    let value: unknown = null;
    try {
      command.transform(command.callback(data ?? {}, ctx)).subscribe({
        next: (v) => {
          value = v;
        },
        error: (err: unknown) => fail(this.describe(session, frameId, err)),
        // The exception filter has already answered a failed command.
        complete: () => ack(value ?? null),
      });
    } catch (err) {
      fail(this.describe(session, frameId, err));
    }
  }

  /** The `error` frame of what a command threw; unexpected errors are logged with their trace id. */
  describe(session: RtSession, frameId: string | undefined, err: unknown): ErrorFrame {
    const d = describeError(err);
    if (d.unexpected !== undefined)
      this.logger.error(
        { err: d.unexpected, traceId: d.traceId, sessionId: session.id },
        'command failed',
      );
    return errorFrameOf(frameId, d);
  }
}
