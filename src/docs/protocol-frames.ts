import { ErrorCode } from '../common/error-codes.js';
import { MAX_FRAME_ID_LENGTH } from '../realtime/protocols/json/frames.js';
import { CloseCode } from '../realtime/session/close-codes.js';
import type { JsonObject } from './json-schema.js';

/**
 * The kernel's own frames of the JSON protocol (rt.v1), its error codes and its
 * close codes, for the AsyncAPI document. The module commands and events are
 * not here: they are read from the code at run time (ProtocolCatalogue).
 * Limits and codes come from the constants the kernel uses; the records below
 * are keyed by them, so a new code without a description does not compile.
 */

export const ERROR_CODE_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'Malformed JSON, or data that failed validation: `details` lists the fields',
  UNAUTHORIZED: 'No valid token: a command from an anonymous socket, a bad `auth` token',
  FORBIDDEN: 'Signed in, but not allowed (not a participant, not an admin, a stale membership)',
  NOT_FOUND: 'No such channel prefix, or no such entity',
  CONFLICT: 'A write with a stale `version`: `details.current` holds the current entity',
  RATE_LIMITED: 'Over the frame budget: retry after `retryAfterMs`',
  TOO_LARGE: "The command's `data` is over its limit (16 KiB by default)",
  UNKNOWN_TYPE: 'No frame or command of that `type`',
  INTERNAL: 'A server fault: `traceId` identifies it in the server logs',
};

export const CLOSE_CODE_DESCRIPTIONS: Readonly<Record<keyof typeof CloseCode, string>> = {
  NORMAL: 'Normal closure',
  GOING_AWAY: 'The server is shutting down: reconnect (maybe to another node) and resume',
  UNSUPPORTED_DATA: 'A binary frame was sent: the protocol is JSON text',
  TOO_LARGE: 'A frame over the maximum frame size (`WS_MAX_PAYLOAD`, 64 KiB by default)',
  TOKEN_EXPIRED:
    'The access token expired and no `auth` frame renewed it (SockJS: the token in the URL was refused)',
  IDLE: 'No frame from the client for the idle timeout (`WS_IDLE_TIMEOUT_MS`, 5 minutes)',
  ABUSE: 'Repeated rate-limit refusals within one window',
  SLOW_CONSUMER:
    'The client stopped reading: its unsent frames passed `WS_MAX_BUFFERED_BYTES` (1 MiB by default); reconnect and resume with `since`',
};

/** `{code: description}` of every close code, for the document. */
export function closeCodes(): JsonObject {
  return Object.fromEntries(
    (Object.keys(CloseCode) as (keyof typeof CloseCode)[]).map((name) => [
      String(CloseCode[name]),
      `${name}: ${CLOSE_CODE_DESCRIPTIONS[name]}`,
    ]),
  );
}

const FRAME_ID: JsonObject = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_FRAME_ID_LENGTH,
  description: 'Chosen by the client; every reply to the frame carries it back',
};

const CHANNEL: JsonObject = {
  type: 'string',
  examples: ['chat:0b7e6a52-3f0e-4c36-9d38-4a1f25b8c2d4', 'presence'],
};

const OFFSET: JsonObject = { type: 'integer', minimum: 0 };

/** A frame's schema: `type` is the constant that tells frames apart. */
export function frameSchema(
  type: string,
  properties: JsonObject,
  required: readonly string[],
  opts: { id?: boolean } = {},
): JsonObject {
  return {
    type: 'object',
    properties: {
      type: { type: 'string', const: type },
      ...(opts.id === false ? {} : { id: FRAME_ID }),
      ...properties,
    },
    required: ['type', ...required],
  };
}

