// `npm run size`: the client as one minified ES module (esbuild, browser
// target), and that bundle gzipped: the bytes a browser downloads.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  entryPoints: [`${root}src/index.ts`],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
});
const bundle = result.outputFiles[0].contents;
const gzip = gzipSync(bundle, { level: 9 });
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `client bundle: ${bundle.length} B (${kib(bundle.length)}) minified, ${gzip.length} B (${kib(gzip.length)}) gzip`,
);
