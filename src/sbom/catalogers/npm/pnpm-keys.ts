import { splitDescriptor } from './npm-name.js';

/**
 * Package keys and dependency versions of pnpm-lock.yaml across its formats:
 * - v5: `/name/1.2.3`, `/@scope/name/1.2.3_react@18.0.0` (peer set after `_`);
 * - v6: `/name@1.2.3(react@18.0.0)`;
 * - v9: `name@1.2.3` in `packages`, `name@1.2.3(react@18.0.0)` in `snapshots`.
 * Dependency versions are `1.2.3(peers)`, or an alias (`/bar@1.0.0`, v9 `bar@1.0.0`), or `link:dir`.
 */

/** `name@version` of a package key with its peer suffix removed; undefined when unreadable. */
export function parsePackageKey(
  key: string,
  major: number,
): { name: string; version: string } | undefined {
  const k = key.startsWith('/') ? key.slice(1) : key;
  if (major < 6) {
    const scoped = k.startsWith('@');
    const slash = k.indexOf('/', scoped ? k.indexOf('/') + 1 : 0);
    if (slash <= 0 || (scoped && k.indexOf('/') >= slash)) return undefined;
    const version = stripPeers(k.slice(slash + 1), major);
    return version ? { name: k.slice(0, slash), version } : undefined;
  }
  const d = splitDescriptor(stripPeers(k, major));
  return d && d.range !== '' ? { name: d.name, version: d.range } : undefined;
}

/** Remove a peer-dependency suffix: `(…)` from v6 on, `_…` after the last `/` in v5. */
export function stripPeers(s: string, major: number): string {
  if (major >= 6) {
    const paren = s.indexOf('(');
    return paren < 0 ? s : s.slice(0, paren);
  }
  const underscore = s.indexOf('_', s.lastIndexOf('/') + 1);
  return underscore < 0 ? s : s.slice(0, underscore);
}

/**
 * The `name@version` a dependency `depName: value` points to, or the raw key when the value is a
 * full package key (aliases, git and tarball packages); undefined for `link:` values.
 */
export function dependencyTarget(
  depName: string,
  value: string,
  major: number,
): { nameVersion: string; rawKey: string } | undefined {
  if (value.startsWith('link:')) return undefined;
  const bare = stripPeers(value, major);
  if (value.startsWith('/') || (major >= 9 && isAlias(bare))) {
    const parsed = parsePackageKey(value, major);
    return { nameVersion: parsed ? `${parsed.name}@${parsed.version}` : bare, rawKey: bare };
  }
  return { nameVersion: `${depName}@${bare}`, rawKey: bare };
}

// v9 writes an alias as `bar@1.0.0`: a name before an `@` past the first character.
function isAlias(s: string): boolean {
  return s.indexOf('@', 1) > 0 && !s.includes(':');
}
