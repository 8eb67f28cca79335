import express from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { demoAssets } from './demo-assets.js';

const silent = pino({ level: 'silent' });

/** An app with the demo's middleware in front of a route and a JSON 404, as the server has. */
function appServing(dir: string): express.Express {
  const app = express();
  const assets = demoAssets(dir, silent);
  if (assets) app.use(assets);
  app.get('/api/ping', (_req, res) => {
    res.json({ pong: true });
  });
  app.use((_req, res) => {
    res.status(404).json({ code: 'NOT_FOUND' });
  });
  return app;
}

describe('demoAssets', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'demo-assets-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>demo</title>');
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    // Files a build should never hold, under the server's own paths.
    for (const prefix of ['api', 'docs', 'health', 'metrics', 'ws']) {
      mkdirSync(path.join(dir, prefix));
      writeFileSync(path.join(dir, prefix, 'index.html'), 'shadow');
    }
    writeFileSync(path.join(dir, 'api', 'ping'), 'shadow');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html at / without caching it, and the hashed bundles for good', async () => {
    const app = appServing(dir);
    const page = await request(app).get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const bundle = await request(app).get('/assets/index-abc123.js').expect(200);
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it("never answers the server's own paths from the build, and leaves unknown paths to the 404", async () => {
    const app = appServing(dir);
    await request(app).get('/api/ping').expect(200, { pong: true });
    for (const p of ['/api/', '/docs/', '/health/', '/metrics/', '/ws/', '/assets', '/nope']) {
      await request(app).get(p).expect(404, { code: 'NOT_FOUND' });
    }
  });

  it('serves nothing when the demo is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'demo-empty-'));
    try {
      expect(demoAssets(empty, silent)).toBeUndefined();
      await request(appServing(empty)).get('/').expect(404);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
