import { parseJson } from '../../../core/index.js';
import type { FileTree } from '../../model.js';
import { asRecord, asString } from './json-guards.js';

/** What an installed package's own package.json adds to what the lockfile says. */
export interface InstalledPackage {
  name?: string;
  version?: string;
  licenses: string[];
  author?: string;
  description?: string;
}

/** Installed manifests are small; a huge one is not a package.json worth reading. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Read `path` (a package.json in the tree) for its name, version, licences, author and
 * description. Undefined when it is missing or unreadable: node_modules is optional evidence, and a
 * broken copy there must not make the lockfile itself fail.
 */
export function readInstalledPackage(tree: FileTree, path: string): InstalledPackage | undefined {
  let json: Record<string, unknown> | undefined;
  try {
    const bytes = tree.read(path);
    if (!bytes || bytes.byteLength > MAX_MANIFEST_BYTES) return undefined;
    json = asRecord(parseJson(bytes, path, { maxDepth: 64 }));
  } catch {
    return undefined;
  }
  if (!json) return undefined;
  const out: InstalledPackage = { licenses: licensesOf(json) };
  const name = asString(json['name']);
  const version = asString(json['version']);
  const author = personOf(json['author']);
  const description = asString(json['description']);
  if (name) out.name = name;
  if (version) out.version = version;
  if (author) out.author = author;
  if (description) out.description = description;
  return out;
}

/**
 * Licences as package.json declares them: `license` (an SPDX expression, or the legacy
 * `{ type }` object), else the legacy `licenses` array of strings or `{ type }` objects.
 */
export function licensesOf(json: Record<string, unknown>): string[] {
  const one = licenseText(json['license']);
  if (one) return [one];
  const many = json['licenses'];
  if (!Array.isArray(many)) {
    const single = licenseText(many);
    return single ? [single] : [];
  }
  const out: string[] = [];
  for (const l of many) {
    const t = licenseText(l);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

function licenseText(v: unknown): string | undefined {
  const s = asString(v) ?? asString(asRecord(v)?.['type']);
  const t = s?.trim();
  return t ? t : undefined;
}

// `author` is "Name <email> (url)" or { name, email, url }; keep the person's name and email.
function personOf(v: unknown): string | undefined {
  const s = asString(v)?.trim();
  if (s) return s;
  const r = asRecord(v);
  const name = asString(r?.['name'])?.trim();
  if (!name) return undefined;
  const email = asString(r?.['email'])?.trim();
  return email ? `${name} <${email}>` : name;
}
