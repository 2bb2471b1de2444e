import { defineConfig } from 'vite';

// The dashboard is a static single-page app: `npm run build` writes it to dist/web, and
// `custody serve` serves that folder at `/` (src/server/web-assets.ts).
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: new URL('../dist/web', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
