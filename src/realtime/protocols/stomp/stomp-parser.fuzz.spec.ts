import fc from 'fast-check';
import { CLIENT_COMMANDS, StompFrame } from './stomp-frame.js';
import { StompParser, type StompPushResult } from './stomp-parser.js';
import { encodeFrame } from './stomp-writer.js';

let cases = 0;
afterAll(() => {
  process.stdout.write(`[fuzz] STOMP parser: ${cases} cases\n`);
});

const MAX_FRAME = 4096;

/** Pushes every chunk; checks what the parser promises after each. */
function pushAll(parser: StompParser, chunks: readonly Uint8Array[]): StompFrame[] {
  const frames: StompFrame[] = [];
  let failed: StompPushResult['error'];
  for (const chunk of chunks) {
    const r = parser.push(Buffer.from(chunk));
    if (failed) {
      // Dead for good: the same error, nothing more.
      expect(r.error).toEqual(failed);
      expect(r.frames).toEqual([]);
      continue;
    }
    for (const f of r.frames) {
      expect(typeof f.command).toBe('string');
      expect(f.command.length).toBeGreaterThan(0);
      expect(f.body.length).toBeLessThanOrEqual(MAX_FRAME);
      frames.push(f);
    }
    if (r.error) {
      expect(['BAD_REQUEST', 'TOO_LARGE']).toContain(r.error.code);
      // The catch-all message means an exception the parser did not expect: a bug.
      expect(r.error.message).not.toBe('malformed frame');
      failed = r.error;
    }
  }
  return frames;
}

/** A byte string split at arbitrary places, as transport messages may split it. */
function splitAt(bytes: Buffer, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

/** Header text as clients write it: anything, including the characters 1.2 escapes. */
const headerText = fc.string({ unit: 'grapheme', maxLength: 20 });
const escapedFrame = fc.record({
  command: fc.constantFrom(...CLIENT_COMMANDS.filter((c) => c !== 'CONNECT' && c !== 'STOMP')),
  headers: fc.array(
    fc.tuple(
      headerText.filter((n) => n.length > 0 && n !== 'content-length'),
      headerText,
    ),
    { maxLength: 6 },
  ),
  body: fc.uint8Array({ maxLength: 200 }),
});
/** CONNECT and STOMP headers are never escaped: no line breaks, and no colon in names. */
const connectFrame = fc.record({
  command: fc.constantFrom('CONNECT', 'STOMP'),
  headers: fc.array(
    fc.tuple(
      fc.stringMatching(/^[a-z-]{1,12}$/).filter((n) => n !== 'content-length'),
      fc.stringMatching(/^[^\r\n\0]{0,20}$/),
    ),
    { maxLength: 4 },
  ),
  body: fc.constant(new Uint8Array(0)),
});

describe('StompParser under property-based fuzzing', () => {
  it('never throws on arbitrary bytes in arbitrary chunks; errors are coded and final', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        cases += 1;
        pushAll(new StompParser({ maxFrameSize: MAX_FRAME, maxHeaderLineLength: 256 }), chunks);
      }),
      { numRuns: 4000 },
    );
  });

  it('reads back every frame the writer wrote (1.2 escaping, bodies with NULs), however it is split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(escapedFrame, connectFrame), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.nat({ max: 3 }),
        (sent, cuts, beats) => {
          cases += 1;
          const wire = Buffer.concat(
            sent.flatMap((f) => [
              encodeFrame(f.command, f.headers, Buffer.from(f.body), '1.2'),
              Buffer.from('\n'.repeat(beats)),
            ]),
          );
          const parser = new StompParser({ maxFrameSize: MAX_FRAME, version: '1.2' });
          const got = pushAll(parser, splitAt(wire, cuts));
          expect(parser.failed).toBeUndefined();
          expect(
            got.map((f) => ({
              command: f.command,
              headers: f.headers.filter(([n]) => n !== 'content-length'),
              body: [...f.body],
            })),
          ).toEqual(
            sent.map((f) => ({ command: f.command, headers: f.headers, body: [...f.body] })),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on valid streams with bytes flipped, dropped or inserted', () => {
    fc.assert(
      fc.property(
        fc.array(escapedFrame, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom('flip', 'drop', 'insert'),
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        (sent, edits, cuts) => {
          cases += 1;
          const bytes = [
            ...Buffer.concat(
              sent.map((f) => encodeFrame(f.command, f.headers, Buffer.from(f.body))),
            ),
          ];
          for (const [at, value, kind] of edits) {
            const i = at % (bytes.length + 1);
            if (kind === 'insert') bytes.splice(i, 0, value);
            else if (kind === 'drop') bytes.splice(i, 1);
            else if (i < bytes.length) bytes[i] = value;
          }
          pushAll(new StompParser({ maxFrameSize: MAX_FRAME }), splitAt(Buffer.from(bytes), cuts));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
