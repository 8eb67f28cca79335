import type { Type } from '@nestjs/common';
import {
  STOMP_SUBPROTOCOLS,
  RT_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
} from '../realtime/transports/handshake.js';
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  reachableSchemas,
  schemaRef,
  toJsonSchema,
} from './json-schema.js';
import type { CommandEntry, EventEntry } from './protocol-catalogue.js';
import {
  ackFrameSchema,
  closeCodes,
  commandFrameSchema,
  CONNECTED_FRAME,
  ERROR_CODE_DESCRIPTIONS,
  ERROR_REPLY,
  eventFrameSchema,
  type KernelFrame,
  kernelExchanges,
  ROOM_DIALECT,
} from './protocol-frames.js';

/** What the document is built from: the app's catalogue and its classes' OpenAPI schemas. */
export interface ProtocolSources {
  readonly events: readonly EventEntry[];
  readonly commands: readonly CommandEntry[];
  /** `components.schemas` of the OpenAPI document, which holds every class of the catalogue. */
  readonly openApiSchemas: JsonObject;
  /** This server's limits (`x-limits`), as configured. */
  readonly limits: JsonObject;
}

/** Where clients connect: the document names the server that serves it. */
export interface ServerAddress {
  readonly host: string;
  readonly secure: boolean;
}

export const SOCKET_CHANNEL = 'socket';
const SOCKET = { $ref: `#/channels/${SOCKET_CHANNEL}` };

/** Message keys: one namespace per kind, since `chat.read` is both a command and an event. */
export const messageKey = {
  client: (type: string): string => `client.${type}`,
  server: (type: string): string => `server.${type}`,
  command: (name: string): string => `command.${name}`,
  ack: (name: string): string => `ack.${name}`,
  event: (name: string): string => `event.${name}`,
};

/** `chat:{conversationId}` → `chat`; `presence` → `presence`: the channel's key in the document. */
export function channelKey(pattern: string): string {
  return pattern.split(':')[0];
}

/** `chat:{conversationId}` → `/topic/chat/{conversationId}`: the STOMP destination of the channel. */
export function stompTopic(pattern: string): string {
  return `/topic/${pattern.replace(':', '/')}`;
}

/**
 * The AsyncAPI 3.0 document of the socket protocol, from the server's point of
 * view: it receives the client's frames and replies (operations with a
 * `reply`), and sends `connected` and the events of each channel. Message
 * payloads are whole frames; their `data` refers to the classes' schemas.
 */
