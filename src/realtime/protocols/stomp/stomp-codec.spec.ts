import {
  CLIENT_COMMANDS,
  SERVER_COMMANDS,
  StompFrame,
  type StompHeader,
  type StompVersion,
  isClientCommand,
  isServerCommand,
  negotiateVersion,
} from './stomp-frame.js';
import { StompParser, type StompParserOptions, type StompPushResult } from './stomp-parser.js';
import { STOMP_HEARTBEAT, encodeFrame, messageFor, prepareMessage } from './stomp-writer.js';

/** Feeds every chunk and gathers the results, stopping at the first error. */
function feed(parser: StompParser, chunks: (string | Buffer)[]): StompPushResult {
  const all: StompPushResult = { frames: [], heartbeats: 0 };
  for (const chunk of chunks) {
    const r = parser.push(chunk);
    all.frames.push(...r.frames);
    all.heartbeats += r.heartbeats;
    if (r.error) {
      all.error = r.error;
      break;
    }
  }
  return all;
}

function parseAll(input: string | Buffer, options?: StompParserOptions): StompPushResult {
  return new StompParser(options).push(input);
}

function plain(frame: StompFrame): { command: string; headers: StompHeader[]; body: string } {
  return { command: frame.command, headers: frame.headers, body: frame.body.toString('latin1') };
}

describe('StompFrame', () => {
  it('lists the commands and keeps the first of repeated headers', () => {
    expect(CLIENT_COMMANDS).toHaveLength(11);
    expect(SERVER_COMMANDS).toEqual(['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR']);
    expect(isClientCommand('STOMP')).toBe(true);
    expect(isClientCommand('MESSAGE')).toBe(false);
    expect(isServerCommand('RECEIPT')).toBe(true);
    const frame = new StompFrame(
      'SEND',
      [
        ['a', '1'],
        ['a', '2'],
      ],
      Buffer.alloc(0),
    );
    expect(frame.header('a')).toBe('1');
    expect(frame.header('b')).toBeUndefined();
  });

  it('negotiates the highest common version, 1.0 without accept-version', () => {
    expect(negotiateVersion('1.0,1.1,1.2')).toBe('1.2');
    expect(negotiateVersion('1.1, 1.0')).toBe('1.1');
    expect(negotiateVersion(undefined)).toBe('1.0');
    expect(negotiateVersion('1.2', ['1.1', '1.0'])).toBeUndefined();
    expect(negotiateVersion('2.0')).toBeUndefined();
  });
});

