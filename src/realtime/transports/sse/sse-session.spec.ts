import type { Response } from 'express';
import { decodeCursor, encodeCursor, SseSession } from './sse-session.js';

function fakeResponse(): { res: Response; chunks: string[] } {
  const chunks: string[] = [];
  const res = {
    writableEnded: false,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    end() {
      this.writableEnded = true;
    },
  };
  return { res: res as unknown as Response, chunks };
}

describe('SSE cursors', () => {
  it('round-trips positions through an opaque, header-safe id', () => {
    const id = encodeCursor({ 'chat:1': 17, presence: 0 });
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(id)).toEqual({ 'chat:1': 17, presence: 0 });
  });

  it.each([
    undefined,
    '',
    'garbage!',
    encodeCursor({}),
    Buffer.from('"chat:1"').toString('base64url'),
  ])('resumes nothing from %p', (value) => {
    expect(decodeCursor(value)).toEqual({});
  });

  it('keeps only non-negative integer positions', () => {
    const raw = Buffer.from(JSON.stringify({ a: 3, b: -1, c: 1.5, d: '4', e: null })).toString(
      'base64url',
    );
    expect(decodeCursor(raw)).toEqual({ a: 3 });
  });
});

describe('SseSession', () => {
  it('writes events with event:, data: and, for persisted ones, an id: of every position', () => {
    const { res, chunks } = fakeResponse();
    const s = new SseSession(res, null, '127.0.0.1');
    s.subs.set('chat:1', {
      session: s,
      channel: 'chat:1',
      key: 'chat:1',
      tag: undefined,
      pos: 5,
      replay: null,
    });
    s.resumedFrom = { 'chat:2': 9 };
    s.sendEvent({
      channel: 'chat:1',
      offset: 5,
      event: 'chat.message.created',
      frame: '{"type":"event"}',
    });
    s.sendEvent({ channel: 'chat:1', event: 'chat.typing', frame: '{"type":"event","eph":1}' });
    const [persisted, ephemeral] = chunks;
    const id = /^id: (\S+)\n/.exec(persisted)?.[1];
    expect(decodeCursor(id)).toEqual({ 'chat:1': 5, 'chat:2': 9 });
    expect(persisted.endsWith('event: chat.message.created\ndata: {"type":"event"}\n\n')).toBe(
      true,
    );
    expect(ephemeral).toBe('event: chat.typing\ndata: {"type":"event","eph":1}\n\n');
  });

  it('names other frames after their type, sends comments, and stops writing once closed', () => {
    const { res, chunks } = fakeResponse();
    const s = new SseSession(res, null, '127.0.0.1');
    s.send({ type: 'subscribed', channel: 'chat:1', offset: 0 });
    s.comment('ping');
    s.close(1001, 'bye');
    s.comment('ping');
    expect(chunks).toEqual([
      'event: subscribed\ndata: {"type":"subscribed","channel":"chat:1","offset":0}\n\n',
      ': ping\n\n',
    ]);
  });
});
