import {
  readNotationEnvelope,
  readNotationTrustPolicy,
  readNotationTrustStore,
} from '../../fs/notation-files.js';
import {
  loadNotation,
  type NotationVerification,
  type RevocationChecker,
} from '../../sign/index.js';

export interface VerifyNotationRequest {
  /** The envelope file (a `.sig`, `.jws` or `.cose`, or a signature layer saved from a registry). */
  envelopePath: string;
  /** application/jose+json or application/cose; when absent, guessed from the file's first byte. */
  mediaType?: string;
  /** `registry/repository@sha256:…`; `local/artifact@<digest>` when the artifact has no registry. */
  artifactReference?: string;
  artifactDigest: string;
  trustPolicyPath: string;
  trustStoreDir: string;
  cwd: string;
  now: Date;
  revocation?: RevocationChecker;
  userMetadata?: Readonly<Record<string, string>>;
}

export interface VerifyNotationResult {
  verification: NotationVerification;
  /** Sub-directories of named stores that were ignored. */
  warnings: string[];
}

/**
 * Verifies one Notary Project signature file against an artifact digest with a trust policy
 * file and a trust store directory (notation's own layout).
 * @throws SignError SIGN_INPUT_UNREADABLE; NotationError SIGN_NOTATION_* for unreadable input
 */
export async function verifyNotationFile(r: VerifyNotationRequest): Promise<VerifyNotationResult> {
  const n = await loadNotation();
  const envelope = readNotationEnvelope(r.envelopePath, r.cwd);
  const policy = n.parseTrustPolicy(readNotationTrustPolicy(r.trustPolicyPath, r.cwd));
  const store = readNotationTrustStore(r.trustStoreDir, r.cwd);
  const trustStores = n.buildTrustStores(store.files, store.stores);
  const mediaType = r.mediaType ?? (envelope[0] === 0x7b ? n.MEDIA_TYPE_JWS : n.MEDIA_TYPE_COSE);
  const verification = await n.verifyNotationSignature(
    {
      envelope,
      mediaType,
      artifactReference: r.artifactReference ?? `local/artifact@${r.artifactDigest}`,
      artifactDigest: r.artifactDigest,
      ...(r.userMetadata ? { userMetadata: r.userMetadata } : {}),
    },
    { policy, trustStores, ...(r.revocation ? { revocation: r.revocation } : {}) },
    r.now,
  );
  return { verification, warnings: store.warnings };
}
