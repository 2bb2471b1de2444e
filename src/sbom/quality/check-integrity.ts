import type { Component, SbomDocument } from '../model.js';
import { componentCheck } from './check-helpers.js';
import type { CheckResult } from './types.js';

const CATEGORY = 'integrity' as const;

/** Hash algorithms strong enough to identify bytes (SHA-256 or stronger); normalised spelling. */
const STRONG = new Set([
  'SHA256',
  'SHA384',
  'SHA512',
  'SHA3256',
  'SHA3384',
  'SHA3512',
  'BLAKE2B256',
  'BLAKE2B384',
  'BLAKE2B512',
  'BLAKE3',
]);

/**
 * Whether each component's bytes can be checked: any hash, a hash wherever the source records one,
 * and a strong one.
 */
export function integrityChecks(doc: SbomDocument): CheckResult[] {
  const cs = doc.components;
  const strong = componentCheck(
    {
      id: 'integrity.strong-hash',
      category: CATEGORY,
      weight: 1,
      passes: 'have a SHA-256 or stronger hash',
      pass: hasStrongHash,
    },
    cs,
  );
  const weakOnly = cs.filter((c) => hasHash(c) && !hasStrongHash(c)).length;
  if (weakOnly > 0) strong.summary += ` (${weakOnly} only SHA-1/MD5)`;
  return [
    componentCheck(
      { id: 'integrity.hash', category: CATEGORY, weight: 1, passes: 'have a hash', pass: hasHash },
      cs,
    ),
    componentCheck(
      {
        id: 'integrity.source-hash',
        category: CATEGORY,
        // Weighs nothing: integrity.hash scores the same components; this one is for gates, which
        // block on a hash the source records but the SBOM lost, and only warn about the rest.
        weight: 0,
        passes: 'have a hash',
        population: 'come from a source that records one',
        appliesTo: (c) => !sourceRecordsNoHash(c),
        pass: hasHash,
      },
      cs,
    ),
    strong,
  ];
}

/**
 * Whether the component is marked as one its source cannot give a hash for: an npm dependency
 * bundled inside another package's tarball (`cdx:npm:package:bundled`, CycloneDX's npm taxonomy;
 * npm records no integrity for it), a workspace folder of the project itself, or an OS package
 * whose database holds no digest of the package file (`custody:hash:unrecorded`: dpkg always; apk
 * and rpm entries without a checksum or payload digest).
 */
export function sourceRecordsNoHash(c: Component): boolean {
  const p = c.properties;
  return (
    p?.['cdx:npm:package:bundled'] === 'true' ||
    p?.['custody:npm:workspace'] === 'true' ||
    p?.['custody:hash:unrecorded'] !== undefined
  );
}

/** `SHA-256`, `sha256`, `SHA_256` → `SHA256`. */
export function normalizeHashAlg(alg: string): string {
  return alg.toUpperCase().replace(/[-_\s]/g, '');
}

export function isStrongHashAlg(alg: string): boolean {
  return STRONG.has(normalizeHashAlg(alg));
}

function hasHash(c: Component): boolean {
  return c.hashes.some((h) => h.content.trim() !== '');
}

function hasStrongHash(c: Component): boolean {
  return c.hashes.some((h) => h.content.trim() !== '' && isStrongHashAlg(h.alg));
}
