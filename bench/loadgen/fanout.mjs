// Load generator (its own process): N subscribers on one channel, one publisher
// at a fixed rate. Prints READY when every subscriber is in, waits for GO on
// stdin, then prints one RESULT line of JSON.
import { loadConfig } from '../lib/config.mjs';
import { createInterface } from 'node:readline';
import { openPublisher, openSubscriber } from './clients.mjs';
import { percentiles } from '../lib/proc.mjs';

const cfg = loadConfig();
const { target, subscribers, rate, durationMs, channel, tokens, publisherToken } = cfg;
const latencies = [];
let received = 0;
const now = () => performance.timeOrigin + performance.now();

const subs = [];
for (let i = 0; i < subscribers; i += 50) {
  const batch = [];
  for (let j = i; j < Math.min(subscribers, i + 50); j++) {
    batch.push(
      openSubscriber(
        cfg.subscriberTarget && j % 2 === 1 ? cfg.subscriberTarget : target,
        {
          channel,
          token: tokens?.[j % tokens.length],
          localAddress: cfg.localAddresses?.[j % cfg.localAddresses.length],
        },
        (sentAt) => {
          received += 1;
          latencies.push(now() - sentAt);
        },
      ),
    );
  }
  subs.push(...(await Promise.all(batch)));
}
const publisher = await openPublisher(target, { channel, token: publisherToken });
console.log('READY');

const rl = createInterface({ input: process.stdin });
await new Promise((res) => rl.once('line', res));

const body = 'x'.repeat(140);
const total = Math.max(1, Math.round((rate * durationMs) / 1000));
const cpu0 = process.cpuUsage();
const t0 = now();
for (let seq = 0; seq < total; seq++) {
  const due = t0 + (seq * 1000) / rate;
  const wait = due - now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  publisher.publish(seq, body);
}
const expected = total * subscribers;
const drainUntil = now() + 3000;
while (received < expected && now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
const elapsed = now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(
  'RESULT ' +
    JSON.stringify({
      published: total,
      expected,
      received,
      lost: expected - received,
      elapsedMs: Math.round(elapsed),
      latencyMs: percentiles(latencies),
      clientCpuUs: cpu.user + cpu.system,
    }),
);
for (const s of subs) s.close();
publisher.close();
process.exit(0);
