import { decodeUtf8 } from '../../../core/index.js';
import type { CatalogResult, FileTree } from '../../model.js';

/** The distribution an OS package database belongs to, from `os-release(5)`. */
export interface OsRelease {
  /** `ID`, lower case: `debian`, `ubuntu`, `alpine`, `rhel`, `fedora`, … */
  id: string;
  /** `VERSION_ID`: `12`, `22.04`, `3.18.0`, … (may be absent on rolling releases). */
  versionId?: string;
  /** `VERSION_CODENAME`, when given (`bookworm`). */
  codename?: string;
  /** `ID_LIKE`, split (`rhel centos fedora`). */
  idLike: string[];
}

/**
 * Find the os-release of the root filesystem that holds a package database. `dbPath` must end
 * with `dbSuffix` (e.g. `var/lib/dpkg/status`); whatever precedes it is the root. When the
 * database was named explicitly under another name the root is unknown and this returns undefined.
 */
export function findOsRelease(
  tree: FileTree,
  dbPath: string,
  dbSuffix: RegExp,
): OsRelease | undefined {
  const m = dbSuffix.exec(dbPath);
  if (!m) return undefined;
  const root = dbPath.slice(0, m.index);
  for (const candidate of ['etc/os-release', 'usr/lib/os-release']) {
    const bytes = safeRead(tree, root + candidate);
    if (bytes) return parseOsRelease(decodeUtf8(bytes));
  }
  return undefined;
}

/** `<ID>-<VERSION_ID>` (`debian-12`, `ubuntu-22.04`); the codename when there is no version. */
export function distroQualifier(os: OsRelease | undefined): string | undefined {
  if (!os) return undefined;
  const v = os.versionId ?? os.codename;
  return v ? `${os.id}-${v}` : undefined;
}

/** The OS itself, as the thing the package database describes. */
export function osRoot(os: OsRelease, ecosystem: string): NonNullable<CatalogResult['root']> {
  return os.versionId
    ? { name: os.id, version: os.versionId, ecosystem }
    : { name: os.id, ecosystem };
}

/** Parse os-release's shell-like `KEY=value` lines (quotes and backslash escapes). */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*?)\s*$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    fields.set(m[1], unquote(m[2]));
  }
  const id = fields.get('ID')?.toLowerCase();
  if (!id) return undefined;
  const out: OsRelease = { id, idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean) };
  const versionId = fields.get('VERSION_ID');
  if (versionId) out.versionId = versionId;
  const codename = fields.get('VERSION_CODENAME');
  if (codename) out.codename = codename;
  return out;
}

// A tree that cannot read a file (broken symlink, permission) simply has no os-release.
function safeRead(tree: FileTree, path: string): Uint8Array | undefined {
  try {
    return tree.read(path);
  } catch {
    return undefined;
  }
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return v;
}
