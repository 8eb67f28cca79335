// `npm run bench -- <scenario> [--quick]`: runs one scenario on loopback against
// our server and its peers, alternating targets (A B A B), and appends one JSON
// line of results to bench/results/<scenario>.jsonl. Bounded in time and count.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createInterface } from 'node:readline';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import WebSocket from 'ws';
import { startPostgres, startRedis } from '../scripts/services.mjs';
import { cpuMicros, loadAverage, percentiles, rssBytes, settle } from './lib/proc.mjs';
import {
  createDatabase,
  JWT_SECRET,
  registerUsers,
  startOurs,
  startPeer,
  stop,
} from './lib/targets.mjs';

const scenario = process.argv[2];
const quick = process.argv.includes('--quick');
const ratesArg = process.argv
  .find((a) => a.startsWith('--rates='))
  ?.slice(8)
  .split(',')
  .map(Number);
const roundsArg = Number(
  process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? Number.NaN,
);
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const SCENARIOS = {
  fanout,
  chat,
  idle,
  history,
  recovery,
  'two-instances': twoInstances,
  reconnect,
};
if (!SCENARIOS[scenario]) {
  console.error(`usage: npm run bench -- <${Object.keys(SCENARIOS).join('|')}> [--quick]`);
  process.exit(2);
}
if (!existsSync('dist/main.js'))
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

const started = [];
const cleanup = async () => {
  for (const s of started.reverse()) await s.stop();
};
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

const pgServer = await startPostgres();
started.push(pgServer);

try {
  const result = await SCENARIOS[scenario]();
  const line = {
    scenario,
    at: new Date().toISOString(),
    quick,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAvgStart: loadAverage(),
    },
    versions: versions(),
    ...result,
  };
  mkdirSync('bench/results', { recursive: true });
  appendFileSync(`bench/results/${scenario}.jsonl`, JSON.stringify(line) + '\n');
  console.log(JSON.stringify(line, null, 2));
} finally {
  await cleanup();
}

function versions() {
  const v = (p) => JSON.parse(readFileSync(`node_modules/${p}/package.json`, 'utf8')).version;
  return {
    node: process.version,
    ws: v('ws'),
    socketio: v('socket.io'),
    nest: v('@nestjs/core'),
    postgres: pgServer.binDir,
  };
}

async function startTarget(kind, opts = {}) {
  // `stomp`: our server, its subscribers speaking STOMP instead of the JSON protocol.
  if (kind === 'ours' || kind === 'stomp') {
    const databaseUrl = opts.databaseUrl ?? (await createDatabase(pgServer.url));
    const t = await startOurs({ databaseUrl, redisUrl: opts.redisUrl });
    const admin = (await registerUsers(t.url, 1, 'admin'))[0];
    const users = await registerUsers(t.url, opts.users ?? 20, 'u');
    return {
      ...t,
      kind,
      databaseUrl,
      admin,
      tokens: users.map((u) => u.token),
      channel: 'announcements',
    };
  }
  const t = await startPeer(kind);
  return { ...t, tokens: [], channel: 'bench' };
}

/** Runs the fan-out load generator once against `target`, measuring the server's CPU during the publish phase. */
async function runFanout(
  target,
  { subscribers, rate, durationMs, serverPids = [target.pid], subscriberTarget },
) {
  const cfg = {
    target: { kind: target.kind, url: target.url, wsUrl: target.wsUrl },
    subscriberTarget,
    subscribers,
    rate,
    durationMs,
    channel: target.channel,
    tokens: target.tokens,
    publisherToken: target.admin?.token,
  };
  return runLoad('bench/loadgen/fanout.mjs', cfg, serverPids, durationMs);
}