export function buildAsyncApi(sources: ProtocolSources, server: ServerAddress): JsonObject {
  const messages: Record<string, JsonObject> = {};
  const socketMessages: string[] = [];
  const operations: Record<string, JsonObject> = {};
  const addMessage = (key: string, message: JsonObject, onSocket: boolean): void => {
    if (messages[key] !== undefined) throw new Error(`two messages are keyed ${key}`);
    messages[key] = message;
    if (onSocket) socketMessages.push(key);
  };
  const addOperation = (key: string, operation: JsonObject): void => {
    if (operations[key] !== undefined) throw new Error(`two operations are keyed ${key}`);
    operations[key] = operation;
  };
  const ref = (cls: Type<object>): JsonObject => {
    if (sources.openApiSchemas[cls.name] === undefined)
      throw new Error(`no schema for ${cls.name}: is it in the OpenAPI extraModels?`);
    return schemaRef(cls.name);
  };

  // The kernel's own frames.
  addMessage(messageKey.server('error'), frameMessage(ERROR_REPLY), true);
  for (const exchange of kernelExchanges()) {
    const requestKey = messageKey.client(exchange.type);
    addMessage(requestKey, frameMessage(exchange.request), true);
    const requests = [requestKey];
    if (exchange.type === 'subscribe' || exchange.type === 'unsubscribe') {
      const action = exchange.type === 'subscribe' ? 'joinRoom' : 'leaveRoom';
      addMessage(messageKey.client(action), roomMessage(action), true);
      requests.push(messageKey.client(action));
    }
    const replies = exchange.replies.map((reply) => {
      addMessage(messageKey.server(reply.key), frameMessage(reply), true);
      return messageKey.server(reply.key);
    });
    addOperation(exchange.type, {
      action: 'receive',
      channel: SOCKET,
      title: exchange.type,
      summary: exchange.request.description,
      messages: requests.map(socketMessage),
      reply: replyTo([...replies, messageKey.server('error')]),
    });
  }
  addMessage(messageKey.server('connected'), frameMessage(CONNECTED_FRAME), true);
  addOperation('connected', {
    action: 'send',
    channel: SOCKET,
    title: 'connected',
    summary: CONNECTED_FRAME.description,
    messages: [socketMessage(messageKey.server('connected'))],
  });
  addOperation('revoked', {
    action: 'send',
    channel: SOCKET,
    title: 'revoked',
    summary:
      'A subscription ended by the server (the user lost access): `unsubscribed` with `reason: "revoked"`',
    messages: [socketMessage(messageKey.server('unsubscribed'))],
  });

  // The modules' commands: a frame in, an ack (or an error) out.
  for (const command of sources.commands) {
    const data = command.data === null ? null : command.data ? ref(command.data) : {};
    const summary = command.ack?.description ?? 'Not documented: the handler has no @Acks';
    addMessage(
      messageKey.command(command.name),
      {
        name: command.name,
        title: command.name,
        summary,
        correlationId: { $ref: '#/components/correlationIds/frameId' },
        payload: commandFrameSchema(command.name, data),
        ...(command.maxDataBytes !== undefined ? { 'x-max-data-bytes': command.maxDataBytes } : {}),
        ...(command.roles !== undefined ? { 'x-roles': [...command.roles] } : {}),
      },
      true,
    );
    addMessage(
      messageKey.ack(command.name),
      {
        name: 'ack',
        title: `${command.name} ack`,
        summary: `The answer to ${command.name}`,
        correlationId: { $ref: '#/components/correlationIds/frameId' },
        payload: ackFrameSchema(command.ack ? ref(command.ack.view) : {}),
      },
      true,
    );
    addOperation(command.name, {
      action: 'receive',
      channel: SOCKET,
      title: command.name,
      summary,
      messages: [socketMessage(messageKey.command(command.name))],
      reply: replyTo([messageKey.ack(command.name), messageKey.server('error')]),
    });
  }

  // The channels and the events each carries.
  const channels: Record<string, JsonObject> = {};
  const channelEvents = new Map<string, { pattern: string; events: EventEntry[] }>();
  for (const event of sources.events) {
    addMessage(
      messageKey.event(event.name),
      {
        name: event.name,
        title: event.name,
        summary: event.description,
        payload: eventFrameSchema(event.name, ref(event.payload), event.ephemeral),
        'x-module': event.module,
        'x-ephemeral': event.ephemeral,
      },
      false,
    );
    for (const pattern of event.channels) {
      const key = channelKey(pattern);
      const entry = channelEvents.get(key) ?? { pattern, events: [] };
      if (entry.pattern !== pattern)
        throw new Error(`channel ${key} is declared as ${entry.pattern} and as ${pattern}`);
      entry.events.push(event);
      channelEvents.set(key, entry);
    }
  }
  for (const [key, { pattern, events }] of [...channelEvents].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (key === SOCKET_CHANNEL) throw new Error(`a channel may not be called ${SOCKET_CHANNEL}`);
    channels[key] = {
      address: pattern,
      title: pattern,
      description: `Subscribe with \`{"type":"subscribe","channel":"${pattern}"}\` (STOMP: \`${stompTopic(pattern)}\`).`,
      ...parametersOf(pattern),
      messages: Object.fromEntries(
        events.map((e) => [
          messageKey.event(e.name),
          { $ref: `#/components/messages/${messageKey.event(e.name)}` },
        ]),
      ),
      'x-stomp-destination': stompTopic(pattern),
    };
    addOperation(`events.${key}`, {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      title: `events of ${pattern}`,
      summary: `The events published on ${pattern}, to its subscribers`,
      messages: events.map((e) => ({
        $ref: `#/channels/${key}/messages/${messageKey.event(e.name)}`,
      })),
    });
  }

  const payloads: JsonValue[] = Object.values(messages).map((m) => m.payload);
  const schemas = Object.fromEntries(
    reachableSchemas(payloads, sources.openApiSchemas).map((name) => {
      const schema = sources.openApiSchemas[name];
      if (!isJsonObject(schema)) throw new Error(`schema ${name} is not an object`);
      return [name, toJsonSchema(schema)];
    }),
  );

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Real-time backend: the socket protocol',
      version: '1',
      description: INFO_DESCRIPTION,
      'x-limits': sources.limits,
    },
    defaultContentType: 'application/json',
    servers: {
      socket: {
        host: server.host,
        protocol: server.secure ? 'wss' : 'ws',
        pathname: '/ws',
        title: 'The socket',
        description: SERVER_DESCRIPTION,
        security: SECURITY_SCHEMES.map((name) => ({
          $ref: `#/components/securitySchemes/${name}`,
        })),
        'x-subprotocols': [RT_PROTOCOL, ...STOMP_SUBPROTOCOLS],
        'x-close-codes': closeCodes(),
        'x-error-codes': { ...ERROR_CODE_DESCRIPTIONS },
      },
    },
    channels: {
      [SOCKET_CHANNEL]: {
        address: null,
        title: 'The socket itself',
        description:
          'Frames that belong to no channel: the kernel frames, the module commands and their replies. Every reply carries the `id` of the frame it answers, and replies leave in the order their frames arrived.',
        messages: Object.fromEntries(
          socketMessages.map((key) => [key, { $ref: `#/components/messages/${key}` }]),
        ),
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: { token: { type: 'string', description: 'An access token (JWT)' } },
            },
            bindingVersion: '0.1.0',
          },
        },
      },
      ...channels,
    },
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        queryToken: {
          type: 'httpApiKey',
          in: 'query',
          name: 'token',
          description: 'The access token in the query string: `/ws?token=<JWT>`',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token in an `Authorization: Bearer <JWT>` header',
        },
        subprotocolToken: {
          type: 'httpApiKey',
          in: 'header',
          name: 'Sec-WebSocket-Protocol',
          description: `For browsers, which cannot set headers: offer the subprotocol \`${TOKEN_PROTOCOL_PREFIX}<JWT>\` (beside \`${RT_PROTOCOL}\`)`,
        },
      },
      correlationIds: {
        frameId: {
          description: 'The `id` a client gave its frame comes back in every reply to it',
          location: '$message.payload#/id',
        },
      },
    },
  };
}