export const ERROR_FRAME: JsonObject = frameSchema(
  'error',
  {
    code: { type: 'string', enum: Object.values(ErrorCode) },
    reason: {
      type: 'string',
      description: "The module's own sub-code of the refusal (stable, e.g. `NOT_PARTICIPANT`)",
    },
    message: { type: 'string' },
    details: { description: 'BAD_REQUEST: the fields; CONFLICT: `{current}`' },
    retryAfterMs: { type: 'integer', minimum: 0, description: 'RATE_LIMITED only' },
    traceId: { type: 'string', description: 'INTERNAL only' },
  },
  ['code', 'message'],
);

/** One kernel frame: its message key suffix, what it is, its schema. */
export interface KernelFrame {
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly payload: JsonObject;
}

/** A client frame of the kernel and the frames that answer it. */
export interface KernelExchange {
  /** The frame type, also the operation's name. */
  readonly type: string;
  readonly request: KernelFrame;
  readonly replies: readonly KernelFrame[];
}

export function kernelExchanges(): KernelExchange[] {
  return [
    {
      type: 'ping',
      request: {
        key: 'ping',
        title: 'ping',
        description:
          'Keeps the connection alive: send one every `heartbeatMs` (it counts against the rate limit too)',
        payload: frameSchema('ping', {}, []),
      },
      replies: [
        {
          key: 'pong',
          title: 'pong',
          description: 'The answer to `ping`, with the server time',
          payload: frameSchema(
            'pong',
            { ts: { type: 'integer', description: 'Server time, ms since the epoch' } },
            ['ts'],
          ),
        },
      ],
    },
    {
      type: 'auth',
      request: {
        key: 'auth',
        title: 'auth',
        description:
          'Renews the access token of a live socket before it expires (or signs in an anonymous socket); the token must be the same user',
        payload: frameSchema('auth', { token: { type: 'string', minLength: 1 } }, ['token']),
      },
      replies: [
        {
          key: 'authenticated',
          title: 'authenticated',
          description: 'The token was accepted; the socket now expires at `exp`',
          payload: frameSchema(
            'authenticated',
            {
              exp: { type: 'integer', description: "The token's expiry, seconds since the epoch" },
            },
            ['exp'],
          ),
        },
      ],
    },
    {
      type: 'subscribe',
      request: {
        key: 'subscribe',
        title: 'subscribe',
        description:
          'Subscribes to a channel; with `since`, every event after that offset is replayed first, in order, exactly once',
        payload: frameSchema(
          'subscribe',
          {
            channel: CHANNEL,
            since: { ...OFFSET, description: 'The last offset the client saw on this channel' },
          },
          ['channel'],
        ),
      },
      replies: [
        {
          key: 'subscribed',
          title: 'subscribed',
          description:
            'The subscription is live. `recovered: false` (only with `since`): the gap was beyond the retained history: reload over REST',
          payload: frameSchema(
            'subscribed',
            {
              channel: CHANNEL,
              offset: { ...OFFSET, description: "The channel's latest offset (0 when none)" },
              recovered: { type: 'boolean' },
            },
            ['channel', 'offset'],
          ),
        },
      ],
    },
    {
      type: 'unsubscribe',
      request: {
        key: 'unsubscribe',
        title: 'unsubscribe',
        description: 'Ends a subscription (answered even when there was none)',
        payload: frameSchema('unsubscribe', { channel: CHANNEL }, ['channel']),
      },
      replies: [
        {
          key: 'unsubscribed',
          title: 'unsubscribed',
          description:
            'The subscription ended. Also sent unprompted, with `reason: "revoked"` and no `id`, when the user lost access to the channel',
          payload: frameSchema(
            'unsubscribed',
            { channel: CHANNEL, reason: { type: 'string', enum: ['revoked'] } },
            ['channel'],
          ),
        },
      ],
    },
    {
      type: 'list_channels',
      request: {
        key: 'list_channels',
        title: 'list_channels',
        description: "Lists this socket's subscriptions and the channel prefixes the server knows",
        payload: frameSchema('list_channels', {}, []),
      },
      replies: [
        {
          key: 'channels',
          title: 'channels',
          description: 'The subscriptions of this socket, and the known channel prefixes',
          payload: frameSchema(
            'channels',
            {
              subscribed: { type: 'array', items: { type: 'string' } },
              patterns: { type: 'array', items: { type: 'string' } },
            },
            ['subscribed', 'patterns'],
          ),
        },
      ],
    },
    {
      type: 'stats',
      request: {
        key: 'stats',
        title: 'stats',
        description: 'Connection figures of every node (admins only)',
        payload: frameSchema('stats', {}, []),
      },
      replies: [
        {
          key: 'stats',
          title: 'stats',
          description: "Totals of every live node, and this node's own figures",
          payload: frameSchema(
            'stats',
            {
              connections: { type: 'integer' },
              users: { type: 'integer' },
              channels: { type: 'integer' },
              subscriptions: { type: 'integer' },
              nodes: { type: 'integer' },
              node: { type: 'object' },
            },
            ['connections', 'users', 'channels', 'subscriptions', 'nodes', 'node'],
          ),
        },
      ],
    },
  ];
}