async function fanout() {
  const subscribers = quick ? 200 : 1000;
  const durationMs = quick ? 2000 : 5000;
  const rates = ratesArg ?? (quick ? [10, 50, 200] : [10, 50, 100, 200, 400, 800, 1600]);
  const kinds = only ?? ['ours', 'raw', 'socketio'];
  // Targets alternate within each round (A B A B ...); the summary takes medians.
  const rounds = roundsArg > 0 ? roundsArg : 2;
  const rows = [];
  for (const rate of rates) {
    for (let round = 0; round < rounds; round++) {
      for (const kind of kinds) {
        const target = await startTarget(kind);
        try {
          // Before any subscriber: the process itself (runtime, framework, code).
          const serverRssBootBytes = rssBytes(target.pid);
          const r = await runFanout(target, { subscribers, rate, durationMs });
          rows.push({ kind, rate, round, serverRssBootBytes, ...r });
          console.error(
            `[fanout] ${kind} rate=${rate} round=${round}: cpu/delivery=${r.serverCpuUsPerDelivery}us p99=${r.latencyMs.p99}ms rss=${Math.round(serverRssBootBytes / 2 ** 20)}/${Math.round(r.serverRssAtGoBytes / 2 ** 20)}/${Math.round(r.serverRssPeakBytes / 2 ** 20)}MiB (boot/subscribed/peak) lost=${r.lost} bound=${r.bound}`,
          );
        } finally {
          await stop(target);
        }
      }
    }
  }
  return {
    params: { subscribers, durationMs, rates, rounds, payloadBytes: 200 },
    rows,
    summary: summarise(rows, kinds),
  };
}

function summarise(rows, kinds) {
  const out = {};
  for (const rate of [...new Set(rows.map((r) => r.rate))]) {
    const by = {};
    for (const kind of kinds) {
      const rs = rows.filter((r) => r.rate === rate && r.kind === kind);
      const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      by[kind] = {
        cpuUsPerDelivery: median(rs.map((r) => r.serverCpuUsPerDelivery)),
        p99Ms: median(rs.map((r) => r.latencyMs.p99)),
        rssPeakMiB: Math.round(median(rs.map((r) => r.serverRssPeakBytes)) / 2 ** 20),
        rssBootMiB: Math.round(median(rs.map((r) => r.serverRssBootBytes ?? 0)) / 2 ** 20),
        lost: rs.reduce((n, r) => n + r.lost, 0),
        held: rs.every((r) => r.lost === 0 && r.latencyMs.p99 < 100),
      };
    }
    by.ratios = {
      cpuOursOverRaw: ratio(by.ours?.cpuUsPerDelivery, by.raw?.cpuUsPerDelivery),
      cpuStompOverRaw: ratio(by.stomp?.cpuUsPerDelivery, by.raw?.cpuUsPerDelivery),
      cpuStompOverOurs: ratio(by.stomp?.cpuUsPerDelivery, by.ours?.cpuUsPerDelivery),
      cpuOursOverSocketio: ratio(by.ours?.cpuUsPerDelivery, by.socketio?.cpuUsPerDelivery),
      p99OursOverRaw: ratio(by.ours?.p99Ms, by.raw?.p99Ms),
      rssOursOverRaw: ratio(by.ours?.rssPeakMiB, by.raw?.rssPeakMiB),
    };
    out[rate] = by;
  }
  return out;
}

function ratio(a, b) {
  return a != null && b ? Math.round((a / b) * 100) / 100 : null;
}

