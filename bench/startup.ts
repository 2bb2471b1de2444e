/**
 * npm run bench -- startup [--runs N]
 *
 * How long `custody` takes to start, whole process, beside the machine's limit: `node -e 0`, a
 * Node.js process that loads nothing. Commands as users type them, through bin/custody.js (the
 * bundle in dist/cli/ that `npm run build` makes): `--version`, a command's `--help`, and
 * `sbom generate` on a one-package lockfile (start-up plus the least real work). Run in turns,
 * median of N after a warm-up; peak RSS of one more run (GNU time).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alternate, fmtRss } from './_alternate.js';
import { fmtMs } from './_harness.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;

const dir = mkdtempSync(join(tmpdir(), 'custody-bench-startup-'));
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0' }));
writeFileSync(
  join(dir, 'package-lock.json'),
  JSON.stringify({
    name: 'tiny',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'tiny', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
      'node_modules/left-pad': {
        version: '1.3.0',
        resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
        integrity:
          'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEq1jJdE+TXbY1Sp12nRcM/iy3xbDdGcQgJuhW+mXjE+zRnQ==',
      },
    },
  }),
);

const bin = join(ROOT, 'bin/custody.js');
const node = process.execPath;
const results = alternate(
  [
    { name: 'node -e 0 (the limit)', cmd: node, args: ['-e', '0'], cwd: dir },
    {
      name: 'custody --version',
      cmd: node,
      args: [bin, '--version'],
      cwd: dir,
      check: (out) => (out === '0.1.0\n' ? undefined : `printed ${JSON.stringify(out)}`),
    },
    {
      name: 'custody sbom generate --help',
      cmd: node,
      args: [bin, 'sbom', 'generate', '--help'],
      cwd: dir,
      check: (out) => (out.includes('Usage: custody sbom generate') ? undefined : 'no usage'),
    },
    {
      name: 'custody sbom generate (1 package)',
      cmd: node,
      args: [bin, 'sbom', 'generate', dir],
      cwd: dir,
      check: (out) =>
        (JSON.parse(out) as { components?: unknown[] }).components?.length === 1
          ? undefined
          : 'not one component',
    },
  ],
  RUNS,
);

const limit = results[0]?.medianMs ?? Number.NaN;
console.log(`\n## start-up, whole process (median of ${RUNS} runs in turns after a warm-up)`);
for (const r of results) {
  const over =
    r === results[0]
      ? ''
      : `  +${fmtMs(r.medianMs - limit)} over node -e 0 (${(r.medianMs / limit).toFixed(2)}x)`;
  console.log(
    `  ${r.name.padEnd(36)} ${fmtMs(r.medianMs).padStart(7)}  peak RSS ${fmtRss(r.peakRssKiB).padStart(7)}${over}`,
  );
}
console.log('  target: custody --version within 25 ms of node -e 0');
