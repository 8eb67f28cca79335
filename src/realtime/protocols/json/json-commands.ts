import { Injectable } from '@nestjs/common';
import { AuthenticationService } from '../../../auth/authentication.service.js';
import { AppException } from '../../../common/app.exception.js';
import { parseChannelName, userChannel } from '../../channels/channel-name.js';
import { ChannelPolicyRegistry } from '../../channels/channel-policy.registry.js';
import { ClusterStats } from '../../cluster/cluster-stats.js';
import { ChannelHub } from '../../hub/channel-hub.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { ConnectionRegistry } from '../../session/connection-registry.js';
import type { ReplySlot } from '../../session/reply-order.js';
import type { SocketSession } from '../../session/socket-session.js';
import { ClientFrame, subscribedFrame } from './frames.js';

/**
 * A frame of the protocol's own (not a module command). It answers through
 * `reply`, its place in the session's reply order; the caller finishes the slot
 * (and answers a thrown error) when the returned promise settles.
 */
export type OwnFrame = (
  session: SocketSession,
  frame: ClientFrame,
  reply: ReplySlot,
) => Promise<void> | void;

/** The JSON protocol's own frames (ping, auth, subscribe, …), apart from module commands. */
@Injectable()
export class JsonCommands {
  readonly handlers: ReadonlyMap<string, OwnFrame>;

  constructor(
    private readonly authn: AuthenticationService,
    private readonly policies: ChannelPolicyRegistry,
    private readonly hub: ChannelHub,
    private readonly registry: ConnectionRegistry,
    private readonly cluster: ClusterStats,
    private readonly kernel: SessionKernel,
  ) {
    this.handlers = new Map<string, OwnFrame>([
      ['ping', (_s, f, reply) => reply.send({ type: 'pong', ...idOf(f), ts: Date.now() })],
      ['auth', (s, f, reply) => this.auth(s, f, reply)],
      ['subscribe', (s, f, reply) => inOrder(s, f, () => this.subscribe(s, f, reply))],
      ['unsubscribe', (s, f, reply) => inOrder(s, f, () => this.unsubscribe(s, f, reply))],
      [
        'list_channels',
        (s, f, reply) =>
          reply.send({
            type: 'channels',
            ...idOf(f),
            subscribed: [...s.subs.keys()],
            patterns: this.policies.prefixes(),
          }),
      ],
      ['stats', (s, f, reply) => this.stats(s, f, reply)],
    ]);
  }

  private async auth(session: SocketSession, frame: ClientFrame, reply: ReplySlot): Promise<void> {
    if (typeof frame.token !== 'string' || frame.token.length === 0) {
      throw AppException.badRequest('token is required', [
        { field: 'token', errors: ['token must be a non-empty string'] },
      ]);
    }
    const user = await this.authn.authenticate(frame.token);
    if (session.user && session.user.id !== user.id)
      throw AppException.forbidden('The token belongs to another user');
    const wasAnonymous = session.user === null;
    session.user = user;
    if (wasAnonymous) {
      await this.registry.opened(session);
      await this.hub.join(session, userChannel(user.id), undefined);
    }
    this.kernel.reauthenticated(session);
    reply.send({ type: 'authenticated', ...idOf(frame), exp: user.exp });
  }

  private async subscribe(
    session: SocketSession,
    frame: ClientFrame,
    reply: ReplySlot,
  ): Promise<void> {
    if (typeof frame.channel !== 'string') {
      throw AppException.badRequest('channel is required', [
        { field: 'channel', errors: ['channel must be a string'] },
      ]);
    }
    const since = frame.since;
    if (
      since !== undefined &&
      (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0)
    ) {
      throw AppException.badRequest('since must be a non-negative integer offset', [
        { field: 'since', errors: ['invalid offset'] },
      ]);
    }
    const channel = await this.policies.authorize(session.user, frame.channel);
    // The replayed events follow `subscribed`: both wait until the replies to the
    // frames before this one have gone out.
    await this.hub.join(session, channel, since, {
      reply: (r) => reply.send(subscribedFrame(channel, r, frame.id)),
      turn: () => reply.turn(),
    });
  }

  private unsubscribe(session: SocketSession, frame: ClientFrame, reply: ReplySlot): void {
    if (typeof frame.channel !== 'string') {
      throw AppException.badRequest('channel is required', [
        { field: 'channel', errors: ['channel must be a string'] },
      ]);
    }
    // Subscriptions are held under the canonical name (a UUID id in lower case).
    const channel = parseChannelName(frame.channel)?.channel ?? frame.channel;
    this.hub.leave(session, channel);
    reply.send({ type: 'unsubscribed', ...idOf(frame), channel });
  }

  private async stats(session: SocketSession, frame: ClientFrame, reply: ReplySlot): Promise<void> {
    if (!session.user) throw AppException.unauthorized();
    if (session.user.role !== 'admin') throw AppException.forbidden('stats is for admins');
    reply.send({ type: 'stats', ...idOf(frame), ...(await this.cluster.snapshot()) });
  }
}

/**
 * Frames are handled concurrently, but a subscribe and an unsubscribe of one
 * channel take effect in the order the client sent them (a subscribe checks
 * access first, so an unsubscribe right behind it would otherwise run first).
 */
function inOrder(
  session: SocketSession,
  frame: ClientFrame,
  op: () => Promise<void> | void,
): Promise<void> {
  const key = parseChannelName(frame.channel)?.channel ?? String(frame.channel);
  const ops = (session.channelOps ??= new Map());
  const run = (ops.get(key) ?? Promise.resolve()).then(op);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  ops.set(key, settled);
  void settled.then(() => {
    if (ops.get(key) === settled) ops.delete(key);
  });
  return run;
}

export function idOf(frame: { id?: string }): { id?: string } {
  return frame.id === undefined ? {} : { id: frame.id };
}