async function idle() {
  const count = quick ? 1000 : 10000;
  // --distinct: every socket of ours is another user (a reconnect storm), not 20 users' sockets.
  const distinct = process.argv.includes('--distinct');
  const rows = [];
  for (let round = 0; round < (roundsArg > 0 ? roundsArg : 2); round++) {
    for (const kind of only ?? ['ours', 'raw', 'socketio']) {
      const target = await startTarget(kind);
      try {
        if (distinct && kind === 'ours')
          target.tokens = (await seedUsers(target.databaseUrl, count)).map((u) => u.token);
        const rss0 = rssBytes(target.pid);
        const cpu0 = cpuMicros(target.pid);
        const t0 = performance.now();
        const r = await openIdle(target, count);
        const seconds = (performance.now() - t0) / 1000;
        // The 2 s after the last connect count too: work a connect leaves behind (online marks).
        await new Promise((res) => setTimeout(res, 2000));
        const serverCpuUsPerConnect = Math.round((cpuMicros(target.pid) - cpu0) / r);
        const rss1 = rssBytes(target.pid);
        rows.push({
          kind,
          round,
          sockets: r,
          connectsPerSec: Math.round(r / seconds),
          serverCpuUsPerConnect,
          rssPerSocketBytes: Math.round((rss1 - rss0) / r),
          rssBefore: rss0,
          rssAfter: rss1,
        });
        console.error(
          `[idle] ${kind}: ${Math.round((rss1 - rss0) / r)} B/socket, ${Math.round(r / seconds)} connects/s, ${serverCpuUsPerConnect} µs of server CPU per connect`,
        );
      } finally {
        await stop(target);
      }
    }
  }
  const med = (kind, k) => {
    const xs = rows
      .filter((r) => r.kind === kind)
      .map((r) => r[k])
      .sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)];
  };
  return {
    params: { sockets: count, distinctUsers: distinct },
    rows,
    summary: {
      rssPerSocket: {
        ours: med('ours', 'rssPerSocketBytes'),
        raw: med('raw', 'rssPerSocketBytes'),
        socketio: med('socketio', 'rssPerSocketBytes'),
      },
      ratioOursOverRaw: ratio(med('ours', 'rssPerSocketBytes'), med('raw', 'rssPerSocketBytes')),
      connectsPerSec: {
        ours: med('ours', 'connectsPerSec'),
        raw: med('raw', 'connectsPerSec'),
        socketio: med('socketio', 'connectsPerSec'),
      },
      connectsOursOverRaw: ratio(med('ours', 'connectsPerSec'), med('raw', 'connectsPerSec')),
      cpuPerConnectUs: {
        ours: med('ours', 'serverCpuUsPerConnect'),
        raw: med('raw', 'serverCpuUsPerConnect'),
      },
      cpuPerConnectOursOverRaw: ratio(
        med('ours', 'serverCpuUsPerConnect'),
        med('raw', 'serverCpuUsPerConnect'),
      ),
    },
  };
}

/**
 * A node drained under 10000 sockets (1000 with --quick), a user each: time until
 * every socket is back on the other node with its subscription resumed (ours:
 * with `since`, nothing lost or repeated while a publisher on the other node goes
 * on), against raw ws doing the bare reconnect (its first server just exits).
 */
