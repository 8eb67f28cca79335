import { LocalSocketCounter } from './socket-counter.js';

describe('LocalSocketCounter', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('counts sockets per user and reports a due check only after the last one closed', async () => {
    const counter = new LocalSocketCounter();
    const due: string[] = [];
    await counter.start({
      due: async (ids) => void due.push(...ids),
      revived: async () => undefined,
    });
    expect(await counter.add('u1')).toBe(1);
    expect(await counter.add('u1')).toBe(2);
    expect(await counter.remove('u1', 20)).toBe(1);
    expect(await counter.isOnlineAnywhere('u1')).toBe(true);
    expect(await counter.remove('u1', 20)).toBe(0);
    expect(await counter.isOnlineAnywhere('u1')).toBe(false);
    await sleep(80);
    expect(due).toEqual(['u1']);
    await counter.stop();
  });

  it('a new check replaces a pending one; stop cancels them', async () => {
    const counter = new LocalSocketCounter();
    const due: string[] = [];
    await counter.start({
      due: async (ids) => void due.push(...ids),
      revived: async () => undefined,
    });
    await counter.scheduleCheck(['u2'], 30);
    await counter.scheduleCheck(['u2'], 60);
    await sleep(120);
    expect(due).toEqual(['u2']);
    await counter.scheduleCheck(['u3'], 20);
    await counter.stop();
    await sleep(60);
    expect(due).toEqual(['u2']);
  });
});
