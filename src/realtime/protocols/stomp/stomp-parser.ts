import {
  STOMP_VERSIONS,
  StompFrame,
  type StompHeader,
  type StompVersion,
  negotiateVersion,
} from './stomp-frame.js';

export interface StompParserOptions {
  /**
   * Largest frame accepted, in bytes: command line, header lines, blank line and body,
   * line endings included, the terminating NUL excluded. Default 64 KiB.
   */
  maxFrameSize?: number;
  /** Most header lines in one frame. Default 64. */
  maxHeaders?: number;
  /** Longest command or header line in bytes, before unescaping, EOL excluded. Default 8 KiB. */
  maxHeaderLineLength?: number;
  /** Version whose escaping applies until a CONNECT/STOMP frame or `setVersion` changes it. Default '1.2'. */
  version?: StompVersion;
  /**
   * Versions this connection may speak. When a CONNECT/STOMP frame is parsed the parser
   * switches to `negotiateVersion(accept-version, versions)` by itself, so frames pipelined
   * behind CONNECT in the same transport message are decoded with the right escaping;
   * with no common version it keeps the current one (the caller refuses the CONNECT).
   * Default: `[version]` when `version` is given (a version fixed by the WebSocket
   * subprotocol stays fixed), all three otherwise.
   */
  versions?: readonly StompVersion[];
}

export type StompParseErrorCode = 'BAD_REQUEST' | 'TOO_LARGE';

export interface StompParseError {
  /** Section 3 error code, for the `code` header of the ERROR frame. */
  code: StompParseErrorCode;
  message: string;
}

export interface StompPushResult {
  /** Whole frames completed by this chunk, in wire order (also those before an error). */
  frames: StompFrame[];
  /** Bare EOLs seen between frames (heart-beats, and the optional EOLs after a NUL). */
  heartbeats: number;
  /** Set once the stream is malformed or over a limit; every later push repeats it. */
  error?: StompParseError;
}

export const DEFAULT_MAX_FRAME_SIZE = 64 * 1024;
export const DEFAULT_MAX_HEADERS = 64;
export const DEFAULT_MAX_HEADER_LINE_LENGTH = 8 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

// Parser states (plain numbers: cheap to compare, and no enum emit under isolatedModules).
/** Between frames: EOLs are heart-beats, anything else starts a command line. */
const GAP = 0;
/** Command and header lines, up to the blank line. */
const HEAD = 1;
/** Body of known length (content-length). */
const BODY_LENGTH = 2;
/** The NUL that must follow a content-length body. */
const TERMINATOR = 3;
/** Body up to the first NUL. */
const BODY_NUL = 4;
const DEAD = 5;
type State =
  typeof GAP | typeof HEAD | typeof BODY_LENGTH | typeof TERMINATOR | typeof BODY_NUL | typeof DEAD;

const EMPTY = Buffer.alloc(0);
const CONTENT_LENGTH_RE = /^[0-9]{1,15}$/;

class FrameError {
  constructor(
    readonly code: StompParseErrorCode,
    readonly message: string,
  ) {}
}

/**
 * Incremental STOMP decoder for one connection. Feed it every transport message (a
 * WebSocket or SockJS message may carry a fragment of a frame, one frame or several).
 *
 * `push` never throws; after an error the parser is dead, as STOMP then wants ERROR and
 * close. Working memory stays under `maxFrameSize` plus one transport message: partial
 * lines and bodies are copied out of the chunk and checked against the limits before
 * they are kept.
 */
export class StompParser {
  private readonly maxFrameSize: number;
  private readonly maxHeaders: number;
  private readonly maxLine: number;
  private readonly versions: readonly StompVersion[];
  private version: StompVersion;

  private state: State = GAP;
  private error: StompParseError | undefined;
  /** A CR seen between frames, at the very end of the previous chunk. */
  private gapCR = false;

  private command: string | null = null;
  private headers: StompHeader[] = [];
  private unescapeMode: 0 | 1 | 2 = 0;
  /** Bytes of the current frame consumed so far in the head, EOLs included. */
  private headBytes = 0;
  /**
   * Bytes of a line, or of a NUL-terminated body, that spans chunks (never both at once).
   * One growable buffer rather than a list of pieces: a peer sending one byte per message
   * must not cost an object per byte.
   */
  private spill: Buffer = EMPTY;
  private spillLength = 0;

  private body: Buffer | null = null;
  private bodyFilled = 0;

  constructor(options: StompParserOptions = {}) {
    this.maxFrameSize = positiveInt(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE, 'maxFrameSize');
    this.maxHeaders = positiveInt(options.maxHeaders ?? DEFAULT_MAX_HEADERS, 'maxHeaders');
    this.maxLine = positiveInt(
      options.maxHeaderLineLength ?? DEFAULT_MAX_HEADER_LINE_LENGTH,
      'maxHeaderLineLength',
    );
    this.version = options.version ?? '1.2';
    this.versions =
      options.versions ?? (options.version !== undefined ? [options.version] : STOMP_VERSIONS);
  }

