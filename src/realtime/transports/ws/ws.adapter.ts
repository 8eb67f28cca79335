import { INestApplicationContext } from '@nestjs/common';
import { AbstractWsAdapter, MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Observable } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { AuthenticationService } from '../../../auth/authentication.service.js';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { ClientAddresses } from '../../../common/http/client-address.js';
import { ROOT_LOGGER, type RootLogger } from '../../../common/logging/logger.module.js';
import { BoundCommand, CommandRunner } from '../../kernel/command-runner.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { RateLimitService } from '../../limits/rate-limit.service.js';
import { JsonProtocol } from '../../protocols/json/json-protocol.js';
import { StompProtocol } from '../../protocols/stomp/stomp-protocol.js';
import {
  decideUpgrade,
  offeredProtocols,
  rejectUpgrade,
  selectProtocol,
  stompVersionOf,
} from '../handshake.js';
import { SockJsTransport } from '../sockjs/sockjs.transport.js';
import { WsConnection } from './ws-connection.js';

export const WS_PATH = '/ws';

/** What gateways' handlers are bound to in place of a socket (see bindClientConnect). */
const SHARED_CLIENT = Object.freeze({ shared: true });

/**
 * The WebSocket transport, on @nestjs/websockets' adapter model: one
 * WebSocketServer at /ws shared by every gateway, whose subprotocol picks the
 * protocol (rt.v1 by default, STOMP for `v1x.stomp`); upgrades under `/ws/` are
 * SockJS's. The upgrade is authenticated (and rate-limited, and its Origin
 * checked) before any WebSocket exists; `maxPayload` is enforced by `ws` itself
 * (close 1009).
 */
export class RealtimeWsAdapter extends AbstractWsAdapter {
  private wss: WebSocketServer | null = null;
  private upgradeListener: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | null =
    null;
  private readonly config: AppConfig;
  private readonly logger: RootLogger;
  /** What every upgrade uses, resolved once rather than looked up per connect. */
  private readonly upgrades: {
    kernel: SessionKernel;
    sockjs: SockJsTransport;
    addresses: ClientAddresses;
    limits: RateLimitService;
    authn: AuthenticationService;
    json: JsonProtocol;
    stomp: StompProtocol;
  };

  constructor(private readonly app: INestApplicationContext & { getHttpServer(): HttpServer }) {
    super(app);
    this.config = app.get<AppConfig>(APP_CONFIG);
    this.logger = app.get<RootLogger>(ROOT_LOGGER);
    this.upgrades = {
      kernel: app.get(SessionKernel),
      sockjs: app.get(SockJsTransport),
      addresses: app.get(ClientAddresses),
      limits: app.get(RateLimitService),
      authn: app.get(AuthenticationService),
      json: app.get(JsonProtocol),
      stomp: app.get(StompProtocol),
    };
  }

  create(_port: number, options?: { path?: string }): WebSocketServer {
    if (options?.path !== undefined && options.path !== WS_PATH) {
      throw new Error(`gateways share the one socket at ${WS_PATH}; got path ${options.path}`);
    }
    if (this.wss) return this.wss;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.ws.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => selectProtocol(protocols),
    });
    this.upgradeListener = (req, socket, head) => {
      socket.on('error', () => undefined);
      this.handleUpgrade(wss, req, socket, head).catch((err: unknown) => {
        // A dependency failed on the way (opening the user channel: the bus, the log):
        // the client retries; the process goes on.
        this.logger.warn({ err }, 'upgrade failed');
        rejectUpgrade(socket, 503, 'Service unavailable; retry', 2000);
      });
    };
    this.app.getHttpServer().on('upgrade', this.upgradeListener);
    this.upgrades.kernel.start();
    this.wss = wss;
    return wss;
  }

  /**
   * Nest would bind every gateway's handlers to every socket as it connects
   * (one bound function per command per socket: kilobytes per idle socket).
   * Here each gateway's connection handler runs once, with a placeholder
   * client, and its commands go into the kernel's one table; the kernel passes
   * the real session to them in the command context. Gateways therefore get no
   * per-socket hooks (handleConnection, handleDisconnect, @ConnectedSocket):
   * the kernel and RealtimeService.onSessionOpening/Closed are where session
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
    const commands = this.app.get(CommandRunner).commands;
    for (const h of handlers) {
      const type = String(h.message);
      if (commands.has(type)) throw new Error(`two gateways handle the command ${type}`);
      commands.set(type, { callback: h.callback as BoundCommand['callback'], transform });
    }
  }

  override async close(server: WebSocketServer): Promise<void> {
    await this.upgrades.kernel.drain(this.config.shutdownTimeoutMs);
    if (this.upgradeListener) this.app.getHttpServer().off('upgrade', this.upgradeListener);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.wss = null;
  }

  private async handleUpgrade(
    wss: WebSocketServer,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return rejectUpgrade(socket, 400, 'Bad request');
    }
    const { kernel, sockjs, addresses, limits, authn, json, stomp: stompProtocol } = this.upgrades;
    if (url.pathname.startsWith(`${WS_PATH}/`)) return sockjs.handleUpgrade(req, socket, head, url);
    if (url.pathname !== WS_PATH) return rejectUpgrade(socket, 404, 'Not found');
    if (kernel.draining) return rejectUpgrade(socket, 503, 'Server shutting down');
    const ip = addresses.of(req);
    const wait = await limits.connectAttempt(ip);
    if (wait > 0) return rejectUpgrade(socket, 429, 'Too many connection attempts', wait);
    const chosen = selectProtocol(new Set(offeredProtocols(req)));
    const stomp = chosen !== false && stompVersionOf(chosen) !== null;
    const decision = await decideUpgrade(req, url, this.config, authn, { tokenMayFollow: stomp });
    if (!decision.ok)
      return rejectUpgrade(socket, decision.status, decision.message, decision.retryAfterMs);
    // The user channel opened here before the socket exists: the JSON protocol
    // joins it from where it stood, so an event committed while the upgrade
    // completes is replayed rather than missed.
    const hold = decision.user && !stomp ? await kernel.holdUserChannel(decision.user) : undefined;
    let accepted = false;
    try {
      if (socket.destroyed) return;
      // The shutdown may have begun while the token was checked: the drain already
      // took its list of sessions, so this one would never get its 1001.
      if (kernel.draining) return rejectUpgrade(socket, 503, 'Server shutting down');
      // On the JSON protocol the server speaks first: held back until then, the
      // 101 response and `connected` leave in one write (a syscall per connect saved).
      if (!stomp) socket.cork();
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        accepted = true;
        const connection = new WsConnection(
          ws,
          ip,
          this.config.ws.maxBufferedBytes,
          stomp ? null : socket,
        );
        const version = stompVersionOf(ws.protocol);
        if (version) stompProtocol.accept(connection, decision.user, version);
        else json.accept(connection, decision.user, hold);
      });
    } finally {
      // No session took it (refused, or `ws` turned the handshake down).
      if (!accepted) hold?.release();
    }
  }
}
