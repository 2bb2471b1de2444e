#!/usr/bin/env node
// The compiled CLI (dist/ is built by `npm ci` through the `prepare` script): the bundle in
// dist/cli/ (scripts/bundle-cli.mjs; far fewer modules to load, so commands start sooner), or the
// plain tsc output when only `tsc` has run.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(
  existsSync(bundle) ? bundle.href : new URL('../dist/src/cli/main.js', import.meta.url).href
);

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