  /** The version whose header escaping applies to the next frame. */
  get currentVersion(): StompVersion {
    return this.version;
  }

  /** Sets the escaping for the frames that follow (the caller's own negotiation wins). */
  setVersion(version: StompVersion): void {
    this.version = version;
  }

  get failed(): StompParseError | undefined {
    return this.error;
  }

  push(chunk: string | Buffer): StompPushResult {
    const frames: StompFrame[] = [];
    if (this.error !== undefined) return { frames, heartbeats: 0, error: this.error };
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let heartbeats = 0;
    try {
      const end = buf.length;
      let pos = 0;
      // Index of the next NUL at or after pos, -1 when the chunk has none left, -2 unknown.
      // One scan per chunk usually serves both the head check and the body's end.
      let nulAt = -2;
      while (pos < end) {
        switch (this.state) {
          case GAP: {
            const b = buf[pos];
            if (this.gapCR) {
              if (b !== LF) throw new FrameError('BAD_REQUEST', 'CR not followed by LF');
              this.gapCR = false;
              heartbeats++;
              pos++;
            } else if (b === LF) {
              heartbeats++;
              pos++;
            } else if (b === CR) {
              this.gapCR = true;
              pos++;
            } else if (b === NUL) {
              throw new FrameError('BAD_REQUEST', 'NUL octet where a command was expected');
            } else {
              this.startFrame();
            }
            break;
          }
          case HEAD: {
            if (nulAt === -2 || (nulAt !== -1 && nulAt < pos)) nulAt = buf.indexOf(NUL, pos);
            const lf = buf.indexOf(LF, pos);
            const lineEnd = lf === -1 ? end : lf;
            if (nulAt !== -1 && nulAt < lineEnd) {
              throw new FrameError('BAD_REQUEST', 'frame ended before its blank line');
            }
            const lineLength = this.spillLength + (lineEnd - pos);
            // One byte of slack: the last one may be the CR of a CRLF, checked exactly below.
            if (lineLength > this.maxLine + 1) {
              throw new FrameError('TOO_LARGE', `header line over ${this.maxLine} bytes`);
            }
            // Counts the LF too once it is there, so the head alone can never pass the limit.
            if (this.headBytes + lineLength + (lf === -1 ? 0 : 1) > this.maxFrameSize) {
              throw new FrameError('TOO_LARGE', `frame over ${this.maxFrameSize} bytes`);
            }
            if (lf === -1) {
              this.keep(buf, pos, end);
              pos = end;
              break;
            }
            let line: Buffer;
            let from: number;
            if (this.spillLength === 0) {
              line = buf;
              from = pos;
            } else {
              this.keep(buf, pos, lf);
              line = this.spill;
              from = 0;
            }
            let to = from + lineLength;
            if (to > from && line[to - 1] === CR) to--;
            if (to - from > this.maxLine) {
              throw new FrameError('TOO_LARGE', `header line over ${this.maxLine} bytes`);
            }
            this.headBytes += lineLength + 1;
            pos = lf + 1;
            const text = line.toString('utf8', from, to);
            this.releaseSpill();
            this.headLine(text);
            break;
          }
          case BODY_LENGTH: {
            const body = this.body as Buffer;
            const take = Math.min(end - pos, body.length - this.bodyFilled);
            buf.copy(body, this.bodyFilled, pos, pos + take);
            this.bodyFilled += take;
            pos += take;
            if (this.bodyFilled === body.length) this.state = TERMINATOR;
            break;
          }
          case TERMINATOR: {
            if (buf[pos] !== NUL) {
              throw new FrameError('BAD_REQUEST', 'content-length body not followed by NUL');
            }
            pos++;
            frames.push(this.finishFrame(this.body as Buffer));
            break;
          }
          case BODY_NUL: {
            if (nulAt === -2 || (nulAt !== -1 && nulAt < pos)) nulAt = buf.indexOf(NUL, pos);
            const stop = nulAt === -1 ? end : nulAt;
            const bodyLength = this.spillLength + (stop - pos);
            if (this.headBytes + bodyLength > this.maxFrameSize) {
              throw new FrameError('TOO_LARGE', `frame over ${this.maxFrameSize} bytes`);
            }
            if (nulAt === -1) {
              this.keep(buf, pos, end);
              pos = end;
              break;
            }
            let body: Buffer;
            if (this.spillLength === 0) {
              body = stop > pos ? Buffer.from(buf.subarray(pos, stop)) : EMPTY;
            } else {
              this.keep(buf, pos, stop);
              body = Buffer.from(this.spill.subarray(0, bodyLength));
              this.releaseSpill();
            }
            pos = stop + 1;
            frames.push(this.finishFrame(body));
            break;
          }
          case DEAD:
            return { frames, heartbeats, error: this.error };
        }
      }
    } catch (err) {
      this.die(
        err instanceof FrameError
          ? { code: err.code, message: err.message }
          : { code: 'BAD_REQUEST', message: 'malformed frame' },
      );
      return { frames, heartbeats, error: this.error };
    }
    return { frames, heartbeats };
  }

