// `node bench/lib/table.mjs [resultsDir]`: the latest line of each scenario as
// Markdown tables (what bench/README.md shows).
import { existsSync, readFileSync } from 'node:fs';

const dir = process.argv[2] ?? 'bench/results';
const latest = (name) => {
  const f = `${dir}/${name}.jsonl`;
  if (!existsSync(f)) return null;
  const lines = readFileSync(f, 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
};
const out = [];
const f = latest('fanout');
if (f) {
  out.push(
    `### fanout (${f.params.subscribers} subscribers, ${f.params.durationMs / 1000} s per step, median of ${f.params.rounds} alternating rounds; ${f.at})`,
    '',
  );
  out.push(
    '| msg/s | ours µs/delivery | raw ws | Socket.IO | ours/raw | ours/Socket.IO | p99 ms ours | raw | Socket.IO | p99 ours/raw | lost ours / raw / sio | held ours / raw / sio |',
  );
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const [rate, s] of Object.entries(f.summary)) {
    const yn = (b) => (b ? 'yes' : 'no');
    out.push(
      `| ${rate} | ${s.ours?.cpuUsPerDelivery} | ${s.raw?.cpuUsPerDelivery} | ${s.socketio?.cpuUsPerDelivery} | ${s.ratios.cpuOursOverRaw} | ${s.ratios.cpuOursOverSocketio} | ${s.ours?.p99Ms} | ${s.raw?.p99Ms} | ${s.socketio?.p99Ms} | ${s.ratios.p99OursOverRaw} | ${s.ours?.lost} / ${s.raw?.lost} / ${s.socketio?.lost} | ${yn(s.ours?.held)} / ${yn(s.raw?.held)} / ${yn(s.socketio?.held)} |`,
    );
  }
  out.push('');
}
const c = latest('chat');
if (c) {
  out.push(
    `### chat (${c.params.sockets} sockets, ${c.params.conversations} conversations; ${c.at})`,
    '',
  );
  out.push(
    '| msg/s offered | persisted/s | server µs/message | ack p50 / p99 ms | delivery p50 / p99 ms | lost | errors | held |',
    '| ---: | ---: | ---: | --- | --- | ---: | ---: | --- |',
  );
  for (const r of c.rows)
    out.push(
      `| ${r.rate} | ${r.persistedPerSec} | ${Math.round(r.serverCpuUsPerDelivery)} | ${r.ackLatencyMs.p50} / ${r.ackLatencyMs.p99} | ${r.latencyMs.p50} / ${r.latencyMs.p99} | ${r.lost} | ${r.errors} | ${r.held ? 'yes' : 'no'} |`,
    );
  const held = c.summary.persistedPerSecHeld;
  const over = (tps) => (tps ? Math.round((held / tps) * 100) / 100 : null);
  out.push(
    '',
    `pgbench, same transaction shape, same server: ${c.pgbench.clients1} tps with 1 client, ${c.pgbench.clients8} tps with 8. Held by ours: ${held}/s${c.rows.every((r) => r.held) ? ' (the highest step offered)' : ''}; ours/pgbench ${over(c.pgbench.clients1)} (1 client), ${over(c.pgbench.clients8)} (8 clients).`,
    '',
  );
}
const i = latest('idle');
if (i) {
  out.push(
    `### idle (${i.params.sockets} sockets; ${i.at})`,
    '',
    '| target | RSS per socket (median) | connects/s (runs) |',
    '| --- | ---: | --- |',
  );
  for (const k of ['ours', 'raw', 'socketio'])
    out.push(
      `| ${k} | ${i.summary.rssPerSocket[k]} B | ${i.rows
        .filter((r) => r.kind === k)
        .map((r) => r.connectsPerSec)
        .join(', ')} |`,
    );
  out.push('', `ours/raw: ${i.summary.ratioOursOverRaw}`, '');
}
const h = latest('history');
if (h) {
  out.push(
    `### history (${h.params.requests} requests of ${h.params.limit} messages each; ${h.at})`,
    '',
    '| messages | p50 ms | p99 ms | max ms |',
    '| ---: | ---: | ---: | ---: |',
  );
  for (const r of h.rows)
    out.push(`| ${r.messages} | ${r.pageMs.p50} | ${r.pageMs.p99} | ${r.pageMs.max} |`);
  out.push('', `p99 largest/smallest: ${h.summary.p99LargestOverSmallest}`, '');
}
const r = latest('recovery');
if (r)
  out.push(
    `### recovery (${r.params.missed} missed events, ${r.params.rounds} rounds; ${r.at})`,
    '',
    `time to the last replayed event: p50 ${r.replayMs.p50} ms, p99 ${r.replayMs.p99} ms, max ${r.replayMs.max} ms`,
    '',
  );
const t = latest('two-instances');
if (t) {
  out.push(
    `### two instances (${t.params.subscribers} subscribers at ${t.params.rate} msg/s; ${t.at})`,
    '',
    '| mode | µs/delivery (runs) | p99 ms (runs) | lost |',
    '| --- | --- | --- | --- |',
  );
  for (const m of ['one', 'two']) {
    const rs = t.rows.filter((x) => x.mode === m);
    out.push(
      `| ${m} | ${rs.map((x) => x.serverCpuUsPerDelivery).join(', ')} | ${rs.map((x) => x.latencyMs.p99).join(', ')} | ${rs.map((x) => x.lost).join(', ')} |`,
    );
  }
  out.push('', `two/one: ${t.summary.ratioTwoOverOne}`, '');
}
console.log(out.join('\n'));
