import type { KeyObject } from 'node:crypto';
import type { X509Certificate } from '@sigstore/core';
import {
  type CertificateAuthority,
  mergeTrustedRoots,
  type TransparencyLogInstance,
  type TrustedRoot,
} from '../trusted-root.js';

/**
 * What `verifyBundle` trusts: one parsed trusted root, or several (merged, so any of them may
 * vouch). Pass the same object for many bundles: the verifier keeps what bundles share (CA chains
 * it checked, log keys by ID, verified checkpoints, verified signing certificates) alongside it.
 */
export type TrustMaterialInput = TrustedRoot | readonly TrustedRoot[];

/** A trusted root indexed for lookups, plus the caches that make repeated verification cheap. */
export interface TrustMaterial {
  root: TrustedRoot;
  tlogsById: Map<string, TransparencyLogInstance[]>;
  ctlogsById: Map<string, TransparencyLogInstance[]>;
  /** Self-consistency of each authority's chain (each certificate signed by the next), once. */
  chainOk: WeakMap<CertificateAuthority, boolean>;
  /** base64 DER of every certificate of the trusted root's authorities (bundle chains, certificate.ts). */
  caCertificates: Set<string>;
  /** KeyObjects of certificates' SPKIs, parsed once. */
  keys: WeakMap<X509Certificate, KeyObject>;
  /** The trusted root's CA certificates' keys for chain checks, parsed once; null: unparsable. */
  issuerKeys: WeakMap<X509Certificate, KeyObject | null>;
  /** SHA-256 of the CA certificates' SPKIs (RFC 6962 precertificate issuer_key_hash). */
  issuerKeyHashes: WeakMap<X509Certificate, Uint8Array>;
  leaves: BoundedCache<unknown>;
  checkpoints: BoundedCache<unknown>;
}

const materials = new WeakMap<object, TrustMaterial>();

export function trustMaterial(input: TrustMaterialInput): TrustMaterial {
  let m = materials.get(input);
  if (m === undefined) {
    const root = isList(input) ? mergeTrustedRoots(input) : input;
    m = {
      root,
      tlogsById: byLogId(root.tlogs),
      ctlogsById: byLogId(root.ctlogs),
      chainOk: new WeakMap(),
      caCertificates: new Set(
        root.certificateAuthorities.flatMap((ca) =>
          ca.certChain.map((c) => c.root.toDER().toString('base64')),
        ),
      ),
      keys: new WeakMap(),
      issuerKeys: new WeakMap(),
      issuerKeyHashes: new WeakMap(),
      leaves: new BoundedCache(10_000),
      checkpoints: new BoundedCache(1_000),
    };
    materials.set(input, m);
  }
  return m;
}

/** A Map that forgets everything when full: bundles of one release share few keys, so no LRU. */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
  }
}

export function logIdKey(id: Uint8Array): string {
  return Buffer.from(id).toString('base64');
}

function byLogId(logs: readonly TransparencyLogInstance[]): Map<string, TransparencyLogInstance[]> {
  const out = new Map<string, TransparencyLogInstance[]>();
  for (const l of logs) {
    const k = logIdKey(l.logId);
    out.set(k, [...(out.get(k) ?? []), l]);
  }
  return out;
}

function isList(input: TrustMaterialInput): input is readonly TrustedRoot[] {
  return Array.isArray(input);
}
