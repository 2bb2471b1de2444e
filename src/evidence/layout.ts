/**
 * Where things sit in an evidence archive, and `index.json`: which file signs which, which
 * checkpoint an entry is proven against. The index is itself a listed file, so it is covered by
 * the manifest's signature like everything else.
 */

export const EVIDENCE_TYPE = 'https://custody.dev/evidence/v1' as const;
export const MANIFEST_PATH = 'manifest.json';
export const MANIFEST_SIGNATURE_PATH = 'manifest.sig.json';
export const INDEX_PATH = 'index.json';
export const NARRATIVE_PATH = 'NARRATIVE.md';
export const RELEASE_PATH = 'release.json';
export const TRUSTED_ROOT_PATH = 'trust/trusted-root.json';
/** The public key of the service's signing key: the manifest's and VEX documents' signer. */
export const SIGNING_KEY_PATH = 'trust/service-signing-key.pem';
export const WITNESSES_PATH = 'trust/witnesses.json';
export const AUDIT_PATH = 'audit/events.json';
/** The audit chain's head when exported, and the heads anchored in the transparency log. */
export const AUDIT_HEAD_PATH = 'audit/head.json';
export const AUDIT_ANCHORS_PATH = 'audit/anchors.json';
/** DSSE payload type of the manifest's signature envelope. */
export const MANIFEST_PAYLOAD_TYPE = 'application/vnd.custody.evidence-manifest+json';

/** Who must have signed a bundle: a certificate identity, or a key held in the archive. */
export type BundleSigner =
  | { kind: 'identity'; identity: string; issuer: string }
  | { kind: 'key'; keyPath: string };

export interface BundleRef {
  path: string;
  /** `sbom-signature`, `attestation` (in-toto, e.g. SLSA provenance) or `vex`. */
  purpose: 'sbom-signature' | 'attestation' | 'vex';
  /** The signed file in the archive, or (an attestation) the artifact digest its statement names. */
  subject: { path: string } | { digest: string };
  signer: BundleSigner;
  /** Signed with a Custody emergency certificate (accepted, and said so in the report). */
  emergency: boolean;
  /** Log entries inside the bundle (0: a keyed bundle Custody logged on intake instead). */
  tlogEntries: number;
  /** An attestation's predicate type (for `custody verify-attestation --type`). */
  predicateType?: string;
}

export interface LogEntryRef {
  path: string;
  /** The checkpoint file its inclusion proof reaches. */
  checkpoint: string;
}

export interface EvidenceIndex {
  bundles: BundleRef[];
  logEntries: LogEntryRef[];
}

/** A log entry as the archive holds it (`tlog/entries/<index>.json`). */
export interface LogEntryFile {
  index: number;
  kind: string;
  /** The leaf data, base64. */
  body: string;
  /** Hex of RFC 6962's leaf hash. */
  leafHash: string;
  integratedTime: number;
  inclusionProof: { treeSize: number; rootHash: string; hashes: string[] };
}

/** A witness the log sends checkpoints to: its URL and signed-note verifier key. */
export interface WitnessRef {
  url: string;
  vkey: string;
}

/** The kind written into the manifest for a path, from where it sits. */
export function kindOfPath(path: string): string {
  if (path === INDEX_PATH) return 'index';
  if (path === NARRATIVE_PATH) return 'narrative';
  if (path === RELEASE_PATH) return 'release';
  if (path === TRUSTED_ROOT_PATH) return 'trusted-root';
  if (path === AUDIT_PATH) return 'audit';
  const top = path.split('/')[0] ?? '';
  const table: Record<string, string> = {
    sbom: 'sbom',
    bundles: 'bundle',
    attestations: 'attestation',
    vex: 'vex',
    trust: 'trust',
    admission: 'admission',
    emergency: 'emergency',
    policy: 'policy',
  };
  if (top === 'tlog') return path.startsWith('tlog/checkpoints/') ? 'checkpoint' : 'log-entry';
  return table[top] ?? 'file';
}
