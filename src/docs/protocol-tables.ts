import { readProtocol } from './asyncapi.reader.js';
import { isJsonObject, type JsonObject, type JsonValue, refName } from './json-schema.js';

/** The guide for client authors, whose command and event tables are generated. */
export const PROTOCOL_GUIDE_PATH = 'docs/protocol.md';

/**
 * The tables of docs/protocol.md that list the modules' commands and events,
 * from the AsyncAPI document: written by `npm run generate:protocol-docs`
 * between markers, and compared with it by a test, so the guide cannot drift
 * from the code.
 */
export function renderProtocolTables(doc: JsonObject): Record<'commands' | 'events', string> {
  const protocol = readProtocol(doc);
  const fieldsOf = (schema: JsonValue | undefined): string => {
    const name = refName(schema);
    const target = name === undefined ? schema : protocol.schemas[name];
    if (!isJsonObject(target) || !isJsonObject(target.properties)) return '';
    const required = new Set(Array.isArray(target.required) ? target.required : []);
    return Object.keys(target.properties)
      .map((field) => `\`${field}${required.has(field) ? '' : '?'}\``)
      .join(', ');
  };
  const className = (schema: JsonValue | undefined): string => {
    const name = refName(schema);
    return name === undefined ? '' : `\`${name}\``;
  };

  const commands = [
    '| command | `data` | ack `data` | what it does |',
    '| --- | --- | --- | --- |',
    ...protocol.commands.map((c) =>
      row([
        `\`${c.name}\``,
        c.data === undefined ? '(none)' : fieldsOf(c.data),
        className(c.result),
        c.summary + (c.roles.length > 0 ? ` (role: ${c.roles.join(' or ')})` : ''),
      ]),
    ),
  ].join('\n');

  const events = [
    '| event | channels | `data` | kept | what happened |',
    '| --- | --- | --- | --- | --- |',
    ...protocol.events.map((e) =>
      row([
        `\`${e.name}\``,
        e.channels.map((c) => `\`${c}\``).join(', '),
        className(e.data),
        e.ephemeral ? 'ephemeral' : 'offset',
        e.summary,
      ]),
    ),
  ].join('\n');

  return { commands, events };
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}

/**
 * Replaces the text between `<!-- generated:NAME -->` and
 * `<!-- end generated:NAME -->` (markers kept). Throws when they are missing.
 */
export function spliceGenerated(markdown: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- end generated:${name} -->`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers of "${name}" not found`);
  return `${markdown.slice(0, from + start.length)}\n\n${content}\n\n${markdown.slice(to)}`;
}
