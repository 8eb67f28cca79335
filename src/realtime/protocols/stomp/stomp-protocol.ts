import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../../../auth/auth.types.js';
import { AuthenticationService, bearerToken } from '../../../auth/authentication.service.js';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { AppException } from '../../../common/app.exception.js';
import type { ErrorFrame } from '../../../common/error-body.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { ROOT_LOGGER, type RootLogger } from '../../../common/logging/logger.module.js';
import type { OutboundEvent } from '../../bus/event-bus.js';
import { userChannel } from '../../channels/channel-name.js';
import { ChannelPolicyRegistry } from '../../channels/channel-policy.registry.js';
import { UserChannelFamilies } from '../../channels/user-channel-families.js';
import { ChannelHub } from '../../hub/channel-hub.js';
import { CommandRunner } from '../../kernel/command-runner.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { CloseCode } from '../../session/close-codes.js';
import type { ReplySlot } from '../../session/reply-order.js';
import type { Subscription } from '../../session/session.js';
import type { Connection } from '../../transports/connection.js';
import { resolveSend, resolveSubscribe } from './destinations.js';
import { isClientCommand, negotiateVersion, StompFrame, type StompVersion } from './stomp-frame.js';
import { AckMode, FollowTag, StompSession, StompSubscription } from './stomp-session.js';
import {
  encodeFrame,
  messageFor,
  prepareMessage,
  PreparedMessage,
  STOMP_HEARTBEAT,
} from './stomp-writer.js';

const SERVER_NAME = 'realtime-backend/1';
const ERRORS_DESTINATION = '/user/queue/errors';
const ACK_MODES: readonly AckMode[] = ['auto', 'client', 'client-individual'];

/** An event's MESSAGE, encoded once for every STOMP subscriber of this node. */
interface Prepared {
  message: PreparedMessage;
  /** The `message-id` of subscriptions in `auto` mode. */
  messageId: string;
  /** For `notification.created`: the notification an ACK acknowledges. */
  notificationId?: string;
}

/** A refusal that ends the session: ERROR, then the close. */
class StompFatal extends Error {
  constructor(
    readonly error: AppException,
    readonly closeCode: number,
    readonly receiptId?: string,
  ) {
    super(error.message);
  }
}

/**
 * STOMP 1.2 (and 1.1, 1.0) on the kernel, for clients written against Spring's
 * brokers. It maps destinations to channels (`destinations.ts`), SUBSCRIBE to
 * the kernel's subscribe (same policies, offsets and resume), SEND to the same
 * module commands as the JSON protocol, and events to MESSAGE frames built once
 * per event. Limits, the idle timeout, token expiry and shutdown are the
 * kernel's; this class holds no channel or policy logic of its own.
 */
@Injectable()
export class StompProtocol implements OnModuleDestroy {
  private readonly sessions = new Set<StompSession>();
  private readonly prepared = new WeakMap<OutboundEvent, Prepared>();
  private ephemeralSeq = 0;
  private beatTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly kernel: SessionKernel,
    private readonly runner: CommandRunner,
    private readonly policies: ChannelPolicyRegistry,
    private readonly families: UserChannelFamilies,
    private readonly hub: ChannelHub,
    private readonly authn: AuthenticationService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleDestroy(): void {
    if (this.beatTimer) clearInterval(this.beatTimer);
  }

  /**
   * A STOMP session on a connection that passed the transport's checks. Over a
   * WebSocket the subprotocol fixed the version; over SockJS the CONNECT frame
   * negotiates it. `first`, for SockJS, is the message that chose STOMP.
   */
  accept(
    connection: Connection,
    user: AuthUser | null,
    version: StompVersion,
    versionFixed = true,
  ): StompSession {
    const session = new StompSession(
      connection,
      user,
      version,
      this.config.ws.maxPayload,
      this,
      versionFixed,
    );
    this.sessions.add(session);
    this.startBeats();
    this.kernel.attach(session);
    return session;
  }

