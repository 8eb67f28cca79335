// Chat load generator (its own process): two sockets per conversation, both
// subscribed to chat:{id}; messages are sent with `chat.send` at a fixed total
// rate, alternating senders. Measures the ack (persisted, after commit) and the
// delivery to the other participant. READY / GO / RESULT like fanout.mjs.
import { loadConfig } from '../lib/config.mjs';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { percentiles } from '../lib/proc.mjs';

const cfg = loadConfig();
const { wsUrl, pairs, rate, durationMs } = cfg;
const now = () => performance.timeOrigin + performance.now();
const ackLatency = [];
const deliveryLatency = [];
const pendingAcks = new Map();
let delivered = 0;
let acked = 0;
let errors = 0;
const CONTENT_RE = /"content":"t:([0-9.]+):(\d+)/;

function open(token, conversationId, i) {
  const ws = new WebSocket(`${wsUrl}?token=${token}`, {
    perMessageDeflate: false,
    localAddress: `127.0.0.${2 + (i % 50)}`,
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (raw) => {
      const t = raw.toString();
      if (t.startsWith('{"type":"event"')) {
        if (!t.includes('"event":"chat.message.created"')) return;
        const m = CONTENT_RE.exec(t);
        // Count only the copy that reaches the other participant.
        if (m && ws.role === Number(m[2]) % 2) {
          delivered += 1;
          deliveryLatency.push(now() - Number(m[1]));
        }
        return;
      }
      const f = JSON.parse(t);
      if (f.type === 'connected')
        ws.send(JSON.stringify({ type: 'subscribe', id: 's', channel: `chat:${conversationId}` }));
      else if (f.type === 'subscribed') resolve(ws);
      else if (f.type === 'ack') {
        const sentAt = pendingAcks.get(f.id);
        if (sentAt !== undefined) {
          pendingAcks.delete(f.id);
          acked += 1;
          ackLatency.push(now() - sentAt);
        }
      } else if (f.type === 'error') {
        errors += 1;
        if (errors < 5) console.error('chat error', t.slice(0, 300));
      }
    });
  });
}

const sockets = [];
for (let i = 0; i < pairs.length; i += 50) {
  const batch = pairs.slice(i, i + 50).map(async (p, j) => {
    const a = await open(p.a, p.conversationId, 2 * (i + j));
    const b = await open(p.b, p.conversationId, 2 * (i + j) + 1);
    // role: the parity of the sequence numbers this socket receives from the other side.
    a.role = 1;
    b.role = 0;
    return { a, b, conversationId: p.conversationId };
  });
  sockets.push(...(await Promise.all(batch)));
}
console.log('READY');
await new Promise((res) => createInterface({ input: process.stdin }).once('line', res));

const total = Math.max(1, Math.round((rate * durationMs) / 1000));
const pad = 'y'.repeat(100);
const t0 = now();
for (let seq = 0; seq < total; seq++) {
  const due = t0 + (seq * 1000) / rate;
  const wait = due - now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const pair = sockets[seq % sockets.length];
  // Even seq: a sends (b receives); odd seq: b sends (a receives).
  const sender = seq % 2 === 0 ? pair.a : pair.b;
  const id = `m${seq}`;
  const sentAt = now();
  pendingAcks.set(id, sentAt);
  sender.send(
    JSON.stringify({
      type: 'chat.send',
      id,
      data: { conversationId: pair.conversationId, content: `t:${sentAt}:${seq} ${pad}` },
    }),
  );
}
const until = now() + 5000;
while ((acked < total || delivered < total) && now() < until)
  await new Promise((r) => setTimeout(r, 20));
const elapsed = now() - t0;
console.log(
  'RESULT ' +
    JSON.stringify({
      published: total,
      expected: total,
      acked,
      received: delivered,
      lost: total - delivered,
      errors,
      elapsedMs: Math.round(elapsed),
      persistedPerSec: Math.round((acked / elapsed) * 1000),
      latencyMs: percentiles(deliveryLatency),
      ackLatencyMs: percentiles(ackLatency),
    }),
);
for (const p of sockets) {
  p.a.terminate();
  p.b.terminate();
}
process.exit(0);
