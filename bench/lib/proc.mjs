// Process measurements from /proc: CPU time (user+system) and resident memory.
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // Linux USER_HZ

/** CPU time of a process in microseconds (utime + stime). */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks * 1e6) / CLK_TCK;
}

/** Resident set size in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Waits at least `minWaitMs`, then until the processes used under `quietShare`
 * of a core for two 500 ms windows in a row (at most `maxWaitMs`): work left
 * over from connecting or from a previous step must not count in the next one.
 * Returns how long it waited.
 */
export async function settle(pids, { minWaitMs = 0, quietShare = 0.05, maxWaitMs = 30000 } = {}) {
  const t0 = Date.now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await sleep(minWaitMs);
  let quiet = 0;
  while (quiet < 2 && Date.now() - t0 < maxWaitMs) {
    const c0 = pids.reduce((n, p) => n + cpuMicros(p), 0);
    await sleep(500);
    const used = pids.reduce((n, p) => n + cpuMicros(p), 0) - c0;
    quiet = used < quietShare * 500_000 * pids.length ? quiet + 1 : 0;
  }
  return Date.now() - t0;
}

/** 1-minute load average of the machine. */
export function loadAverage() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function percentiles(values) {
  if (values.length === 0) return { p50: null, p95: null, p99: null, max: null, n: 0 };
  const s = Float64Array.from(values).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const r = (x) => Math.round(x * 100) / 100;
  return {
    p50: r(at(0.5)),
    p95: r(at(0.95)),
    p99: r(at(0.99)),
    max: r(s[s.length - 1]),
    n: s.length,
  };
}
