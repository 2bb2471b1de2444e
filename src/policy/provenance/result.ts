import type { InTotoStatement } from '../../formats/slsa/index.js';
import { ProvenanceFailure, type ProvenanceReason } from './reasons.js';

export type ProvenanceResult =
  | {
      verified: true;
      /** The verified builder (for BYOB builders, the one the provenance names). */
      builderId: string;
      sourceRepository?: string;
      commit?: string;
      /** The signing certificate's SAN and OIDC issuer (keyless provenance). */
      signer?: { identity: string; issuer: string };
      statement: InTotoStatement;
      /** False when verified without a transparency log entry (allowMissingTlog). */
      tlog: boolean;
    }
  | { verified: false; reason: ProvenanceReason; upstream: string; message: string };

/** Run checks that throw ProvenanceFailure; return their failure as a value. */
export function asResult(
  run: () => Extract<ProvenanceResult, { verified: true }>,
): ProvenanceResult {
  try {
    return run();
  } catch (e) {
    if (e instanceof ProvenanceFailure) {
      return { verified: false, reason: e.reason, upstream: e.upstream, message: e.message };
    }
    throw e;
  }
}
