import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/conformance.js';

/**
 * The layers of DESIGN.md, checked on every import in src/. Each top-level folder of src/ may
 * value-import only the folders listed for it; the faces may import anything as types, because a
 * type import leaves no trace at run time. README.md's "Code map" says the same in words.
 */
const DOMAINS = [
  'formats',
  'sbom',
  'sign',
  'tlog',
  'inventory',
  'access',
  'vuln',
  'vex',
  'triggers',
  'policy',
  'admission',
  'kpi',
  'evidence',
] as const;
const ADAPTERS = ['store', 'net', 'oci', 'fs', 'pkcs11', 'workers'] as const;
/** What a face may call: the use cases and the few cross-cutting folders (DESIGN.md, "Layers"). */
const FACE_MAY_IMPORT = ['app', 'core', 'config', 'log', 'access'] as const;

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // Pure domains: core, and the one-way edges between domains that DESIGN.md draws.
  core: ['core'],
  // The API's response shapes: types only, shared by the server, app/ and the dashboard in web/.
  api: ['api'],
  access: ['core', 'access'],
  formats: ['core', 'formats', 'sbom'],
  sbom: ['core', 'sbom'],
  tlog: ['core', 'formats', 'tlog'],
  sign: ['core', 'formats', 'tlog', 'sign'],
  inventory: ['core', 'formats', 'sbom', 'access', 'inventory'],
  vuln: ['core', 'formats', 'sbom', 'vuln'],
  vex: ['core', 'formats', 'vuln', 'vex'],
  triggers: ['core', 'triggers'],
  // Policies read verified evidence: statements, signatures, SBOM quality, vulnerability and VEX views.
  policy: ['core', 'formats', 'sbom', 'sign', 'vuln', 'vex', 'policy'],
  // Admission reads policy decisions and verified evidence; it judges, it does not fetch.
  admission: ['core', 'formats', 'sign', 'policy', 'admission'],
  // KPIs: the catalogue of the briefs' figures and the arithmetic over counts and daily snapshots.
  kpi: ['core', 'api', 'kpi'],
  // Evidence bundles: the manifest and the offline checks over what a bundle holds.
  evidence: ['core', 'api', 'formats', 'sign', 'tlog', 'access', 'evidence'],
  // Cross-cutting: configuration and the logger sit on core alone.
  config: ['core', 'config'],
  log: ['core', 'log'],
  // Adapters implement the domains' ports; none reaches up into app/ or a face.
  store: ['core', 'config', 'log', ...DOMAINS, 'store'],
  net: ['core', 'config', 'log', ...DOMAINS, 'net'],
  // The registry client speaks HTTP through net/http.ts.
  oci: ['core', 'config', 'log', ...DOMAINS, 'net', 'oci'],
  fs: ['core', ...DOMAINS, 'fs'],
  pkcs11: ['core', 'sign', 'pkcs11'],
  workers: ['core', 'log', ...DOMAINS, 'workers'],
  // Use cases combine domains and adapters.
  app: ['core', 'config', 'log', ...DOMAINS, ...ADAPTERS, 'app'],
  // Faces.
  cli: [...FACE_MAY_IMPORT, 'cli'],
  server: [...FACE_MAY_IMPORT, 'server'],
  // The package entry (src/index.ts) is the library's surface for other programs.
  '.': ['core', ...DOMAINS, 'app', 'cli'],
};
const FACES = new Set(['cli', 'server']);
const PURE = new Set<string>(['core', ...DOMAINS]);
const IMPURE_MODULES = /^node:(fs|fs\/promises|http|https|net|child_process|os|worker_threads)$/;
const IMPURE_CALLS = /\b(process\.(env|argv|exit|cwd)|console\.|Date\.now\(\))/;
/** The only places that read the process environment: the configuration and the CLI's I/O. */
const ENV_READERS = new Set(['src/config', 'src/cli/io.ts']);

const SRC = join(REPO_ROOT, 'src');
/**
 * `custody serve` and `custody witness serve` start HTTP servers, so the CLI may call the server's
 * composition root: this one file, nothing else of server/.
 */
const SERVER_ENTRY = join(SRC, 'server', 'main.js');

interface Import {
  spec: string;
  typeOnly: boolean;
}

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

