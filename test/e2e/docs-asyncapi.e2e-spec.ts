import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { load } from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';
import { WebSocket } from 'ws';
import { channelKey, messageKey, SOCKET_CHANNEL } from '../../src/docs/asyncapi.builder.js';
import { CLIENT_TYPES_PATH, renderClientTypes } from '../../src/docs/client-types.js';
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  refName,
} from '../../src/docs/json-schema.js';
import {
  PROTOCOL_GUIDE_PATH,
  renderProtocolTables,
  spliceGenerated,
} from '../../src/docs/protocol-tables.js';
import { CommandRunner } from '../../src/realtime/kernel/command-runner.js';
import { JsonCommands } from '../../src/realtime/protocols/json/json-commands.js';
import { resolveSubscribe } from '../../src/realtime/protocols/stomp/destinations.js';
import { expectEventually } from '../helpers/eventually.js';
import { startTestApp, TestApp } from '../helpers/test-app.js';

const ROOT = process.cwd();
const SAMPLE_ID = '0b7e6a52-3f0e-4c36-9d38-4a1f25b8c2d4';

/** Every `defineEvents` declaration exported by a `src/**\/*.events.ts`, by event name. */
async function eventsOfTheSourceFiles(): Promise<
  Map<string, { file: string; payload: string; channels: string[]; ephemeral: boolean }>
> {
  const src = path.join(ROOT, 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.events.ts'))
    .map((f) => path.join(src, f));
  const found = new Map<
    string,
    { file: string; payload: string; channels: string[]; ephemeral: boolean }
  >();
  for (const file of files) {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (!isEventSpecs(value)) continue;
      for (const [name, spec] of Object.entries(value))
        found.set(name, {
          file: path.relative(ROOT, file),
          payload: spec.payload.name,
          channels: [...spec.channels],
          ephemeral: spec.ephemeral === true,
        });
    }
  }
  return found;
}

interface SpecShape {
  channels: readonly string[];
  payload: { name: string };
  ephemeral?: boolean;
}

function isEventSpecs(value: unknown): value is Record<string, SpecShape> {
  if (!isJsonObjectLike(value)) return false;
  const specs = Object.values(value);
  return (
    specs.length > 0 &&
    specs.every(
      (s) =>
        isJsonObjectLike(s) &&
        Array.isArray(s.channels) &&
        typeof s.payload === 'function' &&
        typeof s.description === 'string',
    )
  );
}

function isJsonObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(value: JsonValue | undefined, ...keys: string[]): JsonValue | undefined {
  let node = value;
  for (const key of keys)
    node = Array.isArray(node) ? node[Number(key)] : isJsonObject(node) ? node[key] : undefined;
  return node;
}

