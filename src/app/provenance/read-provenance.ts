import { isCustodyError } from '../../core/index.js';
import {
  type DigestSet,
  type InTotoStatement,
  parseSlsaProvenance,
  provenanceView,
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V1_DRAFT,
  SLSA_PROVENANCE_V01,
  SLSA_PROVENANCE_V02,
} from '../../formats/slsa/index.js';
import type { Statement } from '../../sign/index.js';
import { ProvenanceServiceError } from './errors.js';

/**
 * What the service keeps of a SLSA provenance predicate (read by formats/slsa): the builder, the
 * build type, whether the external parameters are there, where the source came from and how many
 * resolved dependencies carry a digest.
 */
export interface ProvenanceFacts {
  builderId: string | null;
  buildType: string | null;
  externalParameters: boolean;
  source: { uri: string | null; digest: string | null; ref: string | null };
  dependencies: number;
  pinned: number;
}

const PROVENANCE_TYPES: ReadonlySet<string> = new Set([
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V1_DRAFT,
  SLSA_PROVENANCE_V02,
  SLSA_PROVENANCE_V01,
]);

/** Whether a predicate type is SLSA provenance (any version formats/slsa reads). */
export function isSlsaProvenance(predicateType: string): boolean {
  return PROVENANCE_TYPES.has(predicateType);
}

/**
 * Read a statement's SLSA provenance predicate. Untrusted.
 * @throws ProvenanceServiceError ATTESTATION_STATEMENT_INVALID (details.reason: the SLSA_* code)
 */
export function readProvenanceFacts(statement: Statement): ProvenanceFacts {
  const st = statement as unknown as InTotoStatement;
  const p: unknown = statement.predicate;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new ProvenanceServiceError(
      'ATTESTATION_STATEMENT_INVALID',
      'The SLSA provenance is malformed: its predicate is not a JSON object',
      { details: { reason: 'SLSA_PREDICATE_INVALID' } },
    );
  }
  try {
    const view = provenanceView(st);
    const parsed = parseSlsaProvenance(st);
    // v1 names them externalParameters; v0.2 keeps the external inputs in invocation (the config
    // source and its parameters); v0.1 in its recipe's arguments.
    const external: unknown =
      parsed.version === '1'
        ? parsed.predicate.buildDefinition.externalParameters
        : parsed.version === '0.2'
          ? (parsed.predicate.invocation?.configSource ?? parsed.predicate.invocation?.parameters)
          : (parsed.predicate.recipe?.arguments ?? parsed.predicate.recipe?.entryPoint);
    const deps = view.resolvedDependencies;
    return {
      builderId: view.builderId || null,
      buildType: view.buildType || null,
      externalParameters: nonEmpty(external),
      source: {
        uri: view.source?.uri ?? null,
        digest: view.source ? strongest(view.source.digest) : null,
        ref: view.source?.ref ?? null,
      },
      dependencies: deps.length,
      pinned: deps.filter((d) => strongest(d.digest) !== null).length,
    };
  } catch (e) {
    if (!isCustodyError(e) || !e.code.startsWith('SLSA_')) throw e;
    throw new ProvenanceServiceError(
      'ATTESTATION_STATEMENT_INVALID',
      `The SLSA provenance is malformed: ${e.message}`,
      { cause: e, details: { reason: e.code, ...(e.details ?? {}) } },
    );
  }
}

function nonEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return typeof v === 'string' ? v.length > 0 : true;
}

/** A digest set's strongest entry as `alg:hex`; null when it has none. */
function strongest(d: DigestSet | undefined): string | null {
  if (d === undefined) return null;
  const alg = ['sha512', 'sha256', 'gitCommit', 'sha1'].find((a) => (d[a] ?? '') !== '');
  const any = alg ?? Object.keys(d).find((a) => (d[a] ?? '') !== '');
  return any === undefined ? null : `${any}:${d[any]}`;
}