/** Static imports and re-exports (with whether they are type-only) and dynamic `import()`s. */
function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gm;
  for (const m of text.matchAll(statement)) {
    const clause = (m[3] as string).trim();
    // `import { type A, type B } from` is as type-only as `import type { A, B } from`.
    const names = /^\{([^}]*)\}$/.exec(clause)?.[1];
    const allNamesTyped =
      names
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => s.startsWith('type ')) === true;
    out.push({ spec: m[4] as string, typeOnly: m[2] !== undefined || allNamesTyped });
  }
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm))
    out.push({ spec: m[1] as string, typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g))
    out.push({ spec: m[1] as string, typeOnly: false });
  return out;
}

/**
 * A folder's public surface: its index.ts, or the index.ts of a sub-folder that keeps a lean
 * surface of its own so that a command loads only what it uses (core/vers, sbom/quality, …).
 * DSSE's pre-authentication encoding is imported alone by the verifiers for the same reason.
 */
function isPublicSurface(target: string): boolean {
  return target.endsWith('/index.ts') || relative(SRC, target) === 'formats/dsse.ts';
}
const ALL = files(SRC);
const IMPORTS = new Map(ALL.map((f) => [f, importsOf(readFileSync(f, 'utf8'))]));

describe('architecture', () => {
  it('src/api/ holds types only, so the dashboard can import it without server code', () => {
    for (const file of ALL.filter((f) => layerOf(f) === 'api')) {
      const code = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      assert.doesNotMatch(
        code,
        /^\s*export\s+(const|let|var|function|class|enum|default)\b/m,
        file,
      );
      assert.doesNotMatch(code, /^\s*import\s+(?!type\b)/m, `${file} imports a value`);
    }
  });
  for (const file of ALL) {
    const rel = relative(REPO_ROOT, file);
    const layer = layerOf(file);
    it(`${rel} imports only from the layers below it`, () => {
      const allowed = ALLOWED[layer];
      assert.ok(allowed, `${rel}: folder ${layer} has no layer rule`);
      for (const { spec, typeOnly } of IMPORTS.get(file) ?? []) {
        if (spec.startsWith('.')) {
          const target = layerOf(resolve(dirname(file), spec));
          if (typeOnly && FACES.has(layer)) continue;
          // The API's shapes (src/api/) are types every layer may name.
          if (typeOnly && target === 'api') continue;
          if (layer === 'cli' && resolve(dirname(file), spec) === SERVER_ENTRY) continue;
          assert.ok(
            allowed.includes(target),
            `${rel} imports ${spec} (${target}), not allowed from ${layer}`,
          );
        } else if (PURE.has(layer)) {
          assert.ok(!IMPURE_MODULES.test(spec), `${rel} is pure domain code but imports ${spec}`);
        }
      }
      const code = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      if (PURE.has(layer)) {
        assert.ok(
          !IMPURE_CALLS.test(code),
          `${rel} is pure domain code but uses ${code.match(IMPURE_CALLS)?.[0]}`,
        );
      }
      const readsEnv = /\bprocess\.env\b|\bio\.env\b/.test(code);
      const mayReadEnv = [...ENV_READERS].some((p) => rel.startsWith(p));
      assert.ok(!readsEnv || mayReadEnv, `${rel} reads the environment; take it from config/`);
    });

    if (layer !== '.') {
      it(`${rel} reaches other folders through their index.ts`, () => {
        for (const { spec } of IMPORTS.get(file) ?? []) {
          if (!spec.startsWith('.')) continue;
          const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
          if (layerOf(target) === layer) continue;
          if (!existsSync(join(SRC, layerOf(target), 'index.ts'))) continue;
          assert.ok(
            isPublicSurface(target),
            `${rel} imports ${spec}: import the folder's index.ts (its public surface)`,
          );
        }
      });
    }
  }

  it('has no import cycle between the folders of src/', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, imports] of IMPORTS) {
      const from = layerOf(file);
      for (const { spec, typeOnly } of imports) {
        if (typeOnly || !spec.startsWith('.')) continue;
        const to = layerOf(resolve(dirname(file), spec));
        if (to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)?.add(to);
      }
    }
    const cycle = findCycle(edges);
    assert.equal(cycle, undefined, `folders import each other: ${cycle?.join(' → ')}`);
  });
});

/** Depth-first search for a back edge; returns the cycle's folders, or undefined. */
function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (state.get(m) === undefined) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return undefined;
}