  receive(session: StompSession, data: Buffer | string, _isBinary: boolean): void {
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (bytes > this.config.ws.maxPayload) {
      this.kernel.end(session, CloseCode.TOO_LARGE, 'message too large');
      return;
    }
    const result = session.parser.push(data);
    for (const frame of result.frames) {
      if (session.closing) return;
      // Frames behind a CONNECT wait until it is done (the user is known then),
      // from the moment the CONNECT is read: its admission may take a round trip.
      if (session.queued) session.queued.push(frame);
      else {
        if (!session.connected && (frame.command === 'CONNECT' || frame.command === 'STOMP'))
          session.queued = [];
        this.onFrame(session, frame);
      }
    }
    if (result.error && !session.closing) {
      const tooLarge = result.error.code === 'TOO_LARGE';
      this.fatal(
        session,
        session.reserveReply(),
        new StompFatal(
          new AppException(
            tooLarge ? ErrorCode.TOO_LARGE : ErrorCode.BAD_REQUEST,
            result.error.message,
          ),
          tooLarge ? CloseCode.TOO_LARGE : PROTOCOL_ERROR,
        ),
      );
    }
  }

  /** Ends the session for a reason of the kernel's: ERROR first where the client must know why. */
  end(session: StompSession, code: number, reason: string): void {
    const errorCode =
      code === CloseCode.TOKEN_EXPIRED
        ? ErrorCode.UNAUTHORIZED
        : code === CloseCode.ABUSE
          ? ErrorCode.RATE_LIMITED
          : code === CloseCode.TOO_LARGE
            ? ErrorCode.TOO_LARGE
            : code === CloseCode.SLOW_CONSUMER
              ? ErrorCode.RATE_LIMITED
              : null;
    if (errorCode && session.connection.open)
      session.connection.sendUtf8(this.errorFrame(session, new AppException(errorCode, reason)));
    session.close(code, reason);
  }

  /** An event reached the session through one of its hub subscriptions. */
  deliver(session: StompSession, e: OutboundEvent, sub: Subscription | undefined): void {
    const tag = sub?.tag;
    if (isFollowTag(tag)) {
      this.follow(session, tag, e);
      return;
    }
    const stompSub = tag as StompSubscription | undefined;
    if (!stompSub || !session.subscriptions.has(stompSub.id)) return;
    if (stompSub.eventPrefix !== undefined && !e.event.startsWith(stompSub.eventPrefix)) return;
    const prepared = this.prepare(e);
    const head: [string, string][] = [
      ['subscription', stompSub.id],
      ['destination', stompSub.destination],
    ];
    if (stompSub.ack === 'auto') head.push(['message-id', prepared.messageId]);
    else {
      const ackId = `${stompSub.id}-${++stompSub.ackSeq}`;
      head.push(['message-id', ackId], ['ack', ackId]);
      if (prepared.notificationId !== undefined)
        stompSub.unacked.set(ackId, prepared.notificationId);
    }
    if (stompSub.notRecovered) {
      head.push(['recovered', 'false']);
      stompSub.notRecovered = false;
    }
    session.connection.sendUtf8(messageFor(prepared.message, head, session.version));
  }

  /** A subscription revoked by a membership change. */
  revoked(session: StompSession, sub: Subscription): void {
    const stompSub = sub.tag as StompSubscription | undefined;
    if (!stompSub || isFollowTag(stompSub)) return;
    stompSub.keys.delete(sub.key);
    // A conversation of `/user/queue/messages` just leaves the set; a destination
    // of one channel is over, and the client hears why.
    if (sub.key !== topicKey(stompSub.id)) return;
    session.subscriptions.delete(stompSub.id);
    this.report(session, null, {
      type: 'error',
      code: ErrorCode.FORBIDDEN,
      reason: 'REVOKED',
      message: `Subscription ${stompSub.id} to ${stompSub.destination} was revoked`,
    });
  }

