import WebSocket from 'ws';
import { createTestDatabase } from '../helpers/databases.js';
import { expectEventually } from '../helpers/eventually.js';
import { createGroup, faultEnv, knob, seedUsers } from '../helpers/fault-cluster.js';
import { PipelinedSocket } from '../helpers/pipelined-socket.js';
import { HeapFigures, killAllServers, ServerProcess } from '../helpers/server-process.js';
import type { SeededUser } from '../helpers/seed-users.js';

const CYCLES = knob('FAULT_CHURN_CYCLES', 20_000);
const PARALLEL = knob('FAULT_CHURN_PARALLEL', 50);
const MiB = 1024 * 1024;
const BOUND = 256 * 1024;
const memory = (f: HeapFigures): number => f.heapUsed + f.arrayBuffers;

/**
 * One server process, its heap read after a forced GC through the inspector:
 * what connections leave behind once they are gone, and what a client that
 * stops reading costs.
 */
describe('connection churn and slow consumers in a server process', () => {
  let server: ServerProcess;
  let users: SeededUser[];
  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('fault');
    server = await ServerProcess.start({
      databaseUrl,
      redisUrl: process.env.TEST_REDIS_URL,
      // The default heartbeat: a reader that stops for seconds must meet the bound,
      // not the dead-peer check.
      env: faultEnv({ WS_MAX_BUFFERED_BYTES: String(BOUND), WS_HEARTBEAT_MS: '25000' }),
      inspector: true,
    });
    users = await seedUsers(databaseUrl, 100);
  }, 120_000);
  afterAll(async () => {
    await killAllServers();
  });

  /**
   * One socket: opens, gets `connected`, maybe subscribes, then leaves by a
   * clean close or a dropped connection. One in four is a user's (presence,
   * the user channel, the socket counts in Redis); the others are anonymous,
   * which costs the server less and lets the run reach its count in time.
   */
  async function cycle(n: number): Promise<void> {
    const user = n % 4 === 0 ? users[(n / 4) % users.length] : undefined;
    const query = user ? `?token=${user.accessToken}` : '';
    const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/ws${query}`);
    const channel = user ? 'presence' : 'announcements';
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const f = JSON.parse(data.toString()) as { type: string };
        if (f.type === 'connected' && n % 3 === 0)
          ws.send(JSON.stringify({ type: 'subscribe', id: 's', channel }));
        else if (f.type === 'connected' || f.type === 'subscribed') resolve();
      });
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`closed ${code} before connected`)));
    });
    ws.removeAllListeners();
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('error', () => undefined);
    if (n % 2 === 0) ws.close(1000);
    else ws.terminate();
    await closed;
  }

  async function churn(cycles: number): Promise<number> {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let n = next++; n < cycles; n = next++) await cycle(n);
      }),
    );
    return Date.now() - started;
  }

  const openSockets = (): Promise<number> => server.metric('rt_open_sockets');

  it(`${CYCLES} connect/disconnect cycles: heap, handles and the open-sockets gauge back to baseline`, async () => {
    // Warm-up: pools, caches and JIT reach their working size first.
    await churn(500);
    await expectEventually(async () => expect(await openSockets()).toBe(0));
    const before = await server.inspect();
    const cpuBefore = server.cpuMs();
    const ms = await churn(CYCLES);
    const serverCpuMs = Math.round(server.cpuMs() - cpuBefore);
    await expectEventually(async () => expect(await openSockets()).toBe(0), { timeoutMs: 30_000 });
    // Database connections opened under load close after the pool's idle time.
    const after = await expectEventually(
      async () => {
        const figures = await server.inspect();
        expect(figures.handles).toBeLessThanOrEqual(before.handles + 2);
        return figures;
      },
      { timeoutMs: 40_000, intervalMs: 2000 },
    );
    const figures = {
      cycles: CYCLES,
      ms,
      perSecond: Math.round((CYCLES * 1000) / ms),
      serverCpuMs,
      heapBeforeMiB: +(before.heapUsed / MiB).toFixed(1),
      heapAfterMiB: +(after.heapUsed / MiB).toFixed(1),
      handlesBefore: before.handles,
      handlesAfter: after.handles,
      closes: await server.metric('rt_socket_closes_total'),
    };
    console.log(`[churn] ${JSON.stringify(figures)}`);
    // A leak of 200 bytes a connection would show: 4 MB over 20000 cycles.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(4 * MiB);
  }, 600_000);

  it('a client that stops reading is closed with 4503 and costs no more than its bound, while another gets everything', async () => {
    const [writer, fastUser, slowUser] = users;
    const conversation = await createGroup(server.baseUrl, writer, [fastUser, slowUser], 'slow');
    const channel = `chat:${conversation}`;
    const subscribe = async (u: SeededUser): Promise<PipelinedSocket> => {
      const s = await PipelinedSocket.open(server.baseUrl, u.accessToken);
      const reply = await s.request('subscribe', undefined, { channel });
      expect(reply.type).toBe('subscribed');
      return s;
    };
    const fast = await subscribe(fastUser);
    const slow = await subscribe(slowUser);
    const before = await server.inspect();
    const fastOffsets: number[] = [];
    fast.ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as { type: string; offset?: number };
      if (f.type === 'event' && f.offset !== undefined) fastOffsets.push(f.offset);
    });
    slow.ws.pause();
    const closesBefore = await server.metric('rt_socket_closes_total', { code: '4503' });
    const w = await PipelinedSocket.open(server.baseUrl, writer.accessToken);
    const content = 'x'.repeat(2000);
    let written = 0;
    // Until the server gives up on the slow reader (the kernel's socket buffers take megabytes first).
    while ((await server.metric('rt_socket_closes_total', { code: '4503' })) === closesBefore) {
      if (written >= 6000) throw new Error(`no 4503 after ${written} messages`);
      const batch = Array.from({ length: 100 }, () =>
        w.request('chat.send', { conversationId: conversation, content }),
      );
      for (const r of await Promise.all(batch)) expect(r.type).toBe('ack');
      written += batch.length;
    }
    await expectEventually(() => expect(fastOffsets.length).toBe(written), { timeoutMs: 30_000 });
    expect(fastOffsets).toEqual(Array.from({ length: written }, (_, i) => i + 1));
    const during = await server.inspect();
    slow.ws.resume();
    expect(await slow.closed).toBe(4503);
    const figures = {
      written,
      bytesWritten: written * 2300,
      bound: BOUND,
      memoryBeforeMiB: +(memory(before) / MiB).toFixed(1),
      memoryWithSlowReaderMiB: +(memory(during) / MiB).toFixed(1),
    };
    console.log(`[slow-consumer] ${JSON.stringify(figures)}`);
    // What waits for the slow reader is its bound (and a frame), not what was written.
    expect(memory(during) - memory(before)).toBeLessThan(BOUND + 4 * MiB);
    fast.close();
    w.close();
  }, 300_000);
});
