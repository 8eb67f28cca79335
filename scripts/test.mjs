// `npm test`: builds the app, starts PostgreSQL and Redis on loopback (unless
// TEST_PG_URL / TEST_REDIS_URL point at running ones), runs every Jest spec
// (unit and e2e) and stops the servers. Extra arguments go to Jest.
import { execFileSync, spawn } from 'node:child_process';
import { startPostgres, startRedis, redisServerBin } from './services.mjs';

const t0 = Date.now();
console.log('[test] building (e2e specs also start the production build)');
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

const started = [];
const env = { ...process.env };
const stopAll = () => {
  for (const s of started.reverse()) s.stop();
};
try {
  if (!env.TEST_PG_URL) {
    const pg = await startPostgres();
    started.push(pg);
    env.TEST_PG_URL = pg.url;
    console.log(`[test] PostgreSQL (${pg.binDir}) on port ${pg.port}`);
  }
  if (!env.TEST_REDIS_URL) {
    const redis = await startRedis();
    started.push(redis);
    env.TEST_REDIS_URL = redis.url;
    console.log(`[test] Redis on port ${redis.port}`);
  }
  env.TEST_REDIS_SERVER_BIN ??= redisServerBin();
} catch (err) {
  stopAll();
  throw err;
}
console.log(`[test] services ready in ${Date.now() - t0} ms`);

const jest = spawn(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings',
    'node_modules/jest/bin/jest.js',
    '--ci',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env },
);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => jest.kill(sig));
}
jest.on('exit', (code, signal) => {
  stopAll();
  process.exit(code ?? (signal ? 1 : 0));
});