  private onFrame(session: StompSession, frame: StompFrame): void {
    this.metrics.framesIn.inc({
      type: isClientCommand(frame.command) ? `stomp.${frame.command}` : 'other',
    });
    const reply = session.reserveReply();
    const receipt = frame.header('receipt');
    // Every frame counts, CONNECT included (heart-beats are not frames).
    this.kernel.admit(session, (refused) => {
      if (refused) {
        if (refused.abuse || !session.connected) {
          void reply.turn().then(() => {
            this.kernel.end(session, CloseCode.ABUSE, 'rate limit abuse');
            reply.finish();
          });
          return;
        }
        this.report(session, reply, this.runner.describe(session, receipt, refused.error), receipt);
        return;
      }
      this.dispatch(session, frame, reply, receipt);
    });
  }

  /** An admitted frame. */
  private dispatch(
    session: StompSession,
    frame: StompFrame,
    reply: ReplySlot<Buffer>,
    receipt: string | undefined,
  ): void {
    if (!session.connected) {
      if (frame.command === 'CONNECT' || frame.command === 'STOMP') {
        session.queued ??= [];
        this.run(session, reply, receipt, async () => {
          try {
            await this.connect(session, frame, reply);
          } finally {
            const queued = session.queued ?? [];
            session.queued = null;
            for (const next of queued) if (!session.closing) this.onFrame(session, next);
          }
        });
        return;
      }
      this.fatal(
        session,
        reply,
        new StompFatal(AppException.badRequest('CONNECT expected'), PROTOCOL_ERROR),
      );
      return;
    }
    switch (frame.command) {
      case 'SUBSCRIBE':
        this.run(session, reply, receipt, () => this.subscribe(session, frame, reply));
        return;
      case 'UNSUBSCRIBE':
        this.run(session, reply, receipt, () => this.unsubscribe(session, frame, reply));
        return;
      case 'SEND':
        this.send(session, frame, reply);
        return;
      case 'ACK':
      case 'NACK':
        this.ack(session, frame, reply, frame.command === 'ACK');
        return;
      case 'DISCONNECT':
        void reply.turn().then(() => {
          if (receipt !== undefined)
            reply.send(this.encode(session, 'RECEIPT', { 'receipt-id': receipt }));
          reply.finish();
          session.close(CloseCode.NORMAL, 'disconnected');
        });
        return;
      case 'CONNECT':
      case 'STOMP':
        this.fatal(
          session,
          reply,
          new StompFatal(AppException.badRequest('Already connected'), PROTOCOL_ERROR, receipt),
        );
        return;
      default:
        this.fatal(
          session,
          reply,
          new StompFatal(
            AppException.badRequest(
              frame.command === 'BEGIN' || frame.command === 'COMMIT' || frame.command === 'ABORT'
                ? 'Transactions are not supported'
                : `Unknown command: ${frame.command.slice(0, 40)}`,
            ),
            PROTOCOL_ERROR,
            receipt,
          ),
        );
    }
  }

  /** Runs a frame handler; a thrown refusal is ERROR and close (CONNECT, SUBSCRIBE). */
  private run(
    session: StompSession,
    reply: ReplySlot<Buffer>,
    receipt: string | undefined,
    work: () => Promise<void>,
  ): void {
    work().then(
      () => reply.finish(),
      (err: unknown) => {
        const fatal =
          err instanceof StompFatal
            ? err
            : new StompFatal(
                err instanceof AppException ? err : internal(err),
                closeCodeOf(err),
                receipt,
              );
        if (!(err instanceof AppException) && !(err instanceof StompFatal))
          this.runner.describe(session, receipt, err);
        this.fatal(session, reply, fatal);
      },
    );
  }

