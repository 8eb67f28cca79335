import { ReplyOrder, ReplyFrame } from './reply-order.js';

describe('ReplyOrder', () => {
  function order(): { out: ReplyOrder; sent: string[] } {
    const sent: string[] = [];
    return { out: new ReplyOrder((f: ReplyFrame) => sent.push(String(f.n))), sent };
  }

  it('sends at once while nothing is owed before', () => {
    const { out, sent } = order();
    const a = out.reserve();
    a.send({ type: 'pong', n: 1 });
    expect(sent).toEqual(['1']);
    a.finish();
    expect(out.pending).toBe(0);
  });

  it('holds a later reply until the earlier ones are finished, then sends in order', () => {
    const { out, sent } = order();
    const slow = out.reserve();
    const fast = out.reserve();
    const last = out.reserve();
    last.send({ type: 'error', n: 3 });
    fast.send({ type: 'pong', n: 2 });
    fast.finish();
    expect(sent).toEqual([]);
    slow.send({ type: 'ack', n: 1 });
    expect(sent).toEqual(['1']);
    slow.finish();
    expect(sent).toEqual(['1', '2', '3']);
    last.finish();
    expect(out.pending).toBe(0);
  });

  it('wakes a slot waiting for its turn once every earlier slot finished', async () => {
    const { out, sent } = order();
    const first = out.reserve();
    const second = out.reserve();
    let woke = false;
    const turn = second.turn().then(() => {
      woke = true;
      second.send({ type: 'subscribed', n: 2 });
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    first.send({ type: 'ack', n: 1 });
    first.finish();
    await turn;
    expect(sent).toEqual(['1', '2']);
  });

  it('ignores a second finish', () => {
    const { out } = order();
    const a = out.reserve();
    const b = out.reserve();
    a.finish();
    a.finish();
    expect(out.isHead(b)).toBe(true);
  });
});
