import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/conformance.js';

/**
 * The layers of DESIGN.md, checked on every import in src/: a folder may import only the folders
 * listed for it. Pure domains also may not touch the file system, processes or the clock.
 */
const FACES = [
  'core',
  'formats',
  'sbom',
  'inventory',
  'app',
  'store',
  'server',
  'config',
  'log',
  'net',
  'tlog',
  'sign',
];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: ['core'],
  formats: ['core', 'formats', 'sbom'],
  sbom: ['core', 'sbom', 'formats'],
  inventory: ['core', 'formats', 'sbom', 'inventory'],
  store: ['core', 'inventory', 'store', 'tlog'],
  tlog: ['core', 'tlog'],
  sign: ['core', 'tlog', 'sign'],
  app: ['core', 'formats', 'sbom', 'inventory', 'store', 'app', 'tlog', 'sign'],
  config: ['core', 'config'],
  log: ['log'],
  net: ['core', 'net', 'tlog', 'sign'],
  server: [
    'core',
    'formats',
    'sbom',
    'inventory',
    'app',
    'server',
    'log',
    'config',
    'tlog',
    'sign',
  ],
  cli: [...FACES, 'cli'],
  '.': [...FACES, 'cli'],
};
const PURE = new Set(['core', 'formats', 'sbom', 'inventory', 'tlog', 'sign']);
const IMPURE_MODULES = /^node:(fs|fs\/promises|http|https|net|child_process|os)$/;
const IMPURE_CALLS = /\b(process\.(env|argv|exit|cwd)|console\.|Date\.now\(\))/;

const SRC = join(REPO_ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '.';
}

describe('architecture', () => {
  for (const file of files(SRC)) {
    const rel = relative(REPO_ROOT, file);
    it(`${rel} imports only from the layers below it`, () => {
      const text = readFileSync(file, 'utf8');
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      assert.ok(allowed, `${rel}: folder ${layer} has no layer rule`);
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1] as string;
        if (spec.startsWith('.')) {
          const target = layerOf(resolve(dirname(file), spec));
          assert.ok(
            allowed.includes(target),
            `${rel} imports ${spec} (${target}), not allowed from ${layer}`,
          );
        } else if (PURE.has(layer)) {
          assert.ok(!IMPURE_MODULES.test(spec), `${rel} is pure domain code but imports ${spec}`);
        }
      }
      if (PURE.has(layer)) {
        const code = text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
        assert.ok(
          !IMPURE_CALLS.test(code),
          `${rel} is pure domain code but uses ${code.match(IMPURE_CALLS)?.[0]}`,
        );
      }
    });
  }
});
