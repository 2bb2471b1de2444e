/** One file of an evidence bundle, as listed in its manifest. */
export interface EvidenceManifestEntry {
  path: string;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
  size: number;
  /** What the file is: `sbom`, `vex`, `attestation`, `bundle`, `log-entry`, `checkpoint`, … */
  kind: string;
}

/**
 * `manifest.json` at the root of an evidence tar. Every other file but the manifest's signature
 * envelope (`manifest.sig.json`, DSSE over these exact bytes) is listed in `files`.
 */
export interface EvidenceManifest {
  type: 'https://custody.dev/evidence/v1';
  product: string;
  release: string;
  generatedAt: string;
  generatedBy: string;
  /** The trusted root the bundle's signatures verify under: its path and digest, pinned. */
  trustedRoot: { path: string; digest: string };
  /** Base64 SHA-256 of the SPKI of the key that signed the manifest (the service's VEX key). */
  signerKeyHint: string;
  files: EvidenceManifestEntry[];
}

/** One check `custody evidence verify` ran, for the report a person reads. */
export interface EvidenceCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when the check failed. */
  remedy?: string;
}

export interface EvidenceVerifyReport {
  ok: boolean;
  product: string | null;
  release: string | null;
  /**
   * Which trusted root the signatures were verified under: the one inside the bundle, or one
   * given out of band (`--trusted-root`), which is the stronger check.
   */
  trustedRoot: 'bundle' | 'out-of-band';
  /** Which key the manifest's signature was checked with: the bundle's own, or one given (`--key`). */
  manifestKey: 'bundle' | 'out-of-band';
  checks: EvidenceCheck[];
}
