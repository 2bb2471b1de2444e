import { parseIntegrity } from '../../../core/index.js';
import type { Hash } from '../../model.js';
import { asRecord, asString, type Json, keysOf } from './json-guards.js';
import { LockIndex } from './node-resolve.js';
import { nameFromNodeModulesPath, parseNpmAlias } from './npm-name.js';

/**
 * Index a v2/v3 `packages` map by key. Names come from the entry (`name` is written for aliases
 * and workspace folders) or the folder the package is installed under.
 */
export function nodesFromPackages(packages: Json): LockIndex {
  const index = new LockIndex();
  for (const key of Object.keys(packages)) {
    const e = asRecord(packages[key]);
    if (!e) continue;
    const isRoot = key === '';
    const installed = isInstalledPath(key);
    const deps: string[] = [];
    pushKeys(deps, e['dependencies']);
    pushKeys(deps, e['optionalDependencies']);
    pushKeys(deps, e['peerDependencies']);
    // npm installs devDependencies of the project and its workspaces only.
    if (isRoot || !installed) pushKeys(deps, e['devDependencies']);
    index.add({
      path: key,
      name: asString(e['name']) ?? (installed ? nameFromNodeModulesPath(key) : ''),
      version: asString(e['version']),
      integrity: asString(e['integrity']),
      licenses: licenseField(e['license']),
      dev: e['dev'] === true,
      optional: e['optional'] === true || e['devOptional'] === true,
      deps,
      bundled: e['inBundle'] === true,
      link: e['link'] === true ? (asString(e['resolved']) ?? '') : undefined,
      ref: undefined,
    });
  }
  return index;
}

/**
 * Flatten a v1 nested `dependencies` tree into the same shape: each entry's key becomes its
 * node_modules path, `requires` its dependency names, and an `npm:` alias version its real name.
 */
export function nodesFromV1Tree(root: Json, rootDeps: string[]): LockIndex {
  const index = new LockIndex();
  index.add({
    path: '',
    name: asString(root['name']) ?? '',
    version: asString(root['version']),
    integrity: undefined,
    licenses: [],
    dev: false,
    optional: false,
    deps: rootDeps,
    bundled: false,
    link: undefined,
    ref: undefined,
  });
  // Breadth first, so a package's shallowest copy is met first (it names the component's path).
  const queue: { deps: Json; parent: string }[] = [];
  const top = asRecord(root['dependencies']);
  if (top) queue.push({ deps: top, parent: '' });
  for (let i = 0; i < queue.length; i++) {
    const { deps, parent } = queue[i] as { deps: Json; parent: string };
    for (const folder of Object.keys(deps)) {
      const e = asRecord(deps[folder]);
      if (!e) continue;
      const path = parent === '' ? `node_modules/${folder}` : `${parent}/node_modules/${folder}`;
      const raw = asString(e['version']);
      const alias = raw ? parseNpmAlias(raw) : undefined;
      index.add({
        path,
        name: alias?.name ?? folder,
        version: alias?.version ?? raw,
        integrity: asString(e['integrity']),
        licenses: [],
        dev: e['dev'] === true,
        optional: e['optional'] === true,
        deps: keysOf(e['requires']),
        bundled: e['bundled'] === true,
        link: undefined,
        ref: undefined,
      });
      const nested = asRecord(e['dependencies']);
      if (nested) queue.push({ deps: nested, parent: path });
    }
  }
  return index;
}

/** Hashes from an SRI `integrity` (npm v1 writes sha1 for old packages, sha512 for newer). */
export function hashesOf(integrity: string | undefined): Hash[] {
  return integrity ? parseIntegrity(integrity) : [];
}

/** Whether a lockfile key is an installed package (under some node_modules), not a folder. */
export function isInstalledPath(key: string): boolean {
  return key.startsWith('node_modules/') || key.includes('/node_modules/');
}

// Appends rather than concatenating: this runs once per package.
function pushKeys(out: string[], v: unknown): void {
  const r = asRecord(v);
  if (r) for (const k in r) out.push(k);
}

function licenseField(v: unknown): string[] {
  const s = asString(v) ?? asString(asRecord(v)?.['type']);
  return s?.trim() ? [s.trim()] : [];
}
