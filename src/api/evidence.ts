/** One file of an evidence bundle, as listed in its manifest. */
export interface EvidenceManifestEntry {
  path: string;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
  size: number;
  /** What the file is: `sbom`, `vex`, `attestation`, `bundle`, `log-entry`, `checkpoint`, … */
  kind: string;
}

/** `manifest.json` at the root of an evidence tar. */
export interface EvidenceManifest {
  type: 'https://custody.dev/evidence/v1';
  product: string;
  release: string;
  generatedAt: string;
  generatedBy: string;
  files: EvidenceManifestEntry[];
}

/** One check `custody evidence verify` ran, for the report a person reads. */
export interface EvidenceCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface EvidenceVerifyReport {
  ok: boolean;
  product: string | null;
  release: string | null;
  checks: EvidenceCheck[];
}