describe('StompParser', () => {
  it('parses a whole frame in one message', () => {
    const r = parseAll('SEND\ndestination:/app/chat.send\nreceipt:r-1\n\n{"a":1}\0');
    expect(r.error).toBeUndefined();
    expect(r.heartbeats).toBe(0);
    expect(r.frames.map(plain)).toEqual([
      {
        command: 'SEND',
        headers: [
          ['destination', '/app/chat.send'],
          ['receipt', 'r-1'],
        ],
        body: '{"a":1}',
      },
    ]);
    expect(r.frames[0].header('receipt')).toBe('r-1');
  });

  it('accepts an empty body without content-length, and a frame without headers', () => {
    const r = parseAll('DISCONNECT\n\n\0');
    expect(r.error).toBeUndefined();
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0].command).toBe('DISCONNECT');
    expect(r.frames[0].headers).toEqual([]);
    expect(r.frames[0].body.length).toBe(0);
  });

  it('leaves unknown commands to the caller', () => {
    const r = parseAll('FROB\nx:y\n\n\0');
    expect(r.error).toBeUndefined();
    expect(r.frames[0].command).toBe('FROB');
  });

  it('reads several frames and heart-beats from one message', () => {
    const r = parseAll(
      '\n\r\nSEND\ndestination:/a\n\nx\0\n\nSUBSCRIBE\nid:0\ndestination:/b\n\n\0\n',
    );
    expect(r.error).toBeUndefined();
    expect(r.frames.map((f) => f.command)).toEqual(['SEND', 'SUBSCRIBE']);
    expect(r.heartbeats).toBe(5);
  });

  it('reports heart-beats alone, a CRLF split across messages included', () => {
    const p = new StompParser();
    expect(p.push('\n')).toEqual({ frames: [], heartbeats: 1 });
    expect(p.push('\r')).toEqual({ frames: [], heartbeats: 0 });
    expect(p.push('\n\n')).toEqual({ frames: [], heartbeats: 2 });
    expect(p.push(Buffer.from(STOMP_HEARTBEAT))).toEqual({ frames: [], heartbeats: 1 });
  });

  it('accepts CRLF line endings', () => {
    const r = parseAll('SEND\r\ndestination:/a\r\ncontent-type:text/plain\r\n\r\nhi\0\r\n');
    expect(r.error).toBeUndefined();
    expect(r.heartbeats).toBe(1);
    expect(r.frames.map(plain)).toEqual([
      {
        command: 'SEND',
        headers: [
          ['destination', '/a'],
          ['content-type', 'text/plain'],
        ],
        body: 'hi',
      },
    ]);
  });

  it('honours content-length: the body may hold NUL octets', () => {
    const body = Buffer.from([1, 0, 2, 0, 0, 3]);
    const wire = Buffer.concat([
      Buffer.from('SEND\ndestination:/a\ncontent-length:6\n\n'),
      body,
      Buffer.from([0]),
      Buffer.from('SEND\ndestination:/b\n\nz\0'),
    ]);
    const r = parseAll(wire);
    expect(r.error).toBeUndefined();
    expect(r.frames).toHaveLength(2);
    expect(r.frames[0].body.equals(body)).toBe(true);
    expect(r.frames[1].body.toString()).toBe('z');
  });

  it('accepts content-length:0', () => {
    const r = parseAll('SEND\ncontent-length:0\n\n\0');
    expect(r.error).toBeUndefined();
    expect(r.frames[0].body.length).toBe(0);
  });

  it('reassembles a frame fed one byte at a time', () => {
    const wire = Buffer.concat([
      Buffer.from('\nSEND\r\ndestination:/app/x\ncontent-length:4\nk:a\\cb\n\n'),
      Buffer.from([0, 1, 0, 2]),
      Buffer.from('\0SEND\ndestination:/y\n\nhello\0\r\n'),
    ]);
    const p = new StompParser();
    const r = feed(
      p,
      [...wire].map((b) => Buffer.from([b])),
    );
    expect(r.error).toBeUndefined();
    expect(r.heartbeats).toBe(2);
    expect(r.frames.map(plain)).toEqual([
      {
        command: 'SEND',
        headers: [
          ['destination', '/app/x'],
          ['content-length', '4'],
          ['k', 'a:b'],
        ],
        body: '\u0000\u0001\u0000\u0002',
      },
      { command: 'SEND', headers: [['destination', '/y']], body: 'hello' },
    ]);
  });

  it('reassembles a long line and a long NUL-terminated body from small pieces', () => {
    const value = 'v'.repeat(5000);
    const body = 'b'.repeat(20000);
    const wire = Buffer.from(`SEND\nk:${value}\n\n${body}\0`);
    const chunks: Buffer[] = [];
    for (let at = 0, size = 1; at < wire.length; at += size, size = (size % 97) + 1) {
      chunks.push(wire.subarray(at, at + size));
    }
    const r = feed(new StompParser(), chunks);
    expect(r.error).toBeUndefined();
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0].header('k')).toBe(value);
    expect(r.frames[0].bodyText()).toBe(body);
  });

  it('takes strings and Buffers alike, counting content-length in UTF-8 bytes', () => {
    const text = 'héllo €';
    const n = Buffer.byteLength(text);
    const r = parseAll(`SEND\ncontent-length:${n}\n\n${text}\0`);
    expect(r.error).toBeUndefined();
    expect(r.frames[0].bodyText()).toBe(text);
  });

  it('copies bodies out of the pushed chunk', () => {
    const wire = Buffer.from('SEND\n\nabc\0');
    const r = parseAll(wire);
    wire.fill(0x7a);
    expect(r.frames[0].body.toString()).toBe('abc');
  });

  describe('header escaping', () => {
    const raw = 'SEND\nna\\cme:a\\nb\\cc\\\\d\\re\n\n\0';

    it('1.2 undoes \\r \\n \\c \\\\', () => {
      const r = parseAll(raw, { version: '1.2' });
      expect(r.error).toBeUndefined();
      expect(r.frames[0].headers).toEqual([['na:me', 'a\nb:c\\d\re']]);
    });

    it('1.1 undoes \\n \\c \\\\ and refuses \\r', () => {
      expect(parseAll(raw, { version: '1.1' }).error?.code).toBe('BAD_REQUEST');
      const r = parseAll('SEND\nk:a\\nb\\cc\\\\d\n\n\0', { version: '1.1' });
      expect(r.frames[0].headers).toEqual([['k', 'a\nb:c\\d']]);
    });

    it('1.0 reads headers literally and splits at the first colon', () => {
      const r = parseAll('SEND\nk:a\\nb:c\\t\n\n\0', { version: '1.0' });
      expect(r.error).toBeUndefined();
      expect(r.frames[0].headers).toEqual([['k', 'a\\nb:c\\t']]);
    });

    it('never unescapes CONNECT or STOMP headers', () => {
      for (const command of ['CONNECT', 'STOMP']) {
        const r = parseAll(`${command}\nlogin:a\\cb\\t\npasscode:x:y\n\n\0`, { version: '1.2' });
        expect(r.error).toBeUndefined();
        expect(r.frames[0].headers).toEqual([
          ['login', 'a\\cb\\t'],
          ['passcode', 'x:y'],
        ]);
      }
    });

    it('refuses an undefined escape or a trailing backslash', () => {
      for (const bad of ['SEND\nk:a\\tb\n\n\0', 'SEND\nk:ab\\\n\n\0', 'SEND\nk\\x:v\n\n\0']) {
        const r = parseAll(bad, { version: '1.2' });
        expect(r.frames).toEqual([]);
        expect(r.error).toEqual({
          code: 'BAD_REQUEST',
          message: 'undefined escape sequence in a header',
        });
      }
    });

    it('refuses a bare CR inside a 1.2 header line', () => {
      expect(parseAll('SEND\nk:a\rb\n\n\0').error?.code).toBe('BAD_REQUEST');
      const r = parseAll('SEND\nk:a\rb\n\n\0', { version: '1.1' });
      expect(r.frames[0].headers).toEqual([['k', 'a\rb']]);
    });

    it('round-trips through the writer for every version', () => {
      const cases: [StompVersion, string, string][] = [
        ['1.2', 'x:y\\z', 'multi\nline: with\rCR and \\ backslash'],
        ['1.1', 'x:y\\z', 'multi\nline: with \\ backslash'],
        ['1.0', 'x-y\\z', 'colons:are:fine \\n stays'],
      ];
      for (const [version, name, value] of cases) {
        const wire = encodeFrame('SEND', [[name, value]], 'b', version);
        const r = parseAll(wire, { version });
        expect(r.error).toBeUndefined();
        expect(r.frames[0].headers).toEqual([
          [name, value],
          ['content-length', '1'],
        ]);
      }
    });

    it('switches escaping after CONNECT for frames pipelined behind it', () => {
      const p = new StompParser();
      const r = p.push('CONNECT\naccept-version:1.0\n\n\0SEND\nk:a\\tb\n\n\0');
      expect(r.error).toBeUndefined();
      expect(p.currentVersion).toBe('1.0');
      expect(r.frames[1].header('k')).toBe('a\\tb');
      const fixed = new StompParser({ version: '1.2' });
      fixed.push('CONNECT\naccept-version:1.0,1.1,1.2\n\n\0');
      expect(fixed.currentVersion).toBe('1.2');
      const p11 = new StompParser({ version: '1.1' });
      p11.push('CONNECT\naccept-version:1.0,1.1,1.2\n\n\0');
      expect(p11.currentVersion).toBe('1.1');
    });
  });

  describe('errors', () => {
    it('refuses a frame over maxFrameSize as soon as it shows, without waiting for the NUL', () => {
      const p = new StompParser({ maxFrameSize: 100 });
      expect(p.push('SEND\ndestination:/a\n\n').error).toBeUndefined();
      expect(p.push('x'.repeat(60)).error).toBeUndefined();
      const r = p.push('x'.repeat(60));
      expect(r.error?.code).toBe('TOO_LARGE');
    });

    it('counts the head in the frame size and accepts a frame of exactly the limit', () => {
      const frame = 'SEND\n\n' + 'x'.repeat(94);
      expect(parseAll(frame + '\0', { maxFrameSize: 100 }).frames).toHaveLength(1);
      expect(parseAll(frame + 'x\0', { maxFrameSize: 100 }).error?.code).toBe('TOO_LARGE');
      const head = 'SEND\nk:' + 'v'.repeat(200);
      expect(parseAll(head, { maxFrameSize: 100 }).error?.code).toBe('TOO_LARGE');
    });

    it('refuses a content-length over the limit before reading the body', () => {
      const r = parseAll('SEND\ncontent-length:101\n\n', { maxFrameSize: 100 });
      expect(r.error).toEqual({ code: 'TOO_LARGE', message: 'frame over 100 bytes' });
      const huge = parseAll('SEND\ncontent-length:999999999999999\n\n');
      expect(huge.error?.code).toBe('TOO_LARGE');
    });

    it('refuses a content-length that is not a non-negative integer', () => {
      for (const bad of ['-1', 'abc', '1.5', ' 5', '5 ', '', '0x10', '1e3', '9999999999999999']) {
        const r = parseAll(`SEND\ncontent-length:${bad}\n\nxxxxx\0`);
        expect(r.frames).toEqual([]);
        expect(r.error?.code).toBe('BAD_REQUEST');
      }
    });

    it('uses the first content-length when it is repeated', () => {
      const r = parseAll('SEND\ncontent-length:2\ncontent-length:zz\n\na\0\0');
      expect(r.error).toBeUndefined();
      expect(r.frames[0].body.equals(Buffer.from([0x61, 0]))).toBe(true);
    });

    it('refuses too many headers', () => {
      const headers = Array.from({ length: 5 }, (_, i) => `h${i}:v\n`).join('');
      expect(parseAll(`SEND\n${headers}\n\0`, { maxHeaders: 5 }).error).toBeUndefined();
      const r = parseAll(`SEND\n${headers}x:y\n\n\0`, { maxHeaders: 5 });
      expect(r.error).toEqual({ code: 'TOO_LARGE', message: 'more than 5 headers' });
    });

    it('refuses a header line over the line limit, even before its LF arrives', () => {
      const p = new StompParser({ maxHeaderLineLength: 16 });
      expect(p.push('SEND\nk:' + 'v'.repeat(14) + '\r\n\n\0').error).toBeUndefined();
      const q = new StompParser({ maxHeaderLineLength: 16 });
      expect(q.push('SEND\nk:' + 'v'.repeat(10)).error).toBeUndefined();
      expect(q.push('v'.repeat(10)).error?.code).toBe('TOO_LARGE');
    });

    it('refuses a content-length body not followed by NUL', () => {
      const r = parseAll('SEND\ncontent-length:2\n\nabc\0');
      expect(r.error).toEqual({
        code: 'BAD_REQUEST',
        message: 'content-length body not followed by NUL',
      });
    });

    it('refuses malformed heads', () => {
      for (const bad of [
        'SEND\nnocolon\n\n\0',
        'SEND\n:novalue\n\n\0',
        'SEND\nk:v\0',
        'DISCONNECT\0',
        '\0',
        '\rSEND\n\n\0',
        'SE\rND\n\n\0',
      ]) {
        const r = parseAll(bad);
        expect(r.frames).toEqual([]);
        expect(r.error?.code).toBe('BAD_REQUEST');
      }
    });

    it('returns the frames before the error, then stays dead', () => {
      const p = new StompParser();
      const r = p.push('SEND\n\na\0\nSEND\nbad\n\n\0');
      expect(r.frames).toHaveLength(1);
      expect(r.heartbeats).toBe(1);
      expect(r.error?.code).toBe('BAD_REQUEST');
      expect(p.failed).toEqual(r.error);
      expect(p.push('SEND\n\n\0')).toEqual({ frames: [], heartbeats: 0, error: r.error });
    });

    it('refuses nonsensical limits at construction', () => {
      expect(() => new StompParser({ maxFrameSize: 0 })).toThrow(RangeError);
      expect(() => new StompParser({ maxHeaders: 1.5 })).toThrow(RangeError);
    });
  });
});

