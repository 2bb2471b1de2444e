import { formatPurl } from '../../../core/index.js';

/** An npm package name split into purl parts: `@babel/core` → namespace `@babel`, name `core`. */
export interface NpmName {
  namespace?: string;
  name: string;
}

/** Split a package name at its scope; undefined when it is not a usable name. */
export function splitNpmName(full: string): NpmName | undefined {
  if (full === '' || full.length > 214 * 2) return undefined;
  if (full.charCodeAt(0) !== 0x40 /* @ */) return full.includes('/') ? undefined : { name: full };
  const slash = full.indexOf('/');
  if (slash < 2 || slash === full.length - 1) return undefined;
  const name = full.slice(slash + 1);
  if (name.includes('/')) return undefined;
  return { namespace: full.slice(0, slash), name };
}

/** The purl of an npm package (`pkg:npm/%40babel/core@7.0.0`); the version is optional. */
export function npmPurl(parts: NpmName, version: string | undefined): string {
  return formatPurl({ type: 'npm', namespace: parts.namespace, name: parts.name, version });
}

/**
 * Split a `name@range` descriptor (yarn keys, npm alias targets). The name ends at the first `@`
 * after the first character, so scoped names and ranges holding `@` (aliases, git URLs) both work.
 */
export function splitDescriptor(descriptor: string): { name: string; range: string } | undefined {
  const at = descriptor.indexOf('@', 1);
  if (at < 0) return undefined;
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

/** The name and version an npm alias spec (`npm:bar@1.0.0`, `npm:@s/bar@1.0.0`) points to. */
export function parseNpmAlias(spec: string): { name: string; version: string } | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const d = splitDescriptor(spec.slice(4));
  return d && d.range !== '' ? { name: d.name, version: d.range } : undefined;
}

/** The package name a node_modules path ends in: `node_modules/a/node_modules/@s/b` → `@s/b`. */
export function nameFromNodeModulesPath(path: string): string {
  const i = path.lastIndexOf('node_modules/');
  return i < 0 ? path.slice(path.lastIndexOf('/') + 1) : path.slice(i + 'node_modules/'.length);
}
