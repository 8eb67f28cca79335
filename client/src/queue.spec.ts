import { describe, expect, it } from '@jest/globals';
import { CommandQueue } from './queue.js';

describe('CommandQueue', () => {
  it('keeps order, refuses past its bound, and drains oldest first', () => {
    const q = new CommandQueue<string>(3);
    expect([q.push('a'), q.push('b'), q.push('c'), q.push('d')]).toEqual([true, true, true, false]);
    expect(q.size).toBe(3);
    expect(q.drain()).toEqual(['a', 'b', 'c']);
    expect(q.size).toBe(0);
  });

  it('puts resent commands back ahead of those queued later', () => {
    const q = new CommandQueue<string>(10);
    q.push('later');
    q.requeueFirst(['inflight1', 'inflight2']);
    expect(q.drain()).toEqual(['inflight1', 'inflight2', 'later']);
  });

  it('removes one command (a timeout while queued)', () => {
    const q = new CommandQueue<string>(10);
    q.push('a');
    q.push('b');
    expect(q.remove('a')).toBe(true);
    expect(q.remove('a')).toBe(false);
    expect(q.drain()).toEqual(['b']);
  });
});
