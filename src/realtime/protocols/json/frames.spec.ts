import { encodeEventFrame } from '../../events/channel-event.js';
import { errorFrame, MAX_FRAME_ID_LENGTH, parseClientFrame } from './frames.js';

describe('parseClientFrame', () => {
  it('accepts an object with a type, keeping every field', () => {
    expect(
      parseClientFrame('{"type":"subscribe","id":"c-1","channel":"chat:1","since":3}'),
    ).toEqual({ ok: true, frame: { type: 'subscribe', id: 'c-1', channel: 'chat:1', since: 3 } });
    expect(parseClientFrame('{"type":"ping"}')).toEqual({ ok: true, frame: { type: 'ping' } });
  });

  it.each(['', '{', 'not json', '{"type":"ping",}'])('refuses malformed JSON %p', (text) => {
    expect(parseClientFrame(text)).toEqual({ ok: false, message: 'Malformed JSON' });
  });

  it.each(['[]', '"ping"', '42', 'null', 'true'])('refuses the non-object %s', (text) => {
    expect(parseClientFrame(text)).toEqual({ ok: false, message: 'A frame must be a JSON object' });
  });

  it('accepts an id of up to 64 characters and refuses a longer, empty or non-string one', () => {
    const max = 'i'.repeat(MAX_FRAME_ID_LENGTH);
    expect(parseClientFrame(JSON.stringify({ type: 'ping', id: max }))).toMatchObject({
      ok: true,
      frame: { id: max },
    });
    for (const id of [`${max}x`, '', 17, null, { a: 1 }]) {
      const r = parseClientFrame(JSON.stringify({ type: 'ping', id }));
      expect(r).toMatchObject({ ok: false, details: [{ field: 'id' }] });
      // An invalid id is not echoed back.
      expect((r as { id?: unknown }).id).toBeUndefined();
    }
  });

  it('refuses a missing, empty, non-string or over-long type, keeping a valid id for the reply', () => {
    for (const type of [undefined, '', 5, 't'.repeat(65)]) {
      expect(parseClientFrame(JSON.stringify({ id: 'c-9', type }))).toMatchObject({
        ok: false,
        id: 'c-9',
        details: [{ field: 'type' }],
      });
    }
  });
});

describe('encodeEventFrame', () => {
  it('writes the event frame of the contract, in a stable key order', () => {
    const text = encodeEventFrame({
      channel: 'chat:42',
      offset: 17,
      event: 'chat.message.created',
      data: { id: 'm1' },
      ts: '2025-01-01T00:00:00.000Z',
    });
    expect(text).toBe(
      '{"type":"event","channel":"chat:42","offset":17,"event":"chat.message.created","data":{"id":"m1"},"ts":"2025-01-01T00:00:00.000Z"}',
    );
  });

  it('leaves the offset out of ephemeral events', () => {
    const frame = JSON.parse(
      encodeEventFrame({ channel: 'presence', event: 'presence.changed', data: null, ts: 'now' }),
    ) as Record<string, unknown>;
    expect(frame).toEqual({
      type: 'event',
      channel: 'presence',
      event: 'presence.changed',
      data: null,
      ts: 'now',
    });
    expect('offset' in frame).toBe(false);
  });
});

describe('errorFrame', () => {
  it('carries only the fields that are set', () => {
    expect(errorFrame(undefined, 'BAD_REQUEST', 'Malformed JSON')).toEqual({
      type: 'error',
      code: 'BAD_REQUEST',
      message: 'Malformed JSON',
    });
    expect(
      errorFrame('c-1', 'RATE_LIMITED', 'Too many requests', {
        retryAfterMs: 250,
        details: undefined,
      }),
    ).toEqual({
      type: 'error',
      id: 'c-1',
      code: 'RATE_LIMITED',
      message: 'Too many requests',
      retryAfterMs: 250,
    });
    expect(errorFrame('c-2', 'INTERNAL', 'Internal server error', { traceId: 't-1' })).toEqual({
      type: 'error',
      id: 'c-2',
      code: 'INTERNAL',
      message: 'Internal server error',
      traceId: 't-1',
    });
  });
});

describe('the {type, action, data} dialect of room-based servers', () => {
  it('reads {type, action} as the command <type>.<action>, keeping id and data', () => {
    expect(
      parseClientFrame(
        '{"type":"chat","action":"send","id":"r-1","data":{"conversationId":"c","content":"hi"}}',
      ),
    ).toEqual({
      ok: true,
      frame: { type: 'chat.send', id: 'r-1', data: { conversationId: 'c', content: 'hi' } },
    });
  });

  it('reads system.joinRoom / leaveRoom as subscribe / unsubscribe of data.roomName', () => {
    expect(
      parseClientFrame(
        '{"type":"system","action":"joinRoom","id":"j","data":{"roomName":"chat:42","since":3}}',
      ),
    ).toEqual({ ok: true, frame: { type: 'subscribe', id: 'j', channel: 'chat:42', since: 3 } });
    expect(
      parseClientFrame('{"type":"system","action":"leaveRoom","data":{"roomName":"chat:42"}}'),
    ).toEqual({ ok: true, frame: { type: 'unsubscribe', channel: 'chat:42' } });
  });

  it.each([
    ['{"type":"chat","action":""}', 'action'],
    ['{"type":"chat","action":"se nd"}', 'action'],
    ['{"type":"chat","action":7}', 'action'],
    [`{"type":"${'x'.repeat(60)}","action":"longaction"}`, 'action'],
  ])('refuses %s, naming the field', (text, field) => {
    expect(parseClientFrame(text)).toMatchObject({ ok: false, details: [{ field }] });
  });

  it('leaves frames in the contract shape untouched', () => {
    const text = '{"type":"chat.send","id":"x","data":{"content":"hi"}}';
    expect(parseClientFrame(text)).toEqual({ ok: true, frame: JSON.parse(text) });
  });
});
