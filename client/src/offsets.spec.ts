import { describe, expect, it } from '@jest/globals';
import { OffsetTracker, type OffsetStorage } from './offsets.js';

function memoryStorage(initial: Record<string, number> = {}): OffsetStorage & {
  data: Record<string, number>;
} {
  const data = { ...initial };
  return { data, get: (c) => data[c], set: (c, o) => void (data[c] = o) };
}

describe('OffsetTracker', () => {
  it('delivers each offset once: a replay overlapping what was seen is dropped', () => {
    const t = new OffsetTracker();
    const delivered = [1, 2, 3, 2, 3, 4, 4, 5].filter((o) => t.accept('chat:1', o));
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    expect(t.get('chat:1')).toBe(5);
  });

  it('keeps channels apart and always lets ephemeral events (no offset) through', () => {
    const t = new OffsetTracker();
    expect(t.accept('chat:1', 3)).toBe(true);
    expect(t.accept('chat:2', 1)).toBe(true);
    expect(t.accept('chat:1', undefined)).toBe(true);
    expect(t.accept('chat:1', undefined)).toBe(true);
    expect(t.snapshot(['chat:1', 'chat:2', 'chat:3'])).toEqual({ 'chat:1': 3, 'chat:2': 1 });
  });

  it('resumes from storage and writes every delivered offset to it', async () => {
    const storage = memoryStorage({ 'board:9': 41 });
    const t = new OffsetTracker(storage);
    expect(await t.resumePoint('board:9')).toBe(41);
    expect(t.accept('board:9', 41)).toBe(false);
    expect(t.accept('board:9', 42)).toBe(true);
    expect(storage.data['board:9']).toBe(42);
    expect(await t.resumePoint('chat:1')).toBeUndefined();
  });

  it('ignores a failing or garbled storage', async () => {
    const t = new OffsetTracker({
      get: () => Promise.reject(new Error('quota')),
      set: () => {
        throw new Error('quota');
      },
    });
    expect(await t.resumePoint('a')).toBeUndefined();
    expect(t.accept('a', 1)).toBe(true);
    const garbled = new OffsetTracker(memoryStorage({ a: -1 }));
    expect(await garbled.resumePoint('a')).toBeUndefined();
  });

  it('a fresh subscription starts at the offset the server gives', () => {
    const t = new OffsetTracker();
    expect(t.subscribed('c', undefined, { offset: 7 })).toEqual({ recovered: true, offset: 7 });
    expect(t.accept('c', 7)).toBe(false);
    expect(t.accept('c', 8)).toBe(true);
  });

  it('a resume reports what the server says about recovery', () => {
    const t = new OffsetTracker();
    t.accept('c', 5);
    expect(t.subscribed('c', 5, { offset: 9, recovered: true })).toEqual({
      recovered: true,
      offset: 5,
    });
    expect(t.subscribed('c', 5, { offset: 2000, recovered: false })).toEqual({
      recovered: false,
      offset: 5,
    });
  });

  it('a server latest below what was seen (log reset) follows the server and reports a loss', () => {
    const t = new OffsetTracker();
    t.accept('c', 50);
    expect(t.subscribed('c', 50, { offset: 3, recovered: false })).toEqual({
      recovered: false,
      offset: 3,
    });
    expect(t.accept('c', 4)).toBe(true);
  });
});
