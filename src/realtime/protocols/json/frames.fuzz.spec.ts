import fc from 'fast-check';
import { MAX_FRAME_ID_LENGTH, parseClientFrame, type ParseResult } from './frames.js';

/** Cases run by this file, printed at the end (the security issue asks for the figure). */
let cases = 0;
afterAll(() => {
  process.stdout.write(`[fuzz] JSON frame parser: ${cases} cases\n`);
});

/** What every answer of the parser must be, whatever it was given. */
function wellFormed(result: ParseResult): void {
  if (result.ok) {
    const { type, id } = result.frame;
    expect(typeof type).toBe('string');
    expect(type.length).toBeGreaterThan(0);
    expect(type.length).toBeLessThanOrEqual(64);
    if (id !== undefined) {
      expect(typeof id).toBe('string');
      expect(id.length).toBeGreaterThan(0);
      expect(id.length).toBeLessThanOrEqual(MAX_FRAME_ID_LENGTH);
    }
  } else {
    expect(typeof result.message).toBe('string');
    expect(result.message.length).toBeGreaterThan(0);
    // An id is echoed back only when it is a valid one.
    if (result.id !== undefined) {
      expect(typeof result.id).toBe('string');
      expect(result.id.length).toBeLessThanOrEqual(MAX_FRAME_ID_LENGTH);
    }
  }
}

/** Values a hostile client puts where the parser expects a type, an id or an action. */
const nasty = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    'toString',
    'system',
    'joinRoom',
    'x'.repeat(65),
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

describe('parseClientFrame under property-based fuzzing', () => {
  it('never throws on any text, and answers a frame or a refusal with a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (text) => {
        cases += 1;
        wellFormed(parseClientFrame(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on objects shaped like frames, in either dialect', () => {
    const frame = fc.record(
      {
        type: nasty,
        id: nasty,
        action: nasty,
        data: fc.oneof(nasty, fc.jsonValue()),
        channel: nasty,
        since: nasty,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(frame, (value) => {
        cases += 1;
        wellFormed(parseClientFrame(JSON.stringify(value)));
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps every field of a valid frame as sent', () => {
    const type = fc.stringMatching(/^[a-z_][a-z0-9_.]{0,63}$/);
    const id = fc.string({ minLength: 1, maxLength: MAX_FRAME_ID_LENGTH });
    const extra = fc.dictionary(
      fc
        .string({ minLength: 1, maxLength: 8 })
        .filter((k) => !['type', 'id', 'action', '__proto__'].includes(k)),
      fc.jsonValue(),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(type, fc.option(id, { nil: undefined }), extra, (t, i, fields) => {
        cases += 1;
        const sent = { ...fields, type: t, ...(i === undefined ? {} : { id: i }) };
        const parsed = parseClientFrame(JSON.stringify(sent));
        expect(parsed).toEqual({ ok: true, frame: JSON.parse(JSON.stringify(sent)) as unknown });
      }),
      { numRuns: 2000 },
    );
  });
});
