import type { WebSocket } from 'ws';
import type { CommandContext } from '../../common/command-context.js';
import type { AuthUser } from '../../auth/auth.types.js';
import type { OutboundEvent } from '../bus/event-bus.js';
import { RtSession } from '../session/session.js';

const TEXT_FRAME = { binary: false };

/**
 * Nest's handler for one command (guards, interceptors, pipes, filter and the
 * gateway method), shared by every socket: the socket travels in the context.
 */
export interface BoundCommand {
  callback: (data: unknown, context: CommandContext) => unknown;
  transform: (result: unknown) => import('rxjs').Observable<unknown>;
}

/** A session carried by a `ws` socket speaking rt.v1 JSON frames. */
export class WsSession extends RtSession {
  readonly transport = 'ws' as const;
  alive = true;
  /** Closing for abuse (4429) once the replies already owed have gone out. */
  closing = false;
  expiryTimer: NodeJS.Timeout | null = null;
  /** The user channel's offset read at the upgrade: the auto-subscription starts there. */
  userChannelSince: number | undefined;

  constructor(
    readonly socket: WebSocket,
    user: AuthUser | null,
    ip: string,
  ) {
    super(user, ip);
  }

  sendText(text: string): void {
    if (this.socket.readyState === 1) this.socket.send(text);
  }

  /** Each event is encoded once (UTF-8) and those bytes go to every socket as a text frame. */
  override sendEvent(e: OutboundEvent): void {
    if (this.socket.readyState !== 1) return;
    this.socket.send((e.bytes ??= Buffer.from(e.frame, 'utf8')), TEXT_FRAME);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === 0 || this.socket.readyState === 1)
      this.socket.close(code, reason);
  }
}

/** The `ws` socket with the session the kernel attached at the upgrade. */
export type KernelSocket = WebSocket & { session: WsSession };