describe('stomp writer', () => {
  it('encodes command, headers, content-length, blank line, body and NUL', () => {
    const wire = encodeFrame('RECEIPT', { 'receipt-id': 'r-1', skipped: undefined }, undefined);
    expect(wire.toString()).toBe('RECEIPT\nreceipt-id:r-1\n\n\0');
    const err = encodeFrame('ERROR', [['message', 'bad: frame']], 'details');
    expect(err.toString()).toBe('ERROR\nmessage:bad\\c frame\ncontent-length:7\n\ndetails\0');
  });

  it('computes content-length itself, in bytes', () => {
    const wire = encodeFrame('MESSAGE', { 'content-length': 999, a: 1 }, 'é');
    expect(wire.toString()).toBe('MESSAGE\na:1\ncontent-length:2\n\né\0');
  });

  it('escapes per version, never in CONNECTED', () => {
    const headers: [string, string][] = [['k', 'a:b\nc\\d\re']];
    expect(encodeFrame('RECEIPT', headers, undefined, '1.2').toString()).toBe(
      'RECEIPT\nk:a\\cb\\nc\\\\d\\re\n\n\0',
    );
    expect(encodeFrame('RECEIPT', headers, undefined, '1.1').toString()).toBe(
      'RECEIPT\nk:a\\cb\\nc\\\\d e\n\n\0',
    );
    // No escaping: line breaks cannot travel, so they become spaces instead of new headers.
    expect(encodeFrame('RECEIPT', headers, undefined, '1.0').toString()).toBe(
      'RECEIPT\nk:a:b c\\d e\n\n\0',
    );
    expect(
      encodeFrame(
        'CONNECTED',
        [
          ['server', 'rt:1'],
          ['x:y', 'a\nb'],
        ],
        undefined,
        '1.2',
      ).toString(),
    ).toBe('CONNECTED\nserver:rt:1\nx y:a b\n\n\0');
  });

  it('builds a prepared MESSAGE equal to encodeFrame for every version', () => {
    const shared: [string, string | number][] = [
      ['content-type', 'application/json'],
      ['message-id', 'm-1'],
      ['event', 'chat.message.created'],
      ['channel', 'chat:42'],
      ['offset', 17],
    ];
    const body = JSON.stringify({ content: 'hé\nllo: \\' });
    const prepared = prepareMessage({ headers: shared, body });
    for (const version of ['1.2', '1.1', '1.0'] as const) {
      const perSub: [string, string][] = [
        ['subscription', 'sub-0'],
        ['destination', '/topic/chat/42'],
        ['ack', 'a:1'],
      ];
      const mine = messageFor(prepared, perSub, version);
      expect(mine.equals(encodeFrame('MESSAGE', [...perSub, ...shared], body, version))).toBe(true);
      const r = parseAll(mine, { version });
      expect(r.error).toBeUndefined();
      expect(r.frames[0].header('destination')).toBe('/topic/chat/42');
      expect(r.frames[0].header('offset')).toBe('17');
      expect(r.frames[0].bodyText()).toBe(body);
    }
    // The shared part is encoded once per version and reused for every subscriber.
    expect(prepared.tail('1.2')).toBe(prepared.tail('1.2'));
    const other = messageFor(prepared, { subscription: 'sub-1', destination: '/topic/chat/42' });
    expect(other.toString()).toMatch(
      /^MESSAGE\nsubscription:sub-1\ndestination:\/topic\/chat\/42\n/,
    );
  });
});

