// Writes what is generated from the socket protocol's AsyncAPI document:
//   node scripts/generate-protocol.mjs client-types   client/src/generated/protocol.ts
//   node scripts/generate-protocol.mjs protocol-docs  the tables of docs/protocol.md
// (`npm run generate:client-types`, `npm run generate:protocol-docs`).
//
// The document comes from GET /docs/asyncapi of the app itself: built, then
// booted on a free port against a throw-away PostgreSQL (scripts/services.mjs),
// so it is exactly what a server of this commit serves. `--from <url>` reads
// it from a running server instead (its build must be this commit's).
// The same render functions (src/docs/) back the test that fails when a
// committed file falls behind the code.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { startPostgres } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (file) => import(pathToFileURL(path.join(root, 'dist', file)).href);

/** What each target writes, from the AsyncAPI document. */
const TARGETS = {
  'client-types': async (doc) => {
    const { renderClientTypes, CLIENT_TYPES_PATH } = await dist('docs/client-types.js');
    await writeFormatted(CLIENT_TYPES_PATH, renderClientTypes(doc));
  },
  'protocol-docs': async (doc) => {
    const { renderProtocolTables, spliceGenerated, PROTOCOL_GUIDE_PATH } =
      await dist('docs/protocol-tables.js');
    let guide = readFileSync(path.join(root, PROTOCOL_GUIDE_PATH), 'utf8');
    for (const [name, table] of Object.entries(renderProtocolTables(doc)))
      guide = spliceGenerated(guide, name, table);
    await writeFormatted(PROTOCOL_GUIDE_PATH, guide);
  },
};

const [what, ...rest] = process.argv.slice(2);
const fromIndex = rest.indexOf('--from');
const from = fromIndex >= 0 ? rest[fromIndex + 1] : undefined;
if (!Object.hasOwn(TARGETS, what ?? '') || (fromIndex >= 0 && !from)) {
  console.error(
    `usage: node scripts/generate-protocol.mjs ${Object.keys(TARGETS).join('|')} [--from <url>]`,
  );
  process.exit(2);
}

console.log('[generate] building');
execFileSync(process.execPath, [path.join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
  cwd: root,
  stdio: 'inherit',
});

const doc = from ? await fetchDocument(from) : await documentOfThisBuild();

async function fetchDocument(url) {
  const res = await fetch(new URL('/docs/asyncapi', url));
  if (!res.ok) throw new Error(`GET ${res.url}: ${res.status}`);
  return res.json();
}

async function documentOfThisBuild() {
  const pg = await startPostgres();
  try {
    const { loadConfig } = await dist('config/app-config.js');
    const { createRootLogger } = await dist('common/logging/logger.js');
    const { buildApp } = await dist('app.factory.js');
    const config = loadConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pg.url,
      JWT_SECRET: 'generate-protocol-only-0123456789abcdef',
    });
    const { app } = await buildApp(config, createRootLogger('warn', 'development'), pg.url);
    await app.listen(0, '127.0.0.1');
    try {
      return await fetchDocument(`http://127.0.0.1:${app.getHttpServer().address().port}`);
    } finally {
      await app.close();
    }
  } finally {
    pg.stop();
  }
}

async function writeFormatted(relative, text) {
  const file = path.join(root, relative);
  const options = (await prettier.resolveConfig(file)) ?? {};
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
  console.log(`[generate] wrote ${relative}`);
}

await TARGETS[what](doc);
