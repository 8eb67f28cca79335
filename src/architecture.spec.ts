import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The kernel has one door: feature modules reach it through RealtimeService and
 * a few declarations (decorators, the event catalogue, channel names, the socket
 * counter), never through its registry, hub, sessions, frames or bus.
 */
const KERNEL_DOOR = new Set([
  'realtime/realtime.service.js',
  'realtime/realtime.gateway.js',
  'realtime/command-ack.decorator.js',
  'realtime/channels/channel-access.guard.js',
  'realtime/channels/channel-name.js',
  'realtime/limits/limit.decorators.js',
  'realtime/events/event-catalogue.js',
  'realtime/cluster/socket-counter.js',
]);

const FEATURES = ['chat', 'notifications', 'boards', 'calendar', 'presence', 'announcements'];
const SRC = path.resolve(process.cwd(), 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function kernelImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/from '([^']+)'/g)) {
    const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]));
    if (target.startsWith('realtime/')) found.push(target);
  }
  return found;
}

describe('the kernel door', () => {
  it.each(FEATURES)('%s imports nothing of the kernel but its door', (feature) => {
    const files = sourceFiles(path.join(SRC, feature));
    expect(files.length).toBeGreaterThan(0);
    const leaks = files.flatMap((f) =>
      kernelImports(f)
        .filter((target) => !KERNEL_DOOR.has(target))
        .map((target) => `${path.relative(SRC, f)} -> ${target}`),
    );
    expect(leaks).toEqual([]);
  });
});