const SECURITY_SCHEMES = ['queryToken', 'bearer', 'subprotocolToken'];

const INFO_DESCRIPTION = [
  'One WebSocket at `/ws` carries every module: JSON text frames (`rt.v1`), or STOMP 1.0-1.2 when the client offers `v12.stomp`, `v11.stomp` or `v10.stomp`.',
  '',
  'A client sends frames `{"type": …, "id"?: …}`: the kernel frames (`ping`, `auth`, `subscribe`, `unsubscribe`, `list_channels`, `stats`) and the module commands (`<module>.<action>` with `data`), each answered by a reply carrying the same `id` (an `ack` with the resulting entity, or an `error`). The server sends `connected` first, then `event` frames for the channels the socket subscribed to; persisted events carry their channel `offset`, so that `subscribe` with `since` resumes without loss or duplicates.',
  '',
  'The guide for client authors is `docs/protocol.md` in the repository of this server.',
].join('\n');

const SERVER_DESCRIPTION = [
  'The access token comes, first found wins, from `?token=`, an `Authorization: Bearer` header, or an offered subprotocol `token-<JWT>`. An invalid token refuses the upgrade (HTTP 401); no token at all opens an anonymous socket (public channels only) unless the server requires one.',
  '',
  'Close codes are listed in `x-close-codes`; the codes of `error` frames in `x-error-codes`.',
].join('\n');

function frameMessage(frame: KernelFrame): JsonObject {
  const answers = isJsonObject(frame.payload.properties) && 'id' in frame.payload.properties;
  return {
    name: frame.title,
    title: frame.title,
    summary: frame.description,
    ...(answers ? { correlationId: { $ref: '#/components/correlationIds/frameId' } } : {}),
    payload: frame.payload,
  };
}

function roomMessage(action: 'joinRoom' | 'leaveRoom'): JsonObject {
  return {
    name: action,
    title: `system.${action}`,
    summary: `The room-server dialect of \`${action === 'joinRoom' ? 'subscribe' : 'unsubscribe'}\`: \`roomName\` is the channel`,
    correlationId: { $ref: '#/components/correlationIds/frameId' },
    payload: ROOM_DIALECT[action],
  };
}

function socketMessage(key: string): JsonObject {
  return { $ref: `#/channels/${SOCKET_CHANNEL}/messages/${key}` };
}

function replyTo(keys: readonly string[]): JsonObject {
  return { channel: SOCKET, messages: keys.map(socketMessage) };
}

/** `chat:{conversationId}` → `{parameters: {conversationId: …}}`. */
function parametersOf(pattern: string): JsonObject {
  const names = [...pattern.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (names.length === 0) return {};
  return {
    parameters: Object.fromEntries(
      names.map((name) => [name, { description: `The ${name} of the channel` }]),
    ),
  };
}