describe('stomp codec round trip (seeded property test)', () => {
  function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('re-parses 500 random frames from random chunk splits', () => {
    const rand = mulberry32(0x5107);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)];
    const versions: readonly StompVersion[] = ['1.0', '1.1', '1.2'];
    // What each version can carry in a header without loss (see the writer's rules).
    const alphabet: Record<StompVersion, string> = {
      '1.0': 'abcXYZ019-_./ é€\\',
      '1.1': 'abcXYZ019-_./ é€\\:\n',
      '1.2': 'abcXYZ019-_./ é€\\:\n\r',
    };
    const commands = ['SEND', 'SUBSCRIBE', 'ACK', 'MESSAGE', 'ERROR', 'X-CUSTOM'];
    const text = (chars: string, min: number, max: number) => {
      let s = '';
      for (let n = min + int(max - min + 1); n > 0; n--) s += chars[int(chars.length)];
      return s;
    };

    for (let c = 0; c < 500; c++) {
      const version = pick(versions);
      const count = 1 + int(4);
      const expected: { command: string; headers: StompHeader[]; body: Buffer }[] = [];
      const parts: Buffer[] = [];
      for (let f = 0; f < count; f++) {
        for (let h = int(3); h > 0; h--) parts.push(Buffer.from(pick(['\n', '\r\n'])));
        const command = pick(commands);
        const headers: StompHeader[] = [];
        for (let h = int(6); h > 0; h--) {
          let name = text(alphabet[version], 1, 8);
          if (version === '1.0') name = name.replace(/:/g, '');
          if (name.length === 0 || name === 'content-length') name = 'n';
          headers.push([name, text(alphabet[version], 0, 12)]);
        }
        const binary = rand() < 0.5;
        const body = binary
          ? Buffer.from(Array.from({ length: int(40) }, () => int(256)))
          : Buffer.from(text('abc {}":,é\n', 0, 30));
        // Half the NUL-free bodies travel without content-length, ended by their NUL.
        const bare = body.length > 0 && !body.includes(0) && rand() < 0.5;
        if (bare) {
          const head = encodeFrame(command, headers, undefined, version);
          parts.push(head.subarray(0, head.length - 1), body, Buffer.from([0]));
        } else {
          parts.push(encodeFrame(command, headers, body, version));
        }
        const parsedHeaders: StompHeader[] =
          body.length > 0 && !bare
            ? [...headers, ['content-length', String(body.length)]]
            : headers;
        expected.push({ command, headers: parsedHeaders, body });
      }
      const all = Buffer.concat(parts);
      const chunks: Buffer[] = [];
      for (let at = 0; at < all.length;) {
        const size = rand() < 0.2 ? 1 : 1 + int(all.length);
        chunks.push(all.subarray(at, at + size));
        at += size;
      }
      const r = feed(new StompParser({ version }), chunks);
      expect(r.error).toBeUndefined();
      expect(
        r.frames.map((f) => ({ command: f.command, headers: f.headers, body: f.body })),
      ).toEqual(expected);
    }
  });
});
