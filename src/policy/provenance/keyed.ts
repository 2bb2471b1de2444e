import { type KeyObject, verify as verifySignature } from 'node:crypto';
import { preAuthEncoding } from '../../formats/dsse.js';
import {
  parseDsseEnvelope,
  provenanceView,
  SlsaError,
  splitSourceRef,
} from '../../formats/slsa/index.js';
import { isSignError, type TrustMaterialInput } from '../../sign/index.js';
import { verifyBundle } from '../../sign/verify/index.js';
import {
  assertVersionedTag,
  builderIdString,
  matchesLoose,
  parseBuilderId,
  refName,
} from './builder-id.js';
import { type ProvenanceExpectations, statementOf, verifySubjectDigest } from './gha.js';
import { fail } from './reasons.js';
import { asResult, type ProvenanceResult } from './result.js';
import { isSigstoreBundle } from './signature.js';

export interface KeyedProvenanceInput {
  /** A Sigstore bundle signed with a key, or a bare DSSE envelope. */
  attestation: unknown;
  key: KeyObject;
  artifactDigests: readonly string[];
  expect: Omit<ProvenanceExpectations, 'artifactDigest' | 'workflowInputs'>;
  /** For a bundle's transparency log entries, when it has any. */
  trust: TrustMaterialInput;
}

/** DSSE signatures: DER ECDSA, or raw r||s for P-256 as some signers write it. */
export function dsseVerifies(key: KeyObject, pae: Uint8Array, sig: Uint8Array): boolean {
  const alg =
    key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
  try {
    if (verifySignature(alg, pae, key, sig)) return true;
  } catch {
    // Not DER: try the IEEE P1363 form below.
  }
  if (key.asymmetricKeyType !== 'ec') return false;
  try {
    return verifySignature(alg, pae, { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

/**
 * Provenance signed with a long-lived key (Custody's own `attest provenance --key`, or any
 * signer's): the signature, then the same claims as for GitHub Actions, read from the
 * normalized provenance view (builder ID, source repository and ref, subjects).
 */
export function verifyKeyedProvenance(input: KeyedProvenanceInput): ProvenanceResult {
  return asResult(() => {
    let payloadType: string;
    let payload: Uint8Array;
    let tlog = false;
    if (isSigstoreBundle(input.attestation)) {
      try {
        const v = verifyBundle(input.attestation, undefined, { key: input.key }, input.trust, {
          tlogThreshold: 0,
          timestampThreshold: 0,
        });
        if (v.dsse === undefined)
          fail('invalid-dsse-payload', 'the bundle does not hold a DSSE envelope');
        ({ payloadType, payload } = v.dsse);
        tlog = v.tlogIndices.length > 0;
      } catch (e) {
        if (isSignError(e) && e.code !== 'SIGN_BUNDLE_MALFORMED')
          fail('no-valid-signature', e.message);
        throw e;
      }
    } else {
      const env = parseDsseEnvelope(input.attestation, 'the provenance envelope');
      const pae = preAuthEncoding(env.payloadType, env.payload);
      if (!env.signatures.some((s) => dsseVerifies(input.key, pae, s.sig))) {
        fail('no-valid-signature', 'no signature of the envelope verifies under the key');
      }
      ({ payloadType, payload } = env);
    }
    const statement = statementOf({ payloadType, payload });
    let view: ReturnType<typeof provenanceView>;
    try {
      view = provenanceView(statement);
    } catch (e) {
      if (e instanceof SlsaError) fail('invalid-dsse-payload', e.message);
      throw e;
    }
    const expect = input.expect;
    if (expect.builderId !== undefined) {
      const mismatch = matchesLoose(parseBuilderId(view.builderId, false), expect.builderId);
      if (mismatch !== undefined) fail('mismatch-builder-id', mismatch);
    }
    const source = view.source;
    if (source === undefined) fail('mismatch-source', 'the provenance names no source');
    const uri = splitSourceRef(source.uri).uri;
    // Compared without scheme: `github.com/o/r`, `https://github.com/o/r` and `git+https://…` agree.
    const bare = (u: string) =>
      u
        .replace(/^git\+/, '')
        .replace(/^[a-z]+:\/\//, '')
        .replace(/\.git$/, '');
    if (bare(uri) !== bare(expect.sourceUri)) {
      fail(
        'mismatch-source',
        `expected source "${expect.sourceUri}", the provenance says "${source.uri}"`,
      );
    }
    for (const d of input.artifactDigests) verifySubjectDigest(statement.subject, d.toLowerCase());
    const ref = source.ref ?? '';
    if (expect.branch !== undefined) {
      const branch = refName('heads', ref);
      if (branch !== expect.branch)
        fail('mismatch-branch', `expected branch '${expect.branch}', got '${branch}'`);
    }
    if (expect.tag !== undefined) {
      const tag = refName('tags', ref);
      if (tag !== expect.tag) fail('mismatch-tag', `expected tag '${expect.tag}', got '${tag}'`);
    }
    if (expect.versionedTag !== undefined)
      assertVersionedTag(refName('tags', ref), expect.versionedTag);
    return {
      verified: true,
      builderId: builderIdString(parseBuilderId(view.builderId, false)),
      sourceRepository: uri,
      ...((source.digest['gitCommit'] ?? source.digest['sha1'])
        ? { commit: source.digest['gitCommit'] ?? source.digest['sha1'] }
        : {}),
      statement,
      tlog,
    };
  });
}