async function reconnect() {
  const count = quick ? 1000 : 10000;
  // 10000 deliveries a second either way: enough events to prove nothing is lost
  // or repeated, few enough that fan-out does not take the machine from the storm.
  const rate = quick ? 10 : 1;
  const redis = await startRedis();
  started.push(redis);
  const rows = [];
  for (let round = 0; round < (roundsArg > 0 ? roundsArg : 2); round++) {
    for (const kind of only ?? ['ours', 'raw']) {
      let a;
      let b;
      if (kind === 'ours') {
        a = await startTarget('ours', { redisUrl: redis.url });
        b = await startOurs({ databaseUrl: a.databaseUrl, redisUrl: redis.url });
        a.tokens = (await seedUsers(a.databaseUrl, count)).map((u) => u.token);
      } else {
        a = await startPeer('raw');
        b = await startPeer('raw');
      }
      try {
        const cfg = {
          kind,
          a: { wsUrl: a.wsUrl },
          b: { kind: a.kind, url: b.url, wsUrl: b.wsUrl },
          count,
          rate,
          channel: a.channel ?? 'bench',
          tokens: a.tokens,
          publisherToken: a.admin?.token,
        };
        const gen = spawn(process.execPath, ['bench/loadgen/reconnect.mjs', configArg(cfg)], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        const lines = createInterface({ input: gen.stdout });
        const result = new Promise((resolve, reject) => {
          lines.on('line', (l) => {
            if (l === 'READY') {
              gen.stdin.write('GO\n');
              a.child.kill('SIGTERM');
            } else if (l.startsWith('RESULT ')) resolve(JSON.parse(l.slice(7)));
          });
          gen.once('exit', (code) => reject(new Error(`reconnect generator exited ${code}`)));
        });
        const r = await result;
        rows.push({ kind, round, ...r });
        console.error(
          `[reconnect] ${kind}: ${r.resumed}/${count} back in ${r.stormMs} ms, duplicates=${r.duplicates} gaps=${r.gaps} behind=${r.behind}`,
        );
      } finally {
        await stop(b);
        await stop(a);
      }
    }
  }
  const med = (kind) => {
    const xs = rows
      .filter((r) => r.kind === kind)
      .map((r) => r.stormMs)
      .sort((x, y) => x - y);
    return xs[Math.floor(xs.length / 2)];
  };
  return {
    params: { sockets: count, publishRate: rate },
    rows,
    summary: {
      stormMs: { ours: med('ours'), raw: med('raw') },
      oursOverRaw: ratio(med('ours'), med('raw')),
    },
  };
}

/** Opens `count` idle sockets from a child process (spread over 127.0.0.x sources); resolves with how many opened. */
async function openIdle(target, count) {
  const cfg = {
    target: { kind: target.kind, url: target.url, wsUrl: target.wsUrl },
    count,
    tokens: target.tokens,
  };
  const gen = spawn(process.execPath, ['bench/loadgen/idle.mjs', configArg(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: gen.stdout });
  const opened = await new Promise((resolve, reject) => {
    lines.on('line', (l) => l.startsWith('OPEN ') && resolve(Number(l.slice(5))));
    gen.once('exit', (code) => reject(new Error(`idle generator exited ${code}`)));
  });
  target.idleGen = gen;
  const prevStop = target.child;
  prevStop.once('exit', () => gen.kill('SIGKILL'));
  setTimeout(() => gen.kill('SIGKILL'), 4000).unref();
  return opened;
}

async function recovery() {
  const target = await startTarget('ours', { users: 2 });
  try {
    const samples = [];
    const missed = 1000;
    const rounds = quick ? 3 : 10;
    const pub = await wsOpen(`${target.wsUrl}?token=${target.admin.token}`);
    for (let round = 0; round < rounds; round++) {
      const sub = await wsOpen(`${target.wsUrl}?token=${target.tokens[0]}`);
      const subscribed = await wsRequest(
        sub,
        { type: 'subscribe', channel: 'announcements' },
        (f) => f.type === 'subscribed',
      );
      const since = subscribed.offset;
      sub.terminate();
      let acked = 0;
      await new Promise((resolve) => {
        pub.on('message', function onAck(raw) {
          if (raw.toString().includes('"type":"ack"') && ++acked === missed) {
            pub.off('message', onAck);
            resolve();
          }
        });
        for (let i = 0; i < missed; i++)
          pub.send(
            JSON.stringify({
              type: 'announcement.publish',
              id: `r${i}`,
              data: { title: `missed ${i}`, body: 'x'.repeat(120) },
            }),
          );
      });
      const back = await wsOpen(`${target.wsUrl}?token=${target.tokens[0]}`);
      const t0 = performance.now();
      const last = since + missed;
      let count = 0;
      await new Promise((resolve) => {
        back.on('message', (raw) => {
          const t = raw.toString();
          if (t.startsWith('{"type":"event"') && t.includes('"channel":"announcements"')) {
            count += 1;
            if (t.includes(`"offset":${last},`)) resolve();
          }
        });
        back.send(JSON.stringify({ type: 'subscribe', channel: 'announcements', since }));
      });
      samples.push(performance.now() - t0);
      if (count !== missed) throw new Error(`replayed ${count} of ${missed}`);
      back.terminate();
    }
    pub.terminate();
    return { params: { missed, rounds }, replayMs: percentiles(samples), target: '< 100 ms' };
  } finally {
    await stop(target);
  }
}

async function twoInstances() {
  const redis = await startRedis();
  started.push(redis);
  const subscribers = quick ? 200 : 1000;
  const rate = quick ? 50 : 100;
  const durationMs = quick ? 2000 : 5000;
  const rows = [];
  for (let round = 0; round < 2; round++) {
    for (const mode of ['one', 'two']) {
      const a = await startTarget('ours', { redisUrl: mode === 'two' ? redis.url : undefined });
      const b =
        mode === 'two'
          ? await startOurs({ databaseUrl: a.databaseUrl, redisUrl: redis.url })
          : null;
      try {
        const r = await runFanout(a, {
          subscribers,
          rate,
          durationMs,
          serverPids: b ? [a.pid, b.pid] : [a.pid],
          subscriberTarget: b
            ? { kind: 'ours', url: b.url, wsUrl: b.wsUrl, split: true }
            : undefined,
        });
        rows.push({ mode, round, ...r });
        console.error(
          `[two-instances] ${mode}: cpu/delivery=${r.serverCpuUsPerDelivery}us p99=${r.latencyMs.p99}ms lost=${r.lost}`,
        );
      } finally {
        if (b) await stop(b);
        await stop(a);
      }
    }
  }
  const med = (mode) => {
    const xs = rows
      .filter((r) => r.mode === mode)
      .map((r) => r.serverCpuUsPerDelivery)
      .sort((x, y) => x - y);
    return xs[Math.floor(xs.length / 2)];
  };
  return {
    params: { subscribers, rate, durationMs },
    rows,
    summary: { one: med('one'), two: med('two'), ratioTwoOverOne: ratio(med('two'), med('one')) },
  };
}

function wsOpen(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

function wsRequest(ws, frame, pred) {
  return new Promise((resolve) => {
    const on = (raw) => {
      const f = JSON.parse(raw.toString());
      if (pred(f)) {
        ws.off('message', on);
        resolve(f);
      }
    };
    ws.on('message', on);
    ws.send(JSON.stringify(frame));
  });
}

/** Inserts `n` users straight into the database and mints their access tokens (argon2 sign-ups would take minutes). */
async function seedUsers(databaseUrl, n) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `INSERT INTO users (email, password_hash, display_name)
       SELECT 'load-' || g || '-' || gen_random_uuid() || '@bench.local', 'x', 'Load ' || g FROM generate_series(1, $1::int) g
       RETURNING id`,
      [n],
    );
    return rows.map((r) => ({
      id: r.id,
      token: jwt.sign({}, JWT_SECRET, { algorithm: 'HS256', subject: r.id, expiresIn: 3600 }),
    }));
  } finally {
    await db.end();
  }
}