  private startFrame(): void {
    this.state = HEAD;
    this.command = null;
    this.headers = [];
    this.headBytes = 0;
  }

  private headLine(line: string): void {
    if (this.command === null) {
      // The Gap state only hands over at a byte that is neither CR, LF nor NUL.
      if (line.includes('\r')) throw new FrameError('BAD_REQUEST', 'CR in the command line');
      this.command = line;
      const escaped = this.version !== '1.0' && line !== 'CONNECT' && line !== 'STOMP';
      this.unescapeMode = !escaped ? 0 : this.version === '1.2' ? 2 : 1;
      return;
    }
    if (line.length === 0) {
      this.endOfHead();
      return;
    }
    if (this.headers.length >= this.maxHeaders) {
      throw new FrameError('TOO_LARGE', `more than ${this.maxHeaders} headers`);
    }
    const colon = line.indexOf(':');
    if (colon === -1) throw new FrameError('BAD_REQUEST', 'header line without a colon');
    if (colon === 0) throw new FrameError('BAD_REQUEST', 'header line without a name');
    let name = line.slice(0, colon);
    let value = line.slice(colon + 1);
    if (this.unescapeMode !== 0) {
      // 1.2 has \r for a CR, so a raw one can only be a broken line ending.
      if (this.unescapeMode === 2 && line.includes('\r')) {
        throw new FrameError('BAD_REQUEST', 'CR in a header line');
      }
      const v12 = this.unescapeMode === 2;
      const n = unescapeHeader(name, v12);
      const v = unescapeHeader(value, v12);
      if (n === null || v === null) {
        throw new FrameError('BAD_REQUEST', 'undefined escape sequence in a header');
      }
      name = n;
      value = v;
    }
    this.headers.push([name, value]);
  }

  private endOfHead(): void {
    let contentLength: string | undefined;
    for (const [name, value] of this.headers) {
      if (name === 'content-length') {
        contentLength = value;
        break;
      }
    }
    if (contentLength === undefined) {
      this.state = BODY_NUL;
      return;
    }
    if (!CONTENT_LENGTH_RE.test(contentLength)) {
      throw new FrameError('BAD_REQUEST', 'content-length is not a non-negative integer');
    }
    const length = Number(contentLength);
    if (length > this.maxFrameSize || this.headBytes + length > this.maxFrameSize) {
      throw new FrameError('TOO_LARGE', `frame over ${this.maxFrameSize} bytes`);
    }
    // Allocated once the length is checked, so the worst case stays at maxFrameSize.
    this.body = length === 0 ? EMPTY : Buffer.allocUnsafe(length);
    this.bodyFilled = 0;
    this.state = length === 0 ? TERMINATOR : BODY_LENGTH;
  }

  private finishFrame(body: Buffer): StompFrame {
    const frame = new StompFrame(this.command as string, this.headers, body);
    this.command = null;
    this.headers = [];
    this.body = null;
    this.state = GAP;
    if (frame.command === 'CONNECT' || frame.command === 'STOMP') {
      const negotiated = negotiateVersion(frame.header('accept-version'), this.versions);
      if (negotiated !== undefined) this.version = negotiated;
    }
    return frame;
  }

  /** Appends buf[start, end) to the spill; the limits were checked by the caller. */
  private keep(buf: Buffer, start: number, end: number): void {
    const need = this.spillLength + (end - start);
    if (need > this.spill.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(Math.max(need, this.spill.length * 2, 256), this.maxFrameSize + 1),
      );
      this.spill.copy(grown, 0, 0, this.spillLength);
      this.spill = grown;
    }
    buf.copy(this.spill, this.spillLength, start, end);
    this.spillLength = need;
  }

  /** Empties the spill; a big one is dropped so that an idle connection holds little. */
  private releaseSpill(): void {
    this.spillLength = 0;
    if (this.spill.length > 4096) this.spill = EMPTY;
  }

  private die(error: StompParseError): void {
    this.error = error;
    this.state = DEAD;
    this.spill = EMPTY;
    this.spillLength = 0;
    this.body = null;
    this.headers = [];
  }
}

/**
 * Undoes STOMP 1.1/1.2 header escaping. Returns null for an undefined escape (a trailing
 * backslash included), which both specs call a fatal protocol error.
 */
function unescapeHeader(text: string, v12: boolean): string | null {
  let i = text.indexOf('\\');
  if (i === -1) return text;
  let out = '';
  let from = 0;
  while (i !== -1) {
    out += text.slice(from, i);
    const c = text.charCodeAt(i + 1);
    if (c === 0x6e) out += '\n';
    else if (c === 0x63) out += ':';
    else if (c === 0x5c) out += '\\';
    else if (c === 0x72 && v12) out += '\r';
    else return null;
    from = i + 2;
    i = text.indexOf('\\', from);
  }
  return out + text.slice(from);
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer`);
  }
  return value;
}
