import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * The demo app: `npm run build` writes it to dist/demo, which the server
 * serves at `/` (DEMO=true). `npm run dev:demo` serves it with hot reload on
 * :5173 and sends the API and the socket to a server started on :3000.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  // Preact's automatic JSX runtime, without a plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/demo'),
    emptyOutDir: true,
    // The client package is shared with the server's tests: no new syntax past ES2022.
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