function object(value: JsonValue | undefined): JsonObject {
  if (!isJsonObject(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value;
}

/** The target of a local `$ref` (which may be a reference itself). */
function deref(doc: JsonObject, value: JsonValue | undefined): JsonObject {
  const ref = get(value, '$ref');
  if (typeof ref !== 'string') return object(value);
  return deref(doc, get(doc, ...ref.slice(2).split('/')));
}

async function formatted(relative: string, text: string): Promise<string> {
  const file = path.join(ROOT, relative);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

describe('the AsyncAPI document of the socket protocol', () => {
  let t: TestApp;
  let doc: JsonObject;
  let yaml: { contentType: string | null; text: string };
  let openApi: JsonObject;

  // Every document is fetched up front: the parser and the compiler below keep
  // the event loop busy for seconds, long enough for a kept-alive connection to
  // be closed under a later request.
  beforeAll(async () => {
    t = await startTestApp();
    const res = await fetch(`${t.baseUrl}/docs/asyncapi`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = object((await res.json()) as JsonValue);
    const yamlRes = await fetch(`${t.baseUrl}/docs/asyncapi.yaml`);
    expect(yamlRes.status).toBe(200);
    yaml = { contentType: yamlRes.headers.get('content-type'), text: await yamlRes.text() };
    openApi = object((await (await fetch(`${t.baseUrl}/docs-json`)).json()) as JsonValue);
  });

  afterAll(async () => {
    await t.close();
  });

  it(`runs the walkthrough of ${PROTOCOL_GUIDE_PATH}: its browser snippet prints a message sent over REST`, async () => {
    const guide = readFileSync(path.join(ROOT, PROTOCOL_GUIDE_PATH), 'utf8');
    const code = /<!-- This snippet is run by [^>]*-->\s*```js\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(code).toBeDefined();
    // The curl commands of the walkthrough, over fetch.
    const api = `${t.baseUrl}/api`;
    const post = async (route: string, body: object, token?: string): Promise<JsonObject> => {
      const res = await fetch(`${api}${route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
      return object((await res.json()) as JsonValue);
    };
    const register = (name: string): Promise<JsonObject> =>
      post('/auth/register', {
        email: `${name}-${Date.now()}@example.com`,
        password: 'correct-horse-battery',
        displayName: name,
      });
    const alice = await register('alice');
    const bob = await register('bob');
    const aliceToken = String(alice.accessToken);
    const conversation = await post(
      '/conversations',
      { participantIds: [get(bob, 'user', 'id')] },
      aliceToken,
    );

    const source = code!
      .replace("'<Bob’s access token>'", JSON.stringify(bob.accessToken))
      .replace("'chat:<conversation id>'", JSON.stringify(`chat:${String(conversation.id)}`))
      .replace('ws://localhost:3000/ws', `ws://127.0.0.1:${t.port}/ws`);
    expect(source).not.toMatch(/<[^>]*>|localhost/);
    const printed: unknown[][] = [];
    const run = new Function('WebSocket', 'console', `${source}\nreturn ws;`) as (
      webSocket: typeof WebSocket,
      console: { log: (...args: unknown[]) => void },
    ) => WebSocket;
    const ws = run(WebSocket, { log: (...args) => printed.push(args) });
    try {
      await expectEventually(() =>
        expect(printed).toContainEqual(['subscribed', expect.objectContaining({ offset: 0 })]),
      );
      await post(
        `/conversations/${String(conversation.id)}/messages`,
        { content: 'Hello, Bob' },
        aliceToken,
      );
      await expectEventually(() =>
        expect(printed).toContainEqual([
          'chat.message.created',
          expect.objectContaining({ content: 'Hello, Bob', editedAt: null }),
        ]),
      );
    } finally {
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await closed;
    }
    expect(printed.at(-1)?.[0]).toBe('closed');
  });

  it('is served without a token and is valid AsyncAPI 3.0', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.path.join('/')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(doc.asyncapi).toBe('3.0.0');
    const counts = {
      channels: document!.allChannels().length,
      operations: document!.allOperations().length,
      messages: document!.allMessages().length,
      schemas: Object.keys(object(get(doc, 'components', 'schemas'))).length,
      diagnostics: diagnostics.map((d) => `${DiagnosticSeverity[d.severity]} ${String(d.code)}`),
    };
    console.log(`AsyncAPI document: ${JSON.stringify(counts)}`);
    expect(counts.channels).toBeGreaterThan(1);
    // The document names the server it came from, so its address can be used as is.
    expect(get(doc, 'servers', 'socket', 'host')).toBe(`127.0.0.1:${t.port}`);
    expect(get(doc, 'servers', 'socket', 'pathname')).toBe('/ws');
  });

  it('is served as YAML too, the same document', async () => {
    expect(yaml.contentType).toMatch(/^text\/yaml/);
    expect(load(yaml.text)).toEqual(doc);
    const { diagnostics } = await new Parser().parse(yaml.text);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
  });

  it('lists every event of every *.events.ts, on its channels, with its payload schema', async () => {
    const declared = await eventsOfTheSourceFiles();
    expect(new Set([...declared.values()].map((e) => e.file)).size).toBeGreaterThanOrEqual(6);
    const messages = object(get(doc, 'components', 'messages'));
    const schemas = object(get(doc, 'components', 'schemas'));
    const documented = Object.values(messages)
      .map((m) => get(m, 'payload', 'properties', 'event', 'const'))
      .filter((name): name is string => typeof name === 'string');
    expect(documented.sort()).toEqual([...declared.keys()].sort());
    for (const [name, spec] of declared) {
      const message = object(messages[messageKey.event(name)]);
      const data = get(message, 'payload', 'properties', 'data');
      expect(`${name}: ${refName(data)}`).toBe(`${name}: ${spec.payload}`);
      expect(Object.keys(object(get(schemas, spec.payload, 'properties'))).length).toBeGreaterThan(
        0,
      );
      expect(message['x-ephemeral']).toBe(spec.ephemeral);
      for (const pattern of spec.channels) {
        const channel = object(get(doc, 'channels', channelKey(pattern)));
        expect(channel.address).toBe(pattern);
        expect(Object.keys(object(channel.messages))).toContain(messageKey.event(name));
      }
    }
  });

  it('lists every command of the command table, with its data and ack schemas', () => {
    const table = [...t.app.get(CommandRunner).commands.keys()].sort();
    expect(table.length).toBeGreaterThan(0);
    const schemas = object(get(doc, 'components', 'schemas'));
    const typeOf = (message: JsonValue): JsonValue | undefined =>
      get(message, 'payload', 'properties', 'type', 'const');
    // A command is an operation the server receives and answers with an `ack`.
    const commands = Object.entries(object(doc.operations)).flatMap(([key, operation]) => {
      const replies = get(operation, 'reply', 'messages');
      const ack = Array.isArray(replies)
        ? replies.map((r) => deref(doc, r)).find((r) => typeOf(r) === 'ack')
        : undefined;
      if (get(operation, 'action') !== 'receive' || ack === undefined) return [];
      const request = deref(doc, get(operation, 'messages', '0'));
      return [{ key, name: typeOf(request), request, ack, replies: replies as JsonValue[] }];
    });
    expect(commands.map((c) => c.name).sort()).toEqual(table);
    for (const { key, name, request, ack, replies } of commands) {
      expect(key).toBe(name);
      const data = get(request, 'payload', 'properties', 'data');
      const result = get(ack, 'payload', 'properties', 'data');
      // Data or an ack without a class, or a class without Swagger metadata, fails here.
      for (const [what, schema] of [
        ['data', data],
        ['ack', result],
      ] as const) {
        if (what === 'data' && data === undefined) continue; // a command that takes no data
        const named = refName(schema) ?? '(no class)';
        const properties = get(schemas, named, 'properties');
        const fields = isJsonObject(properties) ? Object.keys(properties).length : 0;
        expect({ command: name, what, schema: named, fields }).toEqual({
          command: name,
          what,
          schema: expect.stringMatching(/^\w+$/),
          fields: expect.any(Number),
        });
        expect(`${named}: ${fields} fields`).not.toMatch(/: 0 fields$/);
      }
      expect(replies.map((r) => typeOf(deref(doc, r)))).toContain('error');
    }
  });

  it("documents the kernel's own frames, the error frame and the close codes", () => {
    const socket = object(get(doc, 'channels', SOCKET_CHANNEL, 'messages'));
    for (const type of t.app.get(JsonCommands).handlers.keys()) {
      expect(Object.keys(socket)).toContain(messageKey.client(type));
      expect(get(doc, 'operations', type, 'action')).toBe('receive');
    }
    expect(Object.keys(socket)).toEqual(
      expect.arrayContaining(['server.connected', 'server.error', 'server.unsubscribed']),
    );
    const codes = get(
      doc,
      'components',
      'messages',
      'server.error',
      'payload',
      'properties',
      'code',
    );
    expect(get(codes, 'enum')).toEqual(
      expect.arrayContaining(['BAD_REQUEST', 'RATE_LIMITED', 'TOO_LARGE', 'INTERNAL']),
    );
    expect(Object.keys(object(get(doc, 'servers', 'socket', 'x-close-codes')))).toEqual(
      expect.arrayContaining(['1000', '1001', '1003', '1009', '4401', '4408', '4429']),
    );
  });

  it('gives each channel a STOMP destination that resolves to it', () => {
    const channels = Object.entries(object(doc.channels)).filter(([key]) => key !== SOCKET_CHANNEL);
    expect(channels.length).toBeGreaterThan(0);
    for (const [, channel] of channels) {
      const address = String(get(channel, 'address'));
      const destination = String(get(channel, 'x-stomp-destination'));
      const sample = (s: string): string => s.replace(/\{\w+\}/g, SAMPLE_ID);
      expect(resolveSubscribe(sample(destination), null)).toEqual({
        kind: 'channel',
        channel: sample(address),
      });
    }
  });

  it('has schemas that say what the values are (no `format` on a non-string)', () => {
    const wrong: string[] = [];
    const visit = (value: JsonValue, where: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${where}/${i}`));
      if (!isJsonObject(value)) return;
      if (typeof value.format === 'string') {
        const types = Array.isArray(value.type) ? value.type : [value.type];
        if (!types.includes('string')) wrong.push(`${where}: ${JSON.stringify(value)}`);
      }
      for (const [k, v] of Object.entries(value)) visit(v, `${where}/${k}`);
    };
    visit(object(get(doc, 'components', 'schemas')), 'schemas');
    expect(wrong).toEqual([]);
  });

  it("reuses the OpenAPI document's schemas (the classes are its extraModels)", async () => {
    const rest = Object.keys(object(get(openApi, 'components', 'schemas')));
    expect(rest).toEqual(
      expect.arrayContaining(Object.keys(object(get(doc, 'components', 'schemas')))),
    );
  });

  it(`keeps ${CLIENT_TYPES_PATH} generated from it (npm run generate:client-types)`, async () => {
    const committed = readFileSync(path.join(ROOT, CLIENT_TYPES_PATH), 'utf8');
    expect(committed).toBe(await formatted(CLIENT_TYPES_PATH, renderClientTypes(doc)));
    // And it compiles on its own, strictly.
    const program = ts.createProgram([path.join(ROOT, CLIENT_TYPES_PATH)], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });

  it(`keeps the command and event tables of ${PROTOCOL_GUIDE_PATH} generated from it (npm run generate:protocol-docs)`, async () => {
    const committed = readFileSync(path.join(ROOT, PROTOCOL_GUIDE_PATH), 'utf8');
    let fresh = committed;
    for (const [name, table] of Object.entries(renderProtocolTables(doc)))
      fresh = spliceGenerated(fresh, name, table);
    expect(committed).toBe(await formatted(PROTOCOL_GUIDE_PATH, fresh));
  });
});
