#!/usr/bin/env node
// Builds the optional native addon (native/prehashed.cc) with the node-gyp that npm ships, against
// the Node.js headers npm is configured with. Custody works without it (a JavaScript fallback,
// about twenty times slower for prehashed ECDSA), so a failed build is a warning, not an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].filter((p) => p && existsSync(p));
const gyp = candidates[0];
if (!gyp) {
  console.warn(
    'custody: node-gyp not found; the native ECDSA addon is not built (JavaScript fallback)',
  );
  process.exit(0);
}
const args = [gyp, 'rebuild'];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h'))
  args.push('--nodedir=/usr');
const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
if (r.status !== 0) {
  console.warn(
    `custody: the native ECDSA addon did not build (JavaScript fallback in use):\n${String(r.stderr)
      .split('\n')
      .filter((l) => /ERR!/.test(l))
      .slice(0, 5)
      .join('\n')}`,
  );
}