  private async connect(
    session: StompSession,
    frame: StompFrame,
    reply: ReplySlot<Buffer>,
  ): Promise<void> {
    session.connected = true;
    if (!session.versionFixed) {
      const version = negotiateVersion(frame.header('accept-version'));
      if (!version)
        throw new StompFatal(
          AppException.badRequest('Supported protocol versions are 1.2, 1.1, 1.0'),
          PROTOCOL_ERROR,
        );
      session.version = version;
      session.parser.setVersion(version);
    }
    if (!session.user) {
      const token =
        bearerToken(frame.header('Authorization') ?? frame.header('authorization')) ??
        frame.header('passcode');
      if (token !== undefined) {
        try {
          session.user = await this.authn.authenticate(token);
        } catch (err) {
          throw new StompFatal(
            err instanceof AppException && err.code === ErrorCode.UNAUTHORIZED
              ? AppException.unauthorized('Invalid or expired token')
              : internal(err),
            err instanceof AppException ? CloseCode.TOKEN_EXPIRED : SERVER_ERROR,
          );
        }
      } else if (!this.config.ws.allowAnonymous)
        throw new StompFatal(
          AppException.unauthorized('A token is required'),
          CloseCode.TOKEN_EXPIRED,
        );
    }
    const [clientSends, clientWants] = parseHeartBeat(frame.header('heart-beat'));
    const ours = this.config.ws.heartbeatMs;
    session.outgoingBeatMs = clientWants === 0 ? 0 : Math.max(ours, clientWants);
    session.incomingBeatMs = clientSends === 0 ? 0 : Math.max(ours, clientSends);
    await this.kernel.open(
      session,
      () => {
        const user = session.user;
        reply.send(
          encodeFrame(
            'CONNECTED',
            {
              version: session.version,
              'heart-beat': `${ours},${ours}`,
              session: session.id,
              server: SERVER_NAME,
              ...(user ? { 'user-name': user.id } : {}),
            },
            undefined,
            session.version,
          ),
        );
        session.lastBeatAt = Date.now();
      },
      { userChannel: false },
    );
  }

  private async subscribe(
    session: StompSession,
    frame: StompFrame,
    reply: ReplySlot<Buffer>,
  ): Promise<void> {
    const receipt = frame.header('receipt');
    const destination = frame.header('destination');
    const id = frame.header('id') ?? (session.version === '1.0' ? destination : undefined);
    if (!destination || !id)
      throw new StompFatal(
        AppException.badRequest('SUBSCRIBE needs destination and id headers'),
        PROTOCOL_ERROR,
        receipt,
      );
    if (session.subscriptions.has(id))
      throw new StompFatal(
        AppException.badRequest(`Subscription id ${id} is already in use`),
        PROTOCOL_ERROR,
        receipt,
      );
    const ack = (frame.header('ack') ?? 'auto') as AckMode;
    if (!ACK_MODES.includes(ack))
      throw new StompFatal(
        AppException.badRequest(`Unknown ack mode: ${ack}`),
        PROTOCOL_ERROR,
        receipt,
      );
    const since = parseSince(frame.header('since'), receipt);
    let target;
    try {
      target = resolveSubscribe(destination, session.user);
    } catch (err) {
      throw new StompFatal(err as AppException, POLICY_VIOLATION, receipt);
    }
    const stompSub: StompSubscription = {
      id,
      destination,
      ack,
      eventPrefix: target.kind === 'errors' ? undefined : target.eventPrefix,
      keys: new Set(),
      notRecovered: false,
      unacked: new Map(),
      ackSeq: 0,
    };
    session.subscriptions.set(id, stompSub);
    const receiptFrame = (recovered?: boolean): Buffer =>
      this.encode(session, 'RECEIPT', {
        'receipt-id': receipt,
        ...(recovered === false ? { recovered: 'false' } : {}),
      });
    try {
      if (target.kind === 'errors') {
        session.errors = stompSub;
      } else if (target.kind === 'channel') {
        const channel = await this.policies.authorize(session.user, target.channel);
        const key = topicKey(id);
        stompSub.keys.add(key);
        await this.hub.join(session, channel, since, {
          key,
          tag: stompSub,
          turn: () => reply.turn(),
          reply: (r) => {
            if (since !== undefined && r.recovered === false) stompSub.notRecovered = true;
            if (receipt !== undefined) reply.send(receiptFrame(r.recovered));
          },
        });
        return;
      } else {
        await this.followFamily(session, stompSub, target.family, target.eventPrefix);
      }
    } catch (err) {
      this.dropSubscription(session, stompSub);
      throw new StompFatal(
        err instanceof AppException ? err : internal(err),
        err instanceof AppException ? POLICY_VIOLATION : SERVER_ERROR,
        receipt,
      );
    }
    await reply.turn();
    if (receipt !== undefined) reply.send(receiptFrame());
  }

