import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../../auth/auth.types.js';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { AppException } from '../../../common/app.exception.js';
import { ErrorCode } from '../../../common/error-codes.js';
import type { ChannelHold } from '../../hub/channel-hub.js';
import { CommandRunner } from '../../kernel/command-runner.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { CloseCode } from '../../session/close-codes.js';
import type { ReplySlot } from '../../session/reply-order.js';
import type { Connection } from '../../transports/connection.js';
import { ClientFrame, parseClientFrame } from './frames.js';
import { idOf, JsonCommands } from './json-commands.js';
import { JsonSession } from './json-session.js';

export const JSON_PROTOCOL = 'rt.v1';

/**
 * The JSON protocol (`rt.v1`): one JSON object per transport message. It turns
 * frames into kernel operations (its own frames: ping, auth, subscribe, …) and
 * module commands, and answers each in the order it was accepted. Channels,
 * offsets, policies and limits are the kernel's.
 */
@Injectable()
export class JsonProtocol {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kernel: SessionKernel,
    private readonly own: JsonCommands,
    private readonly commands: CommandRunner,
    private readonly metrics: MetricsService,
  ) {}

  /** A session of this protocol on a connection that passed the transport's checks. */
  accept(connection: Connection, user: AuthUser | null, userChannel?: ChannelHold): JsonSession {
    const session = new JsonSession(connection, user, this);
    session.userChannelHold = userChannel ?? null;
    this.kernel.attach(session);
    return session;
  }

  /** `connected` first (once the opening hooks ran), then the user channel. */
  start(session: JsonSession): void {
    void this.kernel.open(
      session,
      () => {
        const user = session.user;
        session.send({
          type: 'connected',
          connectionId: session.id,
          user: user ? { id: user.id, displayName: user.displayName, role: user.role } : null,
          heartbeatMs: this.config.ws.heartbeatMs,
        });
      },
      { userChannel: true },
    );
  }

  receive(session: JsonSession, data: Buffer | string, isBinary: boolean): void {
    if (isBinary) {
      this.kernel.end(session, CloseCode.UNSUPPORTED_DATA, 'binary frames are not supported');
      return;
    }
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const parsed = parseClientFrame(typeof data === 'string' ? data : data.toString('utf8'));
    const ownFrame = parsed.ok ? this.own.handlers.get(parsed.frame.type) : undefined;
    const isCommand = parsed.ok && !ownFrame && this.commands.has(parsed.frame.type);
    this.metrics.framesIn.inc({
      type: parsed.ok && (ownFrame || isCommand) ? parsed.frame.type : 'other',
    });
    const id = parsed.ok ? parsed.frame.id : parsed.id;
    const reply = session.reserveReply();
    this.kernel.admit(session, (refused) => {
      if (refused) {
        if (refused.abuse) {
          // Everything accepted before is answered first; this frame is not.
          void reply.turn().then(() => {
            this.kernel.end(session, CloseCode.ABUSE, 'rate limit abuse');
            reply.finish();
          });
          return;
        }
        this.fail(session, reply, id, refused.error);
        return;
      }
      if (!parsed.ok) {
        this.fail(session, reply, id, AppException.badRequest(parsed.message, parsed.details));
        return;
      }
      const frame = parsed.frame;
      if (ownFrame) {
        Promise.resolve()
          .then(() => ownFrame(session, frame, reply))
          .then(
            () => reply.finish(),
            (err: unknown) => this.fail(session, reply, frame.id, err),
          );
        return;
      }
      if (!isCommand) {
        this.fail(
          session,
          reply,
          frame.id,
          new AppException(ErrorCode.UNKNOWN_TYPE, `Unknown frame type: ${frame.type}`),
        );
        return;
      }
      this.runCommand(session, frame, bytes, reply);
    });
  }

  private runCommand(
    session: JsonSession,
    frame: ClientFrame,
    frameBytes: number,
    reply: ReplySlot,
  ): void {
    this.commands.run(session, frame.type, frame.data, frame.id, frameBytes, {
      ack: (value) => {
        reply.send({ type: 'ack', ...idOf(frame), data: value });
        reply.finish();
      },
      error: (errorFrame) => {
        reply.send(errorFrame);
        reply.finish();
      },
    });
  }

  /** Answers a frame with the `error` frame of what it threw, in its place. */
  private fail(session: JsonSession, reply: ReplySlot, id: string | undefined, err: unknown): void {
    reply.send(this.commands.describe(session, id, err));
    reply.finish();
  }
}