/** Creates direct conversations over REST, `concurrency` at a time. */
async function createPairs(base, users) {
  const pairs = [];
  for (let i = 0; i + 1 < users.length; i += 2) pairs.push({ a: users[i], b: users[i + 1] });
  const out = [];
  for (let i = 0; i < pairs.length; i += 25) {
    out.push(
      ...(await Promise.all(
        pairs.slice(i, i + 25).map(async ({ a, b }) => {
          const r = await fetch(`${base}/api/conversations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
            body: JSON.stringify({ participantIds: [b.id] }),
          });
          const body = await r.json();
          if (r.status !== 201 && r.status !== 200)
            throw new Error(`conversation: ${r.status} ${JSON.stringify(body)}`);
          return { conversationId: body.id, a: a.token, b: b.token, aId: a.id };
        }),
      )),
    );
  }
  return out;
}

async function chat() {
  const pairsCount = quick ? 100 : 1000;
  const durationMs = quick ? 3000 : 8000;
  const rates = ratesArg ?? (quick ? [50, 200] : [100, 200, 400, 800, 1200, 1600, 2400, 3200]);
  const target = await startTarget('ours', { users: 1 });
  const rows = [];
  try {
    const users = await seedUsers(target.databaseUrl, pairsCount * 2);
    const pairs = await createPairs(target.url, users);
    for (const rate of rates) {
      const r = await runLoad(
        'bench/loadgen/chat.mjs',
        { wsUrl: target.wsUrl, pairs, rate, durationMs },
        [target.pid],
        durationMs,
        // The previous step's sockets closed: their presence grace period
        // (PRESENCE_GRACE_MS, 10 s) ends with one check per user, not to be
        // counted in this step.
        { settleMs: rows.length > 0 ? 12000 : 0 },
      );
      const held =
        r.lost === 0 && r.errors === 0 && r.ackLatencyMs.p99 < 100 && r.latencyMs.p99 < 100;
      rows.push({ rate, held, ...r });
      console.error(
        `[chat] rate=${rate}: persisted/s=${r.persistedPerSec} ack p99=${r.ackLatencyMs.p99}ms delivery p99=${r.latencyMs.p99}ms lost=${r.lost} errors=${r.errors} bound=${r.bound}`,
      );
      if (!held) break;
    }
    const pgb = runPgbench(target.databaseUrl, pairs, quick ? 5 : 15);
    const best = rows.filter((r) => r.held).reduce((m, r) => Math.max(m, r.persistedPerSec), 0);
    return {
      params: { conversations: pairsCount, sockets: pairsCount * 2, durationMs, rates },
      rows,
      pgbench: pgb,
      summary: {
        persistedPerSecHeld: best,
        pgbenchTps: pgb.tps,
        ratioOursOverPgbench: ratio(best, pgb.tps),
      },
    };
  } finally {
    await stop(target);
  }
}

/** pgbench with the transaction shape of one chat.send, on the same server and database. */
function runPgbench(databaseUrl, pairs, seconds) {
  const u = new URL(databaseUrl);
  const db = u.pathname.slice(1);
  const psql = (sql) =>
    execFileSync(
      `${pgServer.binDir}/psql`,
      ['-h', u.hostname, '-p', u.port, '-U', u.username, '-d', db, '-q', '-c', sql],
      {
        env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
      },
    );
  psql('CREATE TABLE IF NOT EXISTS bench_pairs (n int PRIMARY KEY, id uuid, user_a uuid)');
  const values = pairs.map((p, i) => `(${i + 1}, '${p.conversationId}', '${p.aId}')`).join(',');
  psql(`TRUNCATE bench_pairs; INSERT INTO bench_pairs VALUES ${values}`);
  const results = {};
  for (const clients of [1, 8]) {
    const out = execFileSync(
      `${pgServer.binDir}/pgbench`,
      [
        '-h',
        u.hostname,
        '-p',
        u.port,
        '-U',
        u.username,
        '-n',
        '-c',
        String(clients),
        '-j',
        '2',
        '-T',
        String(seconds),
        '-D',
        `convs=${pairs.length}`,
        '-f',
        'bench/lib/chat-send.pgbench.sql',
        db,
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
    ).toString();
    const m = /tps = ([0-9.]+)/.exec(out);
    results[`clients${clients}`] = m ? Math.round(Number(m[1])) : null;
  }
  return {
    ...results,
    tps: Math.max(...Object.values(results).filter((x) => x !== null)),
    seconds,
    settings: 'same server as ours (fsync=off, synchronous_commit=off)',
  };
}

/** A load generator's configuration as `@file`: it can hold thousands of tokens, too long for argv. */
function configArg(cfg) {
  const cfgFile = path.join(os.tmpdir(), `bench-cfg-${process.pid}-${Date.now()}.json`);
  writeFileSync(cfgFile, JSON.stringify(cfg));
  return `@${cfgFile}`;
}

/** Runs a READY/GO/RESULT load generator, measuring the servers' CPU between GO and RESULT. */
async function runLoad(script, cfg, serverPids, durationMs, { settleMs = 0 } = {}) {
  const gen = spawn(process.execPath, [script, configArg(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: gen.stdout });
  let cpu0;
  let genCpu0;
  let settledMs;
  // Peak resident memory of the server(s) while the load runs (summed over processes).
  let rssPeak = 0;
  let rssAtGo = 0;
  let rssSampler;
  const sampleRss = () => {
    rssPeak = Math.max(
      rssPeak,
      serverPids.reduce((n, p) => n + rssBytes(p), 0),
    );
  };
  const r = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('load generator timed out')),
      durationMs + 240000,
    );
    lines.on('line', (line) => {
      if (line === 'READY') {
        void settle(serverPids, { minWaitMs: settleMs }).then((waited) => {
          settledMs = waited;
          cpu0 = serverPids.map(cpuMicros);
          genCpu0 = cpuMicros(gen.pid);
          sampleRss();
          rssAtGo = rssPeak;
          rssSampler = setInterval(sampleRss, 100);
          gen.stdin.write('GO\n');
        });
      } else if (line.startsWith('RESULT ')) {
        clearTimeout(timer);
        clearInterval(rssSampler);
        sampleRss();
        resolve({
          ...JSON.parse(line.slice(7)),
          serverRssAtGoBytes: rssAtGo,
          serverRssPeakBytes: rssPeak,
          serverCpuUs: serverPids.map(cpuMicros).reduce((n, c, i) => n + c - cpu0[i], 0),
          clientCpuUsProc: cpuMicros(gen.pid) - genCpu0,
          settledMs,
        });
      }
    });
    gen.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
  }).finally(() => clearInterval(rssSampler));
  const wallUs = r.elapsedMs * 1000;
  return {
    ...r,
    serverCpuUsPerDelivery: r.received
      ? Math.round((r.serverCpuUs / r.received) * 100) / 100
      : null,
    serverCpuShare: Math.round((r.serverCpuUs / wallUs / serverPids.length) * 100) / 100,
    clientCpuShare: Math.round((r.clientCpuUsProc / wallUs) * 100) / 100,
    bound: r.clientCpuUsProc > r.serverCpuUs / serverPids.length ? 'client' : 'server',
  };
}

async function history() {
  const sizes = quick ? [1000, 100000] : [1000, 100000, 1000000];
  const requests = quick ? 200 : 1000;
  const target = await startTarget('ours', { users: 1 });
  try {
    const users = await seedUsers(target.databaseUrl, sizes.length * 2);
    const pairs = await createPairs(target.url, users);
    const db = new pg.Client({ connectionString: target.databaseUrl });
    await db.connect();
    const rows = [];
    try {
      for (let i = 0; i < sizes.length; i++) {
        const { conversationId, aId } = pairs[i];
        const t0 = performance.now();
        await db.query(
          `INSERT INTO messages (conversation_id, seq, sender_id, content, created_at)
           SELECT $1, g, $2, 'history message ' || g || ' ' || repeat('lorem ipsum ', 1 + g % 8), now() - make_interval(secs => $3 - g)
             FROM generate_series(1, $3::int) g`,
          [conversationId, aId, sizes[i]],
        );
        await db.query('UPDATE conversations SET last_seq = $2 WHERE id = $1', [
          conversationId,
          sizes[i],
        ]);
        await db.query('ANALYZE messages');
        const seedMs = Math.round(performance.now() - t0);
        const headers = { authorization: `Bearer ${pairs[i].a}` };
        const url = `${target.url}/api/conversations/${conversationId}/messages?limit=50`;
        for (let w = 0; w < 20; w++) await (await fetch(url, { headers })).arrayBuffer();
        const samples = [];
        let cursorPages = 0;
        for (let r = 0; r < requests; r++) {
          const s0 = performance.now();
          const res = await fetch(url, { headers });
          const body = await res.json();
          samples.push(performance.now() - s0);
          if (res.status !== 200 || body.items.length !== 50)
            throw new Error(`history page: ${res.status}`);
          if (body.nextCursor) cursorPages += 1;
        }
        rows.push({
          messages: sizes[i],
          seedMs,
          pageMs: percentiles(samples),
          pagesWithCursor: cursorPages,
        });
        console.error(
          `[history] ${sizes[i]} messages: p50=${percentiles(samples).p50}ms p99=${percentiles(samples).p99}ms`,
        );
      }
    } finally {
      await db.end();
    }
    const first = rows[0].pageMs.p99;
    const last = rows[rows.length - 1].pageMs.p99;
    return {
      params: { sizes, requests, limit: 50 },
      rows,
      summary: { p99LargestOverSmallest: ratio(last, first) },
    };
  } finally {
    await stop(target);
  }
}
