import { sqlClient } from '../helpers/databases.js';
import { expectEventually, sleep } from '../helpers/eventually.js';
import { createGroup, faultEnv, knob, latestOffset, seedUsers } from '../helpers/fault-cluster.js';
import { PipelinedSocket, Reply } from '../helpers/pipelined-socket.js';
import { OwnPostgres } from '../helpers/postgres-server.js';
import { ResumingSubscriber } from '../helpers/resuming-subscriber.js';
import { killAllServers, ServerProcess } from '../helpers/server-process.js';
import type { SeededUser } from '../helpers/seed-users.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const OUTAGE_MS = knob('FAULT_PG_OUTAGE_MS', 8000);

/**
 * PostgreSQL fails under a node: restarted (a crash: every connection cut),
 * unreachable (connections refused), and silent (connections open, nothing
 * answers). Meanwhile every write is answered with a coded error or an ack,
 * and no ack is for a write the database does not have afterwards;
 * /health/ready says not ready; afterwards the node serves again by itself,
 * and a subscriber has every event once, in order.
 */
describe('PostgreSQL restarted, unreachable or silent under a node', () => {
  let pg: OwnPostgres;
  let path: TcpProxy;
  let node: ServerProcess;
  let directUrl: string;
  let writer: SeededUser;
  let reader: SeededUser;
  let conversation: string;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    pg = await OwnPostgres.start();
    const admin = await sqlClient(pg.url());
    try {
      await admin.query('CREATE DATABASE app');
    } finally {
      await admin.end();
    }
    directUrl = pg.url('app');
    path = await TcpProxy.start([pg.port]);
    node = await ServerProcess.start({
      databaseUrl: `postgres://postgres:test@127.0.0.1:${path.port}/app`,
      redisUrl: process.env.TEST_REDIS_URL,
      // A silent database holds a write this long before its error.
      env: faultEnv({ COMMAND_TIMEOUT_MS: '2000' }),
    });
    [writer, reader] = await seedUsers(directUrl, 2);
    conversation = await createGroup(node.baseUrl, writer, [reader], 'pg faults');
  }, 120_000);
  afterAll(async () => {
    for (const o of open) o.close();
    await killAllServers();
    await path?.close();
    pg?.stop();
  });

  async function scenario(
    name: string,
    breakDb: () => void,
    repairDb: () => void,
  ): Promise<Record<string, unknown>> {
    const channel = `chat:${conversation}`;
    const sub = new ResumingSubscriber(node.baseUrl, reader.accessToken, [channel]);
    await sub.start();
    open.push({ close: () => sub.stop() });
    const socket = await PipelinedSocket.open(node.baseUrl, writer.accessToken);
    open.push(socket);
    let writing = true;
    const replies: { clientMsgId: string; reply: Reply }[] = [];
    const lane = async (l: number): Promise<void> => {
      for (let n = 0; writing; n++) {
        const clientMsgId = `${name}-${l}-${n}`;
        const reply = await socket.request('chat.send', {
          conversationId: conversation,
          content: clientMsgId,
          clientMsgId,
        });
        replies.push({ clientMsgId, reply });
        // Errors come back at once while the database is down: do not spin.
        if (reply.type !== 'ack') await sleep(50);
      }
    };
    const lanes = Array.from({ length: 4 }, (_, l) => lane(l));
    try {
      await expectEventually(() => expect(replies.length).toBeGreaterThan(40));
      breakDb();
      const brokeAt = Date.now();
      await expectEventually(async () => expect(await node.ready()).toBe(503), {
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      // Pacing: the outage lasts its length while writes keep coming.
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - brokeAt)));
      repairDb();
      await expectEventually(async () => expect(await node.ready()).toBe(200), {
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      const since = replies.length;
      // Writes succeed again by themselves.
      await expectEventually(
        () =>
          expect(replies.slice(since).filter((r) => r.reply.type === 'ack').length).toBeGreaterThan(
            20,
          ),
        { timeoutMs: 30_000 },
      );
    } finally {
      writing = false;
      await Promise.all(lanes);
    }
    const acked = replies.filter((r) => r.reply.type === 'ack').map((r) => r.clientMsgId);
    const refused = replies.filter((r) => r.reply.type !== 'ack');
    // Every refusal is an error frame with a code of the contract, the socket open.
    for (const r of refused)
      expect(r.reply).toMatchObject({ type: 'error', code: expect.any(String) as unknown });
    const db = await sqlClient(directUrl);
    let stored: Set<string>;
    try {
      const { rows } = await db.query<{ client_msg_id: string }>(
        'SELECT client_msg_id FROM messages WHERE conversation_id = $1 AND client_msg_id LIKE $2',
        [conversation, `${name}-%`],
      );
      stored = new Set(rows.map((r) => r.client_msg_id));
    } finally {
      await db.end();
    }
    const ackedMissing = acked.filter((id) => !stored.has(id));
    const latest = new Map([[channel, await latestOffset(node.baseUrl, writer, channel)]]);
    await expectEventually(() => expect(sub.caughtUp(latest)).toBe(true), { timeoutMs: 30_000 });
    const figures = {
      scenario: name,
      outageMs: OUTAGE_MS,
      writes: replies.length,
      acked: acked.length,
      refused: refused.length,
      refusedCodes: [...new Set(refused.map((r) => String(r.reply.code)))],
      // Refused, yet committed: allowed (the client retries with its clientMsgId).
      refusedButStored: refused.filter((r) => stored.has(r.clientMsgId)).length,
      ackedMissing: ackedMissing.length,
      events: latest.get(channel),
      received: sub.received,
      duplicates: sub.duplicates,
      gaps: sub.gaps,
    };
    console.log(`[postgres] ${JSON.stringify(figures)}`);
    expect(ackedMissing).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    expect(sub.duplicates).toBe(0);
    expect(sub.gaps).toBe(0);
    expect(sub.errors).toEqual([]);
    sub.stop();
    socket.close();
    return figures;
  }

  it('restarted (a crash, then up again)', async () => {
    await scenario(
      'restart',
      () => pg.stopServer(),
      () => pg.startServer(),
    );
  }, 120_000);

  it('unreachable (every connection refused)', async () => {
    await scenario(
      'refused',
      () => path.refuse(),
      () => path.heal(),
    );
  }, 120_000);

  it('silent (connections open, nothing answers)', async () => {
    await scenario(
      'silent',
      () => path.blackhole(),
      () => path.heal(),
    );
  }, 120_000);
});
