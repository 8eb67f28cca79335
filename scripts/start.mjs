// `npm start`: builds only when dist/ is older than its inputs (a build takes
// 8-15 s; most starts change nothing), then runs `node dist/main.js` with the
// given arguments. Signals are forwarded and the app's exit code is ours, so a
// SIGTERM to this process still drains the server and exits 0. package.json
// runs it with `exec`: npm runs scripts through `sh -c`, and dash (Debian's sh)
// stays between npm and us, dies of the SIGTERM npm forwards to it and leaves
// the server running.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'dist', 'main.js');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const nestCli = path.join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
const viteCli = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
/** The build's steps, as `npm run build` runs them: the server, then the demo app into dist/demo. */
const BUILD_STEPS = [
  [nestCli, 'build'],
  [viteCli, 'build', '--config', 'demo/vite.config.ts', '--logLevel', 'warn'],
];

/** Modification time in ms, or undefined when the path does not exist. */
function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The newest input of the build: every file under src/, demo/ and client/src/
 * (the demo bundles the client), and the directories themselves (deleting or
 * renaming a file changes only its directory's time).
 */
function newestInput() {
  let newest = { path: '', ms: 0 };
  const see = (p, ms) => {
    if (ms !== undefined && ms > newest.ms) newest = { path: p, ms };
  };
  const walk = (dir) => {
    see(dir, mtime(dir));
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else see(p, mtime(p));
    }
  };
  for (const dir of ['src', 'demo', path.join('client', 'src')]) walk(path.join(root, dir));
  for (const name of readdirSync(root)) {
    if (name === 'package.json' || name === 'nest-cli.json' || /^tsconfig.*\.json$/.test(name)) {
      see(path.join(root, name), mtime(path.join(root, name)));
    }
  }
  return newest;
}

/** Why a build is needed, or undefined when dist/main.js is newer than every input. */
function staleReason() {
  const built = mtime(main);
  if (built === undefined) return 'dist/main.js is missing';
  const newest = newestInput();
  return newest.ms > built ? `${path.relative(root, newest.path)} changed` : undefined;
}

let child;
let stopSignal;
for (const signal of SIGNALS) {
  process.on(signal, () => {
    stopSignal ??= signal;
    child?.kill(signal);
  });
}

/** Runs a command with our stdio; resolves with its exit code and signal. */
function run(command, args) {
  child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Exits like the child did: its code, or the same signal (our handlers removed first). */
function exitLike({ code, signal }) {
  if (code !== null) process.exit(code);
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal ?? 'SIGTERM');
  // Should the signal not end us at once, the shell's convention for it.
  process.exit(128 + (constants.signals[signal] ?? constants.signals.SIGTERM));
}

const reason = staleReason();
if (reason === undefined) {
  process.stderr.write('[start] dist/ is up to date: not building\n');
} else {
  process.stderr.write(`[start] building (${reason})\n`);
  // The CLIs themselves, not `npm run build`, for the same reason as the `exec`.
  for (const step of BUILD_STEPS) {
    const build = await run(process.execPath, step);
    if (build.code !== 0) {
      // Should a failed or interrupted build have emitted dist/main.js anyway, the
      // next start would find it up to date and run the output of a failed build.
      rmSync(main, { force: true });
      exitLike(build);
    }
  }
}
if (stopSignal === undefined) {
  exitLike(await run(process.execPath, [main, ...process.argv.slice(2)]));
} else {
  // Stopped while building: nothing to start.
  exitLike({ code: null, signal: stopSignal });
}
