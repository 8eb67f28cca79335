import { isJsonObject, type JsonObject, type JsonValue } from './json-schema.js';

/**
 * Reads the protocol back out of an AsyncAPI document built by buildAsyncApi,
 * by its AsyncAPI meaning (events are `event` frames sent on channels;
 * commands are received operations whose reply is an `ack` frame), for the
 * generated client types and the tables of docs/protocol.md.
 */

export interface EventDoc {
  readonly name: string;
  readonly summary: string;
  /** The schema of the event's `data`. */
  readonly data: JsonValue;
  readonly ephemeral: boolean;
  /** Channel patterns it is published on. */
  readonly channels: string[];
}

export interface CommandDoc {
  readonly name: string;
  readonly summary: string;
  /** The schema of the command's `data`; undefined when it takes none. */
  readonly data: JsonValue | undefined;
  /** The schema of its ack's `data`. */
  readonly result: JsonValue;
  readonly roles: string[];
  readonly maxDataBytes: number | undefined;
}

export interface ChannelDoc {
  readonly key: string;
  readonly address: string;
  readonly stompDestination: string | undefined;
}

export interface ProtocolDoc {
  readonly schemas: JsonObject;
  readonly events: EventDoc[];
  readonly commands: CommandDoc[];
  readonly channels: ChannelDoc[];
  readonly errorCodes: string[];
}

export function readProtocol(doc: JsonObject): ProtocolDoc {
  const at = (ref: string): JsonObject => resolve(doc, ref);
  const deref = (value: JsonValue): JsonObject => {
    const obj = object(value, 'a reference or an object');
    return typeof obj.$ref === 'string' ? deref(at(obj.$ref)) : obj;
  };
  const frame = (message: JsonObject): { type: unknown; props: JsonObject } => {
    const props = object(object(message.payload, 'payload').properties, 'payload properties');
    return { type: isJsonObject(props.type) ? props.type.const : undefined, props };
  };

  const channels: ChannelDoc[] = [];
  const eventChannels = new Map<string, string[]>();
  for (const [key, value] of Object.entries(object(doc.channels, 'channels'))) {
    const channel = object(value, key);
    if (typeof channel.address !== 'string') continue;
    channels.push({
      key,
      address: channel.address,
      stompDestination:
        typeof channel['x-stomp-destination'] === 'string'
          ? channel['x-stomp-destination']
          : undefined,
    });
    for (const message of Object.values(object(channel.messages ?? {}, 'messages'))) {
      const name = frame(deref(message)).props.event;
      const event = isJsonObject(name) && typeof name.const === 'string' ? name.const : undefined;
      if (event === undefined) continue;
      eventChannels.set(event, [...(eventChannels.get(event) ?? []), channel.address]);
    }
  }

  const events: EventDoc[] = [];
  let errorCodes: string[] = [];
  for (const value of Object.values(
    object(object(doc.components, 'components').messages, 'messages'),
  )) {
    const message = object(value, 'message');
    const { type, props } = frame(message);
    if (type === 'error' && isJsonObject(props.code) && Array.isArray(props.code.enum))
      errorCodes = props.code.enum.filter((c): c is string => typeof c === 'string');
    if (type !== 'event' || !isJsonObject(props.event) || typeof props.event.const !== 'string')
      continue;
    const name = props.event.const;
    events.push({
      name,
      summary: text(message.summary),
      data: props.data ?? {},
      ephemeral: message['x-ephemeral'] === true,
      channels: eventChannels.get(name) ?? [],
    });
  }

  const commands: CommandDoc[] = [];
  for (const value of Object.values(object(doc.operations, 'operations'))) {
    const operation = object(value, 'operation');
    if (operation.action !== 'receive' || !isJsonObject(operation.reply)) continue;
    const replies = Array.isArray(operation.reply.messages) ? operation.reply.messages : [];
    const ack = replies.map(deref).find((m) => frame(m).type === 'ack');
    const requests = Array.isArray(operation.messages) ? operation.messages : [];
    if (ack === undefined || requests.length !== 1) continue;
    const request = deref(requests[0]);
    const { type, props } = frame(request);
    if (typeof type !== 'string') continue;
    const roles = request['x-roles'];
    const maxDataBytes = request['x-max-data-bytes'];
    commands.push({
      name: type,
      summary: text(request.summary),
      data: props.data,
      result: frame(ack).props.data ?? {},
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
      maxDataBytes: typeof maxDataBytes === 'number' ? maxDataBytes : undefined,
    });
  }

  const byName = <T extends { name: string }>(a: T, b: T): number => compare(a.name, b.name);
  return {
    schemas: object(object(doc.components, 'components').schemas ?? {}, 'schemas'),
    events: events.sort(byName),
    commands: commands.sort(byName),
    channels: channels.sort((a, b) => compare(a.address, b.address)),
    errorCodes,
  };
}

/** Code-point order: the same on every machine, whatever its locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A local JSON pointer (`#/components/messages/x`). */
function resolve(doc: JsonObject, ref: string): JsonObject {
  if (!ref.startsWith('#/')) throw new Error(`only local references are read: ${ref}`);
  let node: JsonValue = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isJsonObject(node) || node[key] === undefined) throw new Error(`${ref} does not resolve`);
    node = node[key];
  }
  return object(node, ref);
}

function object(value: JsonValue | undefined, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}
