import { compare, readProtocol } from './asyncapi.reader.js';
import { isJsonObject, type JsonObject, type JsonValue, refName } from './json-schema.js';

/** Where the generated file lives, from the repository's root. */
export const CLIENT_TYPES_PATH = 'client/src/generated/protocol.ts';

const HEADER = `// Generated from the server's AsyncAPI document (GET /docs/asyncapi) by
// \`npm run generate:client-types\`: do not edit. Its sources are the server's
// view and DTO classes, the event declarations (src/<module>/<module>.events.ts)
// and the gateways' commands; a test fails when this file falls behind them.
`;

/**
 * The TypeScript of the protocol for the client package: an interface per
 * schema, `EventMap` (event → data), `CommandMap` (command → data and ack
 * result), the channel patterns and the error codes. Not formatted: the
 * script and the test run it through Prettier.
 */
export function renderClientTypes(doc: JsonObject): string {
  const protocol = readProtocol(doc);
  const out: string[] = [HEADER];

  for (const name of Object.keys(protocol.schemas).sort(compare)) {
    const schema = protocol.schemas[name];
    if (!isJsonObject(schema)) throw new Error(`schema ${name} is not an object`);
    const declaration = isPlainObject(schema)
      ? `export interface ${name} ${objectType(schema, '')}`
      : `export type ${name} = ${typeOf(schema, '')};`;
    out.push(`${docComment(schema.description, '')}${declaration}\n`);
  }

  out.push('/** Every event: its name → the type of its `data`. */');
  out.push('export interface EventMap {');
  for (const e of protocol.events) {
    out.push(`${docComment(e.summary, '  ')}  ${JSON.stringify(e.name)}: ${typeOf(e.data, '  ')};`);
  }
  out.push('}\n');

  out.push("/** Every command: its name → the type of its `data` and of its ack's `data`. */");
  out.push('export interface CommandMap {');
  for (const c of protocol.commands) {
    const data = c.data === undefined ? 'Record<string, never>' : typeOf(c.data, '    ');
    const result = typeOf(c.result, '    ');
    out.push(
      `${docComment(c.summary, '  ')}  ${JSON.stringify(c.name)}: { data: ${data}; result: ${result} };`,
    );
  }
  out.push('}\n');

  out.push('export type EventName = keyof EventMap;');
  out.push('export type CommandName = keyof CommandMap;\n');

  out.push('/** The channels events arrive on, by prefix: `{…}` stands for an id. */');
  out.push('export const CHANNEL_PATTERNS = {');
  for (const c of protocol.channels) out.push(`  ${key(c.key)}: ${JSON.stringify(c.address)},`);
  out.push('} as const;\n');

  out.push('/** A channel name (`chat:${string}` for `chat:{conversationId}`). */');
  out.push(
    `export type ChannelName = ${union(protocol.channels.map((c) => channelType(c.address)))};\n`,
  );

  out.push('/** The channels each event is published on. */');
  out.push('export interface EventChannels {');
  for (const e of protocol.events)
    out.push(`  ${JSON.stringify(e.name)}: ${union(e.channels.map(channelType))};`);
  out.push('}\n');

  out.push('/** Events that carry no offset and are not kept: they cannot be replayed. */');
  out.push(
    `export const EPHEMERAL_EVENTS = [${protocol.events
      .filter((e) => e.ephemeral)
      .map((e) => JSON.stringify(e.name))
      .join(', ')}] as const satisfies readonly EventName[];\n`,
  );

  out.push('/** The `code` of an `error` frame. */');
  out.push(`export type ErrorCode = ${union(protocol.errorCodes.map((c) => JSON.stringify(c)))};`);
  return out.join('\n');
}

/** `chat:{conversationId}` → `` `chat:${string}` ``; `presence` → `'presence'`. */
function channelType(pattern: string): string {
  if (!pattern.includes('{')) return JSON.stringify(pattern);
  return '`' + pattern.replace(/\{\w+\}/g, '${string}') + '`';
}

function union(types: readonly string[]): string {
  const unique = [...new Set(types)];
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

/** An object schema with nothing but properties: an interface rather than a type. */
function isPlainObject(schema: JsonObject): boolean {
  return (
    schema.type === 'object' &&
    isJsonObject(schema.properties) &&
    !['allOf', 'oneOf', 'anyOf', '$ref', 'additionalProperties'].some((k) => k in schema)
  );
}

/** The TypeScript type of a JSON schema (what buildAsyncApi writes, not all of JSON Schema). */
function typeOf(schema: JsonValue | undefined, indent: string): string {
  if (!isJsonObject(schema)) return 'unknown';
  const ref = refName(schema);
  if (ref !== undefined) return ref;
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  if (Array.isArray(schema.oneOf)) return union(schema.oneOf.map((s) => typeOf(s, indent)));
  if (Array.isArray(schema.anyOf)) return union(schema.anyOf.map((s) => typeOf(s, indent)));
  if (Array.isArray(schema.allOf))
    return schema.allOf.map((s) => parenthesised(typeOf(s, indent))).join(' & ');
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return union(types.map((t) => typeOfType(t, schema, indent)));
}

function typeOfType(type: JsonValue | undefined, schema: JsonObject, indent: string): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${parenthesised(typeOf(schema.items, indent))}[]`;
    case 'object':
      if (isJsonObject(schema.properties)) return objectType(schema, indent);
      if (isJsonObject(schema.additionalProperties))
        return `Record<string, ${typeOf(schema.additionalProperties, indent)}>`;
      return 'Record<string, unknown>';
    default:
      return 'unknown';
  }
}

function objectType(schema: JsonObject, indent: string): string {
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [],
  );
  const inner = `${indent}  `;
  const lines = Object.entries(properties).map(([name, prop]) => {
    const description = isJsonObject(prop) ? prop.description : undefined;
    const optional = required.has(name) ? '' : '?';
    return `${docComment(description, inner)}${inner}${key(name)}${optional}: ${typeOf(prop, inner)};`;
  });
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n${indent}}`;
}

function parenthesised(type: string): string {
  return /^[\w.<>[\], ]+$/.test(type) || type.startsWith('{') ? type : `(${type})`;
}

function literal(value: JsonValue | undefined): string {
  return value === undefined ? 'unknown' : JSON.stringify(value);
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** A JSDoc line of a description (with a line break after it), or nothing. */
function docComment(description: JsonValue | undefined, indent: string): string {
  if (typeof description !== 'string' || description.length === 0) return '';
  return `${indent}/** ${description.replaceAll('*/', '*\\/').replaceAll('\n', ' ')} */\n`;
}
