import { createHash } from 'node:crypto';
import {
  type ArtifactInput,
  assertAttestation,
  IN_TOTO_PAYLOAD_TYPE,
  loadVerifier,
  parseStatement,
  resolvePredicateType,
  SignError,
  type VerifiedBundle,
} from '../../sign/index.js';
import type { VerifyRequest } from './verify-artifact.js';

/**
 * A typo in the predicate type is a usage error, not a failed verification: checked before
 * anything is verified.
 * @throws SignError SIGN_STATEMENT_INVALID
 */
export function checkPredicateType(predicateType: string): void {
  resolvePredicateType(predicateType);
}

/**
 * `custody verify-attestation`: an attestation bundle (DSSE over an in-toto statement) whose
 * signature verifies, whose predicate type is the one asked for, and whose subjects include the
 * artifact's digest. The verifier checks the signature; the statement is checked here, so a wrong
 * subject reads as an attestation mismatch rather than an artifact mismatch.
 * @throws SignError SIGN_ATTESTATION_MISMATCH, and whatever the verifier refuses with
 */
export async function verifyAttestation(
  r: VerifyRequest & { predicateType: string },
): Promise<{ verified: VerifiedBundle; predicateType: string }> {
  checkPredicateType(r.predicateType);
  const { verifyBundle } = await loadVerifier();
  // Without an artifact the verifier refuses a message signature for want of one; say why.
  if ((r.bundle as { messageSignature?: unknown } | null)?.messageSignature !== undefined) {
    throw notAnAttestation();
  }
  const v = verifyBundle(r.bundle, undefined, r.policy, r.trust, r.options);
  if (v.dsse === undefined || v.dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw v.dsse === undefined
      ? notAnAttestation()
      : new SignError(
          'SIGN_ATTESTATION_MISMATCH',
          `the DSSE payload is ${v.dsse.payloadType}, not an in-toto statement`,
        );
  }
  const statement = parseStatement(v.dsse.payload);
  assertAttestation(statement, { predicateType: r.predicateType, sha256: sha256Of(r.artifact) });
  return { verified: v, predicateType: statement.predicateType };
}

function sha256Of(a: ArtifactInput): string {
  return 'data' in a ? createHash('sha256').update(a.data).digest('hex') : a.digest.hex;
}

function notAnAttestation(): SignError {
  return new SignError(
    'SIGN_ATTESTATION_MISMATCH',
    'the bundle holds a message signature, not an attestation (verify it with custody verify)',
  );
}