  /**
   * `/user/queue/messages`: every channel of the family the user takes part in
   * now, and, through the user's own channel, the ones joined later.
   */
  private async followFamily(
    session: StompSession,
    stompSub: StompSubscription,
    name: string,
    eventPrefix: string,
  ): Promise<void> {
    const family = this.families.get(name);
    const user = session.user;
    if (!family || !user)
      throw AppException.notFound(`Unknown destination: ${stompSub.destination}`);
    const followKey = `${topicKey(stompSub.id)}:follow`;
    stompSub.keys.add(followKey);
    const tag: FollowTag = { follows: stompSub, family: name, eventPrefix };
    // Following first: a channel joined while the list is read is not missed.
    await this.hub.join(session, userChannel(user.id), undefined, {
      key: followKey,
      tag,
      userChannelReady: false,
    });
    for (const channel of await family.list(user.id))
      await this.joinMember(session, stompSub, channel, undefined);
  }

  private async joinMember(
    session: StompSession,
    stompSub: StompSubscription,
    channel: string,
    since: number | undefined,
  ): Promise<void> {
    const key = `${topicKey(stompSub.id)}:${channel}`;
    if (stompSub.keys.has(key)) return;
    stompSub.keys.add(key);
    await this.hub.join(session, channel, since, { key, tag: stompSub });
  }

  /** An event of the user's own channel for a family follower: a channel joined or left. */
  private follow(session: StompSession, tag: FollowTag, e: OutboundEvent): void {
    const user = session.user;
    const family = this.families.get(tag.family);
    if (!user || !family || !session.subscriptions.has(tag.follows.id)) return;
    const data = (JSON.parse(e.frame) as { data: unknown }).data;
    const change = family.change(e.event, data, user.id);
    if (!change) return;
    if ('left' in change) {
      const key = `${topicKey(tag.follows.id)}:${change.left}`;
      tag.follows.keys.delete(key);
      this.hub.leave(session, key);
      return;
    }
    this.policies
      .authorize(user, change.joined)
      .then((channel) => this.joinMember(session, tag.follows, channel, change.since))
      .catch((err: unknown) =>
        this.logger.warn({ err, sessionId: session.id }, 'could not follow a joined channel'),
      );
  }

  private async unsubscribe(
    session: StompSession,
    frame: StompFrame,
    reply: ReplySlot<Buffer>,
  ): Promise<void> {
    const id = frame.header('id') ?? frame.header('destination');
    const stompSub = id === undefined ? undefined : session.subscriptions.get(id);
    if (stompSub) this.dropSubscription(session, stompSub);
    await reply.turn();
    const receipt = frame.header('receipt');
    if (receipt !== undefined)
      reply.send(this.encode(session, 'RECEIPT', { 'receipt-id': receipt }));
  }

  private dropSubscription(session: StompSession, stompSub: StompSubscription): void {
    session.subscriptions.delete(stompSub.id);
    if (session.errors === stompSub) session.errors = null;
    for (const key of stompSub.keys) this.hub.leave(session, key);
    stompSub.keys.clear();
  }

