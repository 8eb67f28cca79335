import { INestApplicationContext } from '@nestjs/common';
import { MessageMappingProperties } from '@nestjs/websockets';
import { AbstractWsAdapter } from '@nestjs/websockets';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Observable } from 'rxjs';
import { WebSocketServer } from 'ws';
import { AuthenticationService } from '../../auth/authentication.service.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import { RateLimitService } from '../limits/rate-limit.service.js';
import { ChannelLogService } from '../log/channel-log.service.js';
import { decideUpgrade, selectProtocol } from './upgrade-auth.js';
import { WsKernel } from './ws-kernel.js';
import { BoundCommand, KernelSocket, WsSession } from './ws-session.js';

export const WS_PATH = '/ws';

/** What gateways' handlers are bound to in place of a socket (see bindClientConnect). */
const SHARED_CLIENT = Object.freeze({ shared: true });

/**
 * The transport of the rt.v1 protocol on @nestjs/platform-ws's model: one
 * WebSocketServer at /ws shared by every gateway. The upgrade is authenticated
 * (and rate-limited, and its Origin checked) before any WebSocket exists;
 * `maxPayload` is enforced by `ws` itself (close 1009); frames are dispatched by
 * the kernel rather than Nest's `{event, data}` parser.
 */
export class RealtimeWsAdapter extends AbstractWsAdapter {
  private wss: WebSocketServer | null = null;
  private upgradeListener: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | null =
    null;
  private readonly config: AppConfig;
  private readonly logger: RootLogger;

  constructor(private readonly app: INestApplicationContext & { getHttpServer(): HttpServer }) {
    super(app);
    this.config = app.get<AppConfig>(APP_CONFIG);
    this.logger = app.get<RootLogger>(ROOT_LOGGER);
  }

  create(_port: number, options?: { path?: string }): WebSocketServer {
    if (options?.path !== undefined && options.path !== WS_PATH) {
      throw new Error(`gateways share the one socket at ${WS_PATH}; got path ${options.path}`);
    }
    if (this.wss) return this.wss;
    const kernel = this.app.get(WsKernel);
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.ws.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => selectProtocol(protocols),
    });
    wss.on('connection', (socket: KernelSocket, req: IncomingMessage) =>
      kernel.accept(socket, req),
    );
    this.upgradeListener = (req, socket, head) =>
      void this.handleUpgrade(wss, kernel, req, socket, head);
    this.app.getHttpServer().on('upgrade', this.upgradeListener);
    kernel.start();
    this.wss = wss;
    return wss;
  }

  /**
   * Nest would bind every gateway's handlers to every socket as it connects
   * (one bound function per command per socket: kilobytes per idle socket).
   * Here each gateway's connection handler runs once, with a placeholder
   * client, and its commands go into the kernel's one table; the kernel passes
   * the real socket to them in the command context. Gateways therefore get no
   * per-socket hooks (handleConnection, handleDisconnect, @ConnectedSocket):
   * the kernel and RealtimeService.onSessionOpening/Closed are where socket
   * lifecycle lives.
   */
  override bindClientConnect(
    _server: WebSocketServer,
    callback: (client: object, req?: IncomingMessage) => void,
  ): void {
    callback(SHARED_CLIENT);
  }

  override bindClientDisconnect(): void {
    // No per-socket hooks (see bindClientConnect).
  }

  /** Each gateway's commands, once, into the kernel's table. */
  bindMessageHandlers(
    _client: object,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const commands = this.app.get(WsKernel).commands;
    for (const h of handlers) {
      const type = String(h.message);
      if (commands.has(type)) throw new Error(`two gateways handle the command ${type}`);
      commands.set(type, { callback: h.callback as BoundCommand['callback'], transform });
    }
  }

  override async close(server: WebSocketServer): Promise<void> {
    const kernel = this.app.get(WsKernel);
    await kernel.drain(this.config.shutdownTimeoutMs);
    if (this.upgradeListener) this.app.getHttpServer().off('upgrade', this.upgradeListener);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.wss = null;
  }

  private async handleUpgrade(
    wss: WebSocketServer,
    kernel: WsKernel,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    socket.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return reject(socket, 400, 'Bad request');
    }
    if (url.pathname !== WS_PATH) return reject(socket, 404, 'Not found');
    if (kernel.draining) return reject(socket, 503, 'Server shutting down');
    const ip = req.socket.remoteAddress ?? 'unknown';
    const wait = this.app.get(RateLimitService).connectAttempt(ip);
    if (wait > 0) return reject(socket, 429, 'Too many connection attempts', wait);
    const decision = await decideUpgrade(
      req,
      url,
      this.config,
      this.app.get(AuthenticationService),
    );
    if (!decision.ok) return reject(socket, decision.status, decision.message);
    // Where the user channel stands before the socket exists: the socket joins it
    // from here, so an event committed while the upgrade completes is replayed
    // rather than missed.
    const userChannelSince = decision.user
      ? await this.app.get(ChannelLogService).latest(`user:${decision.user.id}`)
      : undefined;
    if (socket.destroyed) return;
    // The shutdown may have begun while the token was checked: the drain already
    // took its list of sockets, so this one would never get its 1001.
    if (kernel.draining) return reject(socket, 503, 'Server shutting down');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const kernelSocket = ws as KernelSocket;
      kernelSocket.session = new WsSession(ws, decision.user, ip);
      kernelSocket.session.userChannelSince = userChannelSince;
      wss.emit('connection', kernelSocket, req);
    });
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};
const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
  503: 'INTERNAL',
};

/** Refuses an upgrade with a plain HTTP answer in the contract's error shape. */
function reject(socket: Duplex, status: number, message: string, retryAfterMs?: number): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({
    statusCode: status,
    code: CODES[status] ?? 'BAD_REQUEST',
    message,
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
  const headers = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(retryAfterMs ? [`Retry-After: ${Math.max(1, Math.ceil(retryAfterMs / 1000))}`] : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
