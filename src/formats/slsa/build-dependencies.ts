import { sha256Hex } from '../../core/index.js';
import type { CatalogResult, Component, Hash } from '../../sbom/index.js';
import { detectSbomFormat } from '../detect.js';
import type { ResourceDescriptorV1 } from './build-types.js';
import { DIGEST_SIZES } from './build-validate.js';

/** The resolved dependency that links the release's SBOM: this name, its media type, its SHA-256. */
export const SBOM_DEPENDENCY_NAME = 'sbom';

// CycloneDX's hash names → the in-toto DigestSet's (NIST names, lower case, `-` → `_`).
const DIGEST_NAMES: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA3-256': 'sha3_256',
  'SHA3-384': 'sha3_384',
  'SHA3-512': 'sha3_512',
};

/**
 * The packages of catalogued lockfiles as resolved dependencies: the purl as `uri`, the
 * lockfile's integrity hashes as `digest`. A package the lockfile pins without a hash is listed
 * without a digest, so the share of pinned dependencies can be counted from the provenance.
 * One descriptor per purl (digests of duplicates merged), sorted, so the same lockfile always
 * gives the same list.
 */
export function lockfileDependencies(results: readonly CatalogResult[]): ResourceDescriptorV1[] {
  const byKey = new Map<string, ResourceDescriptorV1>();
  for (const c of results.flatMap((r) => r.components)) {
    const key = c.purl ?? `name:${nameOf(c)}`;
    const digest = digestOf(c.hashes);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, {
        ...(c.purl !== undefined ? { uri: c.purl } : { name: nameOf(c) }),
        ...(Object.keys(digest).length > 0 ? { digest } : {}),
      });
    } else if (Object.keys(digest).length > 0) {
      seen.digest = { ...digest, ...seen.digest };
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

/**
 * The SBOM as a resolved dependency, linked by digest: name `sbom`, the media type of its format
 * (CycloneDX or SPDX, JSON, XML, tag-value or YAML) and its SHA-256. Untrusted input: only its
 * format is read.
 * @throws SbomError SBOM_FORMAT_UNKNOWN, SBOM_PARSE when it is not an SBOM Custody reads
 */
export function sbomDependency(bytes: Uint8Array, what = 'the SBOM'): ResourceDescriptorV1 {
  const f = detectSbomFormat(bytes, what);
  const mediaType =
    f.format === 'cyclonedx'
      ? `application/vnd.cyclonedx+${f.encoding === 'xml' ? 'xml' : 'json'}`
      : f.encoding === 'tag-value'
        ? 'text/spdx'
        : `application/spdx+${f.encoding === 'yaml' ? 'yaml' : 'json'}`;
  return { name: SBOM_DEPENDENCY_NAME, digest: { sha256: sha256Hex(bytes) }, mediaType };
}

/** How many resolved dependencies carry a digest, of how many (the pinned ratio's parts). */
export function pinnedCount(deps: readonly ResourceDescriptorV1[]): {
  pinned: number;
  total: number;
} {
  const pinned = deps.filter((d) => d.digest !== undefined && Object.keys(d.digest).length > 0);
  return { pinned: pinned.length, total: deps.length };
}

function digestOf(hashes: readonly Hash[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of hashes) {
    const alg = DIGEST_NAMES[h.alg];
    const hex = h.content.toLowerCase();
    if (alg === undefined || !/^[0-9a-f]+$/.test(hex)) continue;
    if (DIGEST_SIZES[alg]?.includes(hex.length / 2)) out[alg] = hex;
  }
  return out;
}

function nameOf(c: Component): string {
  const base = c.namespace !== undefined ? `${c.namespace}/${c.name}` : c.name;
  return c.version !== undefined ? `${base}@${c.version}` : base;
}
