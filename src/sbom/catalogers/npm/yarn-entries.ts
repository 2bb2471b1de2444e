import { parseNpmAlias, splitDescriptor } from './npm-name.js';
import type { YarnBlock } from './yarn-lock-syntax.js';

/** One resolved package of a yarn.lock, whatever its flavour. */
export interface YarnEntry {
  /** The descriptors (`name@range`) this resolution satisfies, as the key lists them. */
  descriptors: string[];
  name: string;
  version: string | undefined;
  /** v1 `integrity` (an SRI string: a tarball hash). */
  integrity: string | undefined;
  /** Berry `checksum`: a hash of yarn's zip archive, not of the tarball. */
  checksum: string | undefined;
  /** Berry `resolution` when it is not a plain npm one (git, link, patch…). */
  resolution: string | undefined;
  patched: boolean;
  /** Berry workspace folder ('.' for the project itself). */
  workspace: string | undefined;
  deps: { name: string; range: string; optional: boolean }[];
  /** The component this entry became. */
  ref?: string;
}

/**
 * Read one top-level block of a v1 lockfile. The key names the package (an `npm:` alias range
 * names the real one); v1 records no resolution locator.
 */
export function v1Entry(key: string, block: YarnBlock): YarnEntry | undefined {
  const descriptors = splitKey(key);
  const first = splitDescriptor(descriptors[0] ?? '');
  if (!first) return undefined;
  const alias = parseNpmAlias(first.range);
  return {
    descriptors,
    name: alias?.name ?? first.name,
    version: text(block['version']),
    integrity: text(block['integrity']),
    checksum: undefined,
    resolution: undefined,
    patched: false,
    workspace: undefined,
    deps: [...depsOf(block['dependencies'], false), ...depsOf(block['optionalDependencies'], true)],
  };
}

/**
 * Read one top-level block of a Berry lockfile. The `resolution` locator names the package;
 * a `patch:` locator wraps the npm locator it patches, which is the package's identity.
 */
export function berryEntry(key: string, block: YarnBlock): YarnEntry | undefined {
  const resolution = text(block['resolution']);
  const locator = splitDescriptor(resolution ?? splitKey(key)[0] ?? '');
  if (!locator) return undefined;
  let reference = locator.range;
  let name = locator.name;
  const patched = reference.startsWith('patch:');
  if (patched) {
    const inner = splitDescriptor(safeDecode(reference.slice(6, hashIndex(reference))));
    if (inner) {
      name = inner.name;
      reference = inner.range;
    }
  }
  const optional = optionalNames(block['dependenciesMeta']);
  const deps = depsOf(block['dependencies'], false);
  for (const d of deps) d.optional = optional.has(d.name);
  return {
    descriptors: splitKey(key),
    name,
    version: text(block['version']),
    integrity: undefined,
    checksum: text(block['checksum']),
    resolution: reference.startsWith('npm:') ? undefined : resolution,
    patched,
    workspace: reference.startsWith('workspace:')
      ? reference.slice('workspace:'.length)
      : undefined,
    deps: [...deps, ...depsOf(block['optionalDependencies'], true)],
  };
}

/**
 * The descriptor a dependency `name: range` is looked up by. Berry writes the default `npm:`
 * protocol in keys but (before lockfile v6+) not in dependency ranges.
 */
export function berryDescriptor(name: string, range: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(range) ? `${name}@${range}` : `${name}@npm:${range}`;
}

function splitKey(key: string): string[] {
  return key
    .split(', ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function depsOf(
  v: unknown,
  optional: boolean,
): { name: string; range: string; optional: boolean }[] {
  if (typeof v !== 'object' || v === null) return [];
  const block = v as YarnBlock;
  const out: { name: string; range: string; optional: boolean }[] = [];
  for (const name of Object.keys(block)) {
    const range = block[name];
    if (typeof range === 'string') out.push({ name, range, optional });
  }
  return out;
}

// `dependenciesMeta: { fsevents: { optional: true } }` marks optional dependencies in Berry.
function optionalNames(v: unknown): Set<string> {
  const out = new Set<string>();
  if (typeof v !== 'object' || v === null) return out;
  const meta = v as YarnBlock;
  for (const name of Object.keys(meta)) {
    const m = meta[name];
    if (typeof m === 'object' && m['optional'] === 'true') out.add(name);
  }
  return out;
}

function text(v: string | YarnBlock | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function hashIndex(s: string): number {
  const i = s.indexOf('#');
  return i < 0 ? s.length : i;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
