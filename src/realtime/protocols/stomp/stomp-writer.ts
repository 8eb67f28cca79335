import { type StompVersion, isUnescapedCommand } from './stomp-frame.js';

/** A heart-beat: one bare EOL between frames. LF alone, which every version understands. */
export const STOMP_HEARTBEAT = '\n';

export type StompHeaderValue = string | number;

/**
 * Headers to write: pairs in wire order, or a record (insertion order; `undefined`
 * values are skipped, which keeps optional headers such as `receipt-id` one-liners).
 * A `content-length` given here is ignored: the writer always computes it from the body.
 */
export type StompHeadersInput =
  | readonly (readonly [string, StompHeaderValue])[]
  | Readonly<Record<string, StompHeaderValue | undefined>>;

/**
 * How header text is made safe for the wire:
 * 0: no escaping (STOMP 1.0, and CONNECT/CONNECTED in every version);
 * 1: STOMP 1.1 (\n \c \\); 2: STOMP 1.2 (\r \n \c \\).
 */
type EscapeMode = 0 | 1 | 2;

function escapeMode(command: string, version: StompVersion): EscapeMode {
  if (version === '1.0' || isUnescapedCommand(command)) return 0;
  return version === '1.2' ? 2 : 1;
}

const NEEDS_ESCAPE = /[\r\n:\\]/;
const ESCAPED = /[\r\n:\\]/g;
const UNSAFE_NAME = /[\r\n:]/;
const UNSAFE_NAME_G = /[\r\n:]/g;
const UNSAFE_VALUE = /[\r\n]/;
const UNSAFE_VALUE_G = /[\r\n]/g;

function escape12(c: string): string {
  return c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === ':' ? '\\c' : '\\\\';
}

// 1.1 has no escape for CR; a raw CR before the LF would read as a CRLF to lenient
// parsers (ours included), so it travels as a space.
function escape11(c: string): string {
  return c === '\n' ? '\\n' : c === '\r' ? ' ' : c === ':' ? '\\c' : '\\\\';
}

function encodeName(name: string, mode: EscapeMode): string {
  if (mode === 2) return NEEDS_ESCAPE.test(name) ? name.replace(ESCAPED, escape12) : name;
  if (mode === 1) return NEEDS_ESCAPE.test(name) ? name.replace(ESCAPED, escape11) : name;
  // Without escaping, a CR, LF or colon would split the header: it travels as a space
  // rather than letting a value forge other headers.
  return UNSAFE_NAME.test(name) ? name.replace(UNSAFE_NAME_G, ' ') : name;
}

function encodeValue(value: StompHeaderValue, mode: EscapeMode): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (mode === 2) return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, escape12) : text;
  if (mode === 1) return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, escape11) : text;
  // Unescaped values may hold colons (readers split at the first one), not line breaks.
  return UNSAFE_VALUE.test(text) ? text.replace(UNSAFE_VALUE_G, ' ') : text;
}

/** Appends `name:value\n` lines, in order, skipping `content-length` and undefined values. */
function headerLines(headers: StompHeadersInput, mode: EscapeMode): string {
  let out = '';
  if (isHeaderPairs(headers)) {
    for (let i = 0; i < headers.length; i++) {
      const [name, value] = headers[i];
      if (name === 'content-length') continue;
      out += encodeName(name, mode) + ':' + encodeValue(value, mode) + '\n';
    }
  } else {
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined || name === 'content-length') continue;
      out += encodeName(name, mode) + ':' + encodeValue(value, mode) + '\n';
    }
  }
  return out;
}

function isHeaderPairs(
  headers: StompHeadersInput,
): headers is readonly (readonly [string, StompHeaderValue])[] {
  return Array.isArray(headers);
}

function toBuffer(body: Buffer | string | undefined): Buffer | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Writes `head` (UTF-8) then `rest` into one freshly allocated buffer. */
function join(head: string, rest: Buffer): Buffer {
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + rest.length);
  out.write(head, 0, 'utf8');
  rest.copy(out, headLength);
  return out;
}

/**
 * Serialises one complete frame: command, headers (escaped as `version` wants, except in
 * CONNECT/STOMP/CONNECTED frames), `content-length` when the body is not empty, blank
 * line, body, NUL.
 */
export function encodeFrame(
  command: string,
  headers: StompHeadersInput,
  body?: Buffer | string,
  version: StompVersion = '1.2',
): Buffer {
  const mode = escapeMode(command, version);
  const bytes = toBuffer(body);
  const length = bytes === undefined ? 0 : bytes.length;
  let head = command + '\n' + headerLines(headers, mode);
  if (length > 0) head += 'content-length:' + length + '\n';
  head += '\n';
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + length + 1);
  out.write(head, 0, 'utf8');
  if (bytes !== undefined) bytes.copy(out, headLength);
  out[headLength + length] = 0;
  return out;
}

export interface PrepareMessageInput {
  /** Headers every subscriber gets (content-type, message-id, event, channel, offset…). */
  headers: StompHeadersInput;
  body: Buffer | string;
}

/**
 * A MESSAGE encoded once for a fan-out: the shared headers, `content-length`, the blank
 * line, the body and the NUL, kept as one buffer per STOMP version in use (connections
 * of one fan-out may have negotiated different versions, hence escape differently).
 */
export class PreparedMessage {
  private readonly tails: [Buffer | undefined, Buffer | undefined, Buffer | undefined] = [
    undefined,
    undefined,
    undefined,
  ];

  constructor(
    readonly headers: StompHeadersInput,
    readonly body: Buffer,
  ) {}

  /** The shared part of the frame for `version`, built on first use. */
  tail(version: StompVersion): Buffer {
    const slot = version === '1.2' ? 0 : version === '1.1' ? 1 : 2;
    const cached = this.tails[slot];
    if (cached !== undefined) return cached;
    const mode = escapeMode('MESSAGE', version);
    let head = headerLines(this.headers, mode);
    if (this.body.length > 0) head += 'content-length:' + this.body.length + '\n';
    head += '\n';
    const headLength = Buffer.byteLength(head, 'utf8');
    const tail = Buffer.allocUnsafe(headLength + this.body.length + 1);
    tail.write(head, 0, 'utf8');
    this.body.copy(tail, headLength);
    tail[tail.length - 1] = 0;
    this.tails[slot] = tail;
    return tail;
  }
}

/**
 * Encodes the shared part of a MESSAGE once. The STOMP 1.2 form is built at once (the
 * usual case); other versions on first use.
 */
export function prepareMessage(input: PrepareMessageInput): PreparedMessage {
  const prepared = new PreparedMessage(input.headers, toBuffer(input.body) as Buffer);
  prepared.tail('1.2');
  return prepared;
}

/**
 * A complete MESSAGE frame for one subscriber: `MESSAGE`, the per-subscriber headers
 * (subscription, destination, ack…) first, then the prepared shared part. Only the small
 * head is encoded per call; the shared part is copied, never re-encoded. Byte for byte
 * the same as `encodeFrame('MESSAGE', [...perSubscriber, ...shared], body, version)`.
 */
export function messageFor(
  prepared: PreparedMessage,
  perSubscriber: StompHeadersInput,
  version: StompVersion = '1.2',
): Buffer {
  return join(
    'MESSAGE\n' + headerLines(perSubscriber, escapeMode('MESSAGE', version)),
    prepared.tail(version),
  );
}