  /** SEND: a module command with the body as its data; RECEIPT once it committed. */
  private send(session: StompSession, frame: StompFrame, reply: ReplySlot<Buffer>): void {
    const receipt = frame.header('receipt');
    let command: string;
    let data: Record<string, unknown>;
    try {
      const target = resolveSend(frame.header('destination') ?? '');
      if (target.command === null) {
        // `/app/heartbeat`: whatever the body, nothing to run.
        if (receipt !== undefined)
          reply.send(this.encode(session, 'RECEIPT', { 'receipt-id': receipt }));
        reply.finish();
        return;
      }
      command = target.command;
      data = { ...parseBody(frame), ...target.pathData };
    } catch (err) {
      this.report(session, reply, this.runner.describe(session, receipt, err), receipt);
      return;
    }
    if (!this.runner.has(command)) {
      this.report(
        session,
        reply,
        this.runner.describe(
          session,
          receipt,
          new AppException(ErrorCode.UNKNOWN_TYPE, `Unknown command: ${command}`),
        ),
        receipt,
      );
      return;
    }
    this.runner.run(session, command, data, receipt, frame.body.length, {
      ack: () => {
        if (receipt !== undefined)
          reply.send(this.encode(session, 'RECEIPT', { 'receipt-id': receipt }));
        reply.finish();
      },
      error: (errorFrame) => this.report(session, reply, errorFrame, receipt),
    });
  }

  /**
   * ACK of a `notification.created` MESSAGE acknowledges that notification (in
   * `client` mode, cumulatively, every earlier one of the subscription too);
   * other ACKs and NACKs change nothing.
   */
  private ack(
    session: StompSession,
    frame: StompFrame,
    reply: ReplySlot<Buffer>,
    ack: boolean,
  ): void {
    const receipt = frame.header('receipt');
    const ackId = session.version === '1.2' ? frame.header('id') : frame.header('message-id');
    const done = (): void => {
      if (receipt !== undefined)
        reply.send(this.encode(session, 'RECEIPT', { 'receipt-id': receipt }));
      reply.finish();
    };
    const notificationIds: string[] = [];
    for (const stompSub of session.subscriptions.values()) {
      if (ackId === undefined || !stompSub.unacked.has(ackId)) continue;
      for (const [id, notificationId] of [...stompSub.unacked]) {
        const isTarget = id === ackId;
        if (isTarget || stompSub.ack === 'client') {
          stompSub.unacked.delete(id);
          notificationIds.push(notificationId);
        }
        if (isTarget) break;
      }
    }
    if (!ack || notificationIds.length === 0) {
      done();
      return;
    }
    this.runner.run(session, 'notification.ack', { ids: notificationIds }, receipt, 0, {
      ack: done,
      error: (errorFrame) => this.report(session, reply, errorFrame, receipt),
    });
  }

  /**
   * A refused command keeps the connection open: its error goes to
   * `/user/queue/errors` when subscribed, with no RECEIPT. `reply` null: not
   * the answer to a frame (a revocation).
   */
  private report(
    session: StompSession,
    reply: ReplySlot<Buffer> | null,
    error: ErrorFrame,
    receipt?: string,
  ): void {
    const errors = session.errors;
    if (errors) {
      const body = JSON.stringify(error);
      const frame = this.encode(
        session,
        'MESSAGE',
        {
          subscription: errors.id,
          destination: ERRORS_DESTINATION,
          'message-id': `${errors.id}-${++errors.ackSeq}`,
          'content-type': 'application/json',
          code: error.code,
          ...(receipt !== undefined ? { 'receipt-id': receipt } : {}),
        },
        body,
      );
      if (reply) reply.send(frame);
      else session.connection.sendUtf8(frame);
    }
    reply?.finish();
  }

  /** ERROR (in its place in the reply order), then the close. */
  private fatal(session: StompSession, reply: ReplySlot<Buffer>, fatal: StompFatal): void {
    session.closing = true;
    void reply.turn().then(() => {
      session.connection.sendUtf8(this.errorFrame(session, fatal.error, fatal.receiptId));
      this.metrics.closes.inc({ code: String(fatal.closeCode) });
      session.close(fatal.closeCode, fatal.error.message.slice(0, 120));
      reply.finish();
    });
  }

  private errorFrame(session: StompSession, error: AppException, receiptId?: string): Buffer {
    return this.encode(
      session,
      'ERROR',
      {
        message: error.message.slice(0, 200),
        code: error.code,
        ...(error.reason !== undefined ? { reason: error.reason } : {}),
        ...(receiptId !== undefined ? { 'receipt-id': receiptId } : {}),
        'content-type': 'text/plain',
      },
      error.message,
    );
  }