/** The first frame on every socket. */
export const CONNECTED_FRAME: KernelFrame = {
  key: 'connected',
  title: 'connected',
  description:
    'The first frame on every socket: who the server thinks you are (null: anonymous) and how often to `ping`',
  payload: frameSchema(
    'connected',
    {
      connectionId: { type: 'string' },
      user: {
        oneOf: [
          {
            type: 'object',
            properties: {
              id: { type: 'string', format: 'uuid' },
              displayName: { type: 'string' },
              role: { type: 'string', enum: ['user', 'admin'] },
            },
            required: ['id', 'displayName', 'role'],
          },
          { type: 'null' },
        ],
      },
      heartbeatMs: { type: 'integer', description: 'Send a `ping` at least this often' },
    },
    ['connectionId', 'user', 'heartbeatMs'],
    { id: false },
  ),
};

/** The `error` frame: the reply to any refused frame. */
export const ERROR_REPLY: KernelFrame = {
  key: 'error',
  title: 'error',
  description:
    'The reply to a refused frame (the socket stays open). `id` is that of the frame, when it had one',
  payload: ERROR_FRAME,
};

/** The `{type, action, data}` frames of room-based servers, read as the frames above. */
export const ROOM_DIALECT = {
  joinRoom: frameSchema(
    'system',
    {
      action: { type: 'string', const: 'joinRoom' },
      data: {
        type: 'object',
        properties: { roomName: CHANNEL, since: OFFSET },
        required: ['roomName'],
      },
    },
    ['action', 'data'],
  ),
  leaveRoom: frameSchema(
    'system',
    {
      action: { type: 'string', const: 'leaveRoom' },
      data: { type: 'object', properties: { roomName: CHANNEL }, required: ['roomName'] },
    },
    ['action', 'data'],
  ),
};

/** The data of a command or ack frame; `data` refers to the class's schema. */
export function commandFrameSchema(command: string, data: JsonObject | null): JsonObject {
  return frameSchema(command, data === null ? {} : { data }, data === null ? [] : ['data']);
}

export function ackFrameSchema(data: JsonObject): JsonObject {
  return frameSchema('ack', { data }, ['data']);
}

/** An `event` frame of one event: ephemeral events never carry an offset. */
export function eventFrameSchema(event: string, data: JsonObject, ephemeral: boolean): JsonObject {
  return frameSchema(
    'event',
    {
      channel: CHANNEL,
      ...(ephemeral
        ? {}
        : {
            offset: {
              ...OFFSET,
              description:
                "The event's place in its channel (1, 2, 3, …); absent when state is re-sent (notifications not yet acknowledged, at connect)",
            },
          }),
      event: { type: 'string', const: event },
      data,
      ts: { type: 'string', format: 'date-time' },
    },
    ['channel', 'event', 'data', 'ts'],
    { id: false },
  );
}
