#!/usr/bin/env node
// npm run build, after tsc: the CLI as a few ES modules in dist/cli/ (bin/custody.js loads
// dist/cli/main.js). Node resolves and reads each of the ~1,500 compiled modules under dist/src on
// its own, which cost more than the work of most commands; the bundle has one module per command
// (loaded when that command runs) and chunks of shared code. Dependencies stay in node_modules.
//
// Layout rules the bundle must keep, because code finds files relative to its own module:
// - every output file sits directly in dist/cli/, two levels below the package root, as
//   dist/src/<dir>/ modules do one level deeper: src/tlog/prehashed.ts (build/Release addon) and
//   src/fs/trusted-root-files.ts (trust/) try both depths;
// - the worker entry points keep their names (prepare-worker.js, entry-worker.js) beside the
//   chunks that start them (src/workers/worker-thread.ts looks for `./<name>.js`).
import { rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { build } from 'esbuild';

/**
 * Packages stay in node_modules (resolved there at run time, as from dist/src), but for the small
 * CommonJS ones every command loads (Node's CommonJS loader and export scan cost more than their
 * code) and what those require. Packages' JSON data is bundled too: esbuild drops the
 * `with { type: 'json' }` of an external import, which Node requires.
 */
const INLINE = [
  'commander',
  'spdx-expression-parse',
  'ajv-formats/dist/formats.js',
  'ajv/dist/runtime/ucs2length.js',
];
const dependenciesExternal = {
  name: 'dependencies-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const inline =
        args.path.endsWith('.json') ||
        args.importer.includes(`${sep}node_modules${sep}`) ||
        INLINE.some((p) => args.path === p || args.path.startsWith(`${p}/`));
      return inline ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * src/sign/ca/x509.ts imports the Reflect shim before @peculiar/x509, which needs it when it loads.
 * Inside a chunk, external imports are evaluated before any of the chunk's own code, so the shim
 * stays a module of its own (an entry point above) that the chunk imports in its place.
 */
const reflectShimFirst = {
  name: 'reflect-shim-first',
  setup(b) {
    b.onResolve({ filter: /^\.\/reflect-metadata\.js$/ }, (args) =>
      args.importer.endsWith(join('src', 'sign', 'ca', 'x509.ts'))
        ? { path: './reflect-metadata.js', external: true }
        : undefined,
    );
  },
};

const root = new URL('..', import.meta.url).pathname;
const outdir = join(root, 'dist', 'cli');
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/cli/main.ts',
    'prepare-worker': 'src/workers/prepare-worker.ts',
    'entry-worker': 'src/workers/entry-worker.ts',
    'reflect-metadata': 'src/sign/ca/reflect-metadata.ts',
  },
  outdir,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [reflectShimFirst, dependenciesExternal],
  // The inlined CommonJS packages require Node's built-ins; an ES module has no `require` of its own.
  banner: {
    js: "import { createRequire as __custodyCreateRequire } from 'node:module';\nconst require = __custodyCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: false,
});
