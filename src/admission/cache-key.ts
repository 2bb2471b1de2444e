import { createHash } from 'node:crypto';
import type { NamespaceConfig } from './types.js';

/**
 * The decision cache's key (issue [9]: "the cache key covers every input of a decision … so a hit
 * never skips a condition"). Every input is named here, and the key is a SHA-256 over their
 * canonical JSON: a change to any one of them is a miss.
 */
export interface DecisionKeyInput {
  /** The image's manifest digest. */
  imageDigest: string;
  /** The namespace's whole configuration (version and content: mode, identities, issuer, flags). */
  namespace: NamespaceConfig;
  /** The policy's digest (its source's), as policy documents carry it. */
  policyDigest: string;
  /** Fingerprint of the trusted roots, keys (and their roles) and default identities. */
  trustFingerprint: string;
  /** Exceptions and overrides as the governance store numbers its changes. */
  governanceGeneration: number | string;
  /** The bucket of the verified material's expiry: a decision lives no longer than what it read. */
  materialBucket: number;
  /** The verified material's own digest (what verified, the index's facts). */
  materialDigest: string;
}

/** `sha256:<hex>` over the canonical form of every input. */
export function decisionCacheKey(i: DecisionKeyInput): string {
  const canonical = canonicalJson({
    v: 1,
    imageDigest: i.imageDigest,
    namespace: i.namespace,
    policyDigest: i.policyDigest,
    trustFingerprint: i.trustFingerprint,
    governanceGeneration: [typeof i.governanceGeneration, String(i.governanceGeneration)],
    materialBucket: i.materialBucket,
    materialDigest: i.materialDigest,
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Which expiry bucket a time falls in (buckets of `bucketMs`, from the epoch). */
export function expiryBucket(expiresAtMs: number, bucketMs: number): number {
  return Math.floor(expiresAtMs / Math.max(1, bucketMs));
}

/**
 * JSON with object keys sorted at every depth and `undefined` members left out, so that two
 * equal configurations give one key whatever order their fields were written in.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((e) => canonicalJson(e)).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, e]) => e !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, e]) => `${JSON.stringify(k)}:${canonicalJson(e)}`).join(',')}}`;
}
