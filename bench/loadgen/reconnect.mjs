// Load generator (its own process): `count` sockets on node A, subscribed to one
// channel, while a publisher on node B publishes at `rate`. Prints READY once all
// are in; after GO the harness drains A (SIGTERM: our server closes with 1001, the
// raw peer just exits) and every socket reconnects to B at once, subscribing again
// with `since` (ours) from the last offset it saw. Prints one RESULT line: the time
// from the first close to the last socket subscribed on B, and, for ours, every
// socket's offsets checked (each once, no gap, up to the last one published).
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { loadConfig } from '../lib/config.mjs';
import { openPublisher } from './clients.mjs';

const cfg = loadConfig();
const { kind, a, b, count, channel, tokens, publisherToken, rate } = cfg;
const ours = kind === 'ours';
const source = (i) => `127.0.0.${2 + (i % 50)}`;
const clients = Array.from({ length: count }, () => ({ offsets: [], joinedAt: undefined }));
let firstCloseAt = null;
let lastResumeAt = null;
let resumed = 0;
let failures = 0;
/** Why attempts on B failed: an HTTP status at the upgrade, or a close code. */
const failedBy = {};
const fail = (why) => (failedBy[why] = (failedBy[why] ?? 0) + 1);

function attach(i, target, since) {
  const c = clients[i];
  const url = ours ? `${target.wsUrl}?token=${tokens[i]}` : target.wsUrl;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: source(i) });
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('{"type":"event"')) {
        const offset = JSON.parse(text).offset;
        if (offset !== undefined) c.offsets.push(offset);
        return;
      }
      const f = JSON.parse(text);
      if (f.type === 'connected')
        ws.send(
          JSON.stringify({
            type: 'subscribe',
            id: 's',
            channel,
            ...(since !== undefined ? { since } : {}),
          }),
        );
      else if (f.type === 'subscribed') {
        // Where the channel stood when this socket first joined: its resume point
        // if it is closed before its first event.
        if (target === a) c.joinedAt = f.latest;
        resolve(true);
      }
    });
    ws.once('unexpected-response', (_req, res) => {
      fail(`http ${res.statusCode}`);
      ws.terminate();
    });
    ws.once('error', () => resolve(false));
    ws.once('close', (code) => {
      resolve(false);
      if (target !== a) {
        if (code !== 1006) fail(`close ${code}`);
        return;
      }
      firstCloseAt ??= performance.now();
      // At once, as a client told 1001 does: another node takes over.
      const retry = async () => {
        const last = c.offsets.at(-1);
        if (await attach(i, b, ours ? (last ?? c.joinedAt) : undefined)) {
          resumed += 1;
          lastResumeAt = performance.now();
        } else {
          failures += 1;
          setTimeout(retry, 50);
        }
      };
      void retry();
    });
  });
}

const publisher = await openPublisher(b, { channel, token: publisherToken });
for (let i = 0; i < count; i += 100) {
  const batch = [];
  for (let j = i; j < Math.min(count, i + 100); j++) batch.push(attach(j, a));
  await Promise.all(batch);
}
console.log('READY');
await new Promise((res) => createInterface({ input: process.stdin }).once('line', res));

// Publishing runs through the storm.
const body = 'x'.repeat(140);
let seq = 0;
const timer = setInterval(() => publisher.publish(seq++, body), 1000 / rate);
const deadline = performance.now() + 120_000;
while (resumed < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 1000));
clearInterval(timer);
await new Promise((r) => setTimeout(r, 1500));

let duplicates = 0;
let gaps = 0;
let behind = 0;
const latest = Math.max(0, ...clients.map((c) => c.offsets.at(-1) ?? 0));
if (ours)
  for (const c of clients) {
    for (let k = 1; k < c.offsets.length; k++) {
      const step = c.offsets[k] - c.offsets[k - 1];
      if (step <= 0) duplicates += 1;
      else if (step > 1) gaps += step - 1;
    }
    if ((c.offsets.at(-1) ?? 0) < latest) behind += 1;
  }
console.log(
  'RESULT ' +
    JSON.stringify({
      sockets: count,
      resumed,
      failedAttempts: failures,
      failedBy,
      stormMs: firstCloseAt && lastResumeAt ? Math.round(lastResumeAt - firstCloseAt) : null,
      published: seq,
      latestOffset: latest,
      duplicates: ours ? duplicates : null,
      gaps: ours ? gaps : null,
      behind: ours ? behind : null,
    }),
);
process.exit(0);