  private encode(
    session: StompSession,
    command: string,
    headers: Record<string, string | undefined>,
    body?: string,
  ): Buffer {
    return encodeFrame(command, headers, body, session.version);
  }

  /** The event's MESSAGE, headers and body encoded once per event on this node. */
  private prepare(e: OutboundEvent): Prepared {
    const cached = this.prepared.get(e);
    if (cached) return cached;
    const data = (JSON.parse(e.frame) as { data: unknown }).data;
    const messageId =
      e.offset !== undefined ? `${e.channel}@${e.offset}` : `${e.channel}@~${++this.ephemeralSeq}`;
    const prepared: Prepared = {
      messageId,
      message: prepareMessage({
        headers: {
          'content-type': 'application/json',
          event: e.event,
          channel: e.channel,
          offset: e.offset,
        },
        body: JSON.stringify(data ?? null),
      }),
      notificationId: e.event === 'notification.created' ? notificationIdOf(data) : undefined,
    };
    this.prepared.set(e, prepared);
    return prepared;
  }

  /** One sweep for every STOMP session: beats that are due, and peers that stopped beating. */
  private startBeats(): void {
    if (this.beatTimer) return;
    const every = Math.max(50, Math.min(1000, Math.floor(this.config.ws.heartbeatMs / 4)));
    this.beatTimer = setInterval(() => {
      const now = Date.now();
      for (const s of this.sessions) {
        if (s.closed) {
          this.sessions.delete(s);
          continue;
        }
        if (s.outgoingBeatMs > 0 && now - s.lastBeatAt >= s.outgoingBeatMs) {
          s.lastBeatAt = now;
          s.connection.sendText(STOMP_HEARTBEAT);
        }
        // Twice the agreed period without a byte: the peer is gone.
        if (s.incomingBeatMs > 0 && now - s.lastActivity > 2 * s.incomingBeatMs)
          this.kernel.end(s, CloseCode.IDLE, 'no heart-beat from the client');
      }
    }, every);
    this.beatTimer.unref();
  }
}

/** STOMP's own close codes beside the contract's (protocol error, policy, server failure). */
const PROTOCOL_ERROR = 1002;
const POLICY_VIOLATION = 1008;
const SERVER_ERROR = 1011;

function topicKey(subscriptionId: string): string {
  return `stomp:${subscriptionId}`;
}

function isFollowTag(tag: unknown): tag is FollowTag {
  return typeof tag === 'object' && tag !== null && 'follows' in tag;
}

function closeCodeOf(err: unknown): number {
  if (!(err instanceof AppException)) return SERVER_ERROR;
  return err.code === ErrorCode.UNAUTHORIZED ? CloseCode.TOKEN_EXPIRED : POLICY_VIOLATION;
}

/** What the client hears of an unexpected failure (the cause is logged with a trace id). */
function internal(_err: unknown): AppException {
  return new AppException(ErrorCode.INTERNAL, 'Internal server error');
}

/** `heart-beat: cx,cy` (missing: 0,0, no beats). */
function parseHeartBeat(value: string | undefined): [number, number] {
  if (value === undefined) return [0, 0];
  const m = /^\s*(\d{1,9})\s*,\s*(\d{1,9})\s*$/.exec(value);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function parseSince(value: string | undefined, receipt: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw new StompFatal(
      AppException.badRequest('since must be a non-negative integer offset'),
      PROTOCOL_ERROR,
      receipt,
    );
  return Number(value);
}

/** A SEND body: JSON (an object), or nothing. */
function parseBody(frame: StompFrame): Record<string, unknown> {
  if (frame.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(frame.bodyText());
  } catch {
    throw AppException.badRequest('The body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw AppException.badRequest('The body must be a JSON object');
  return value as Record<string, unknown>;
}

function notificationIdOf(data: unknown): string | undefined {
  const id = (data as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}
