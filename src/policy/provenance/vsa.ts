import { createHash, type KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../../formats/dsse.js';
import {
  parseDsseEnvelope,
  parseVerificationSummary,
  SlsaError,
  type VerificationSummaryV1,
} from '../../formats/slsa/index.js';
import { statementOf } from './gha.js';
import { dsseVerifies } from './keyed.js';
import { fail, ProvenanceFailure, type ProvenanceReason } from './reasons.js';

export interface VsaInput {
  /** The DSSE envelope (parsed JSON). */
  attestation: unknown;
  key: KeyObject;
  /** The key's ID as signatures name it; by default the SHA-256 of its SPKI (hex), as DSSE's libraries compute it. */
  keyId?: string;
  /** `<type>:<value>`, e.g. `sha256:<hex>` or `gce_image_id:8970095005306000053`. */
  subjectDigests?: readonly string[];
  verifierId?: string;
  resourceUri?: string;
  verifiedLevels?: readonly string[];
}

export type VsaResult =
  | { verified: true; summary: VerificationSummaryV1 }
  | { verified: false; reason: ProvenanceReason; upstream: string; message: string };

/** SLSA_<TRACK>_LEVEL_<n> levels by track. */
function slsaLevels(levels: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of levels) {
    if (!l.startsWith('SLSA_')) continue;
    const parts = l.split('_');
    const n = Number(parts.slice(3).join('_'));
    if (parts.length < 4 || parts[2] !== 'LEVEL' || !Number.isInteger(n)) {
      fail('invalid-slsa-level', `invalid SLSA level: ${l}`);
    }
    const track = parts[1] as string;
    out.set(track, Math.max(out.get(track) ?? 0, n));
  }
  return out;
}

/**
 * A Verification Summary Attestation signed with a key, checked as slsa-verifier's verify-vsa
 * checks it: signature (by key ID), subject digests, verifier, resource, PASSED, levels.
 */
export function verifyVsa(input: VsaInput): VsaResult {
  try {
    const env = parseDsseEnvelope(input.attestation, 'the VSA envelope');
    const keyId =
      input.keyId !== undefined && input.keyId !== ''
        ? input.keyId
        : createHash('sha256')
            .update(input.key.export({ format: 'der', type: 'spki' }))
            .digest('hex');
    const pae = preAuthEncoding(env.payloadType, env.payload);
    const ok = env.signatures.some(
      (s) =>
        (s.keyid === undefined || s.keyid === '' || s.keyid === keyId) &&
        dsseVerifies(input.key, pae, s.sig),
    );
    if (!ok) fail('no-valid-signature', `no signature by key ${keyId} verifies`);
    const statement = statementOf(env);
    let vsa: VerificationSummaryV1;
    try {
      vsa = parseVerificationSummary(statement);
    } catch (e) {
      if (e instanceof SlsaError) fail('invalid-dsse-payload', e.message);
      throw e;
    }
    if (input.subjectDigests !== undefined) {
      if (input.subjectDigests.length === 0)
        fail('empty-required-field', 'no subject digests provided');
      for (const d of input.subjectDigests) {
        const i = d.indexOf(':');
        if (i <= 0) fail('invalid-dsse-payload', `expected digest ${d} is not <type>:<value>`);
        const [type, value] = [d.slice(0, i), d.slice(i + 1)];
        if (!statement.subject.some((s) => s.digest[type] === value)) {
          fail('missing-subject-digest', `expected digest not found: ${d}`);
        }
      }
    }
    if (input.verifierId !== undefined && vsa.verifier.id !== input.verifierId) {
      fail('mismatch-verifier-id', `wanted ${input.verifierId}, got ${vsa.verifier.id}`);
    }
    if (input.resourceUri !== undefined && vsa.resourceUri !== input.resourceUri) {
      fail('mismatch-resource-uri', `wanted ${input.resourceUri}, got ${vsa.resourceUri}`);
    }
    if (vsa.verificationResult !== 'PASSED') {
      fail('invalid-verification-result', `verification result is ${vsa.verificationResult}`);
    }
    if (input.verifiedLevels !== undefined) {
      const got = slsaLevels(vsa.verifiedLevels);
      for (const [track, min] of slsaLevels(input.verifiedLevels)) {
        const level = got.get(track);
        if (level === undefined)
          fail('mismatch-verified-levels', `expected SLSA level not found: ${track}`);
        if (level < min)
          fail(
            'mismatch-verified-levels',
            `expected SLSA level ${track} to be at least ${min}, got ${level}`,
          );
      }
      for (const l of input.verifiedLevels) {
        if (!l.startsWith('SLSA_') && !vsa.verifiedLevels.includes(l)) {
          fail('mismatch-verified-levels', `expected verified level not found: ${l}`);
        }
      }
    }
    return { verified: true, summary: vsa };
  } catch (e) {
    if (e instanceof ProvenanceFailure) {
      return { verified: false, reason: e.reason, upstream: e.upstream, message: e.message };
    }
    throw e;
  }
}
