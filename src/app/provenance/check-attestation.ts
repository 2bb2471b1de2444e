import {
  IN_TOTO_PAYLOAD_TYPE,
  isSignError,
  parseStatement,
  type SigningIdentity,
  type Statement,
} from '../../sign/index.js';
import type { Services } from '../services.js';
import {
  type BundleRefusals,
  type BundleSigner,
  checkSignedBundle,
  logEntryFor,
} from '../sign/check-signed-bundle.js';
import { serviceTrust } from '../trust/served-trusted-root.js';
import { ProvenanceServiceError } from './errors.js';
import { isSlsaProvenance, type ProvenanceFacts, readProvenanceFacts } from './read-provenance.js';

const REFUSALS: BundleRefusals = {
  unverified: (message, o) =>
    new ProvenanceServiceError('ATTESTATION_BUNDLE_UNVERIFIED', message, o),
  notAdmitted: (message, details) =>
    new ProvenanceServiceError('ATTESTATION_SIGNER_NOT_ADMITTED', message, { details }),
};

/** What a checked attestation bundle says, before anything is written. */
export interface CheckedAttestation {
  statement: Statement;
  signer: BundleSigner;
  emergency: boolean;
  facts: ProvenanceFacts | undefined;
  /** The release's artifacts its subject names. */
  artifacts: { id: number; digest: string }[];
  custodyLogIndex?: number;
  logEntry: Record<string, unknown>;
}

/**
 * Verify an attestation bundle about a release's artifacts without writing anything: a DSSE
 * in-toto statement, signed by one of the team's signing identities (a registered key or a
 * certificate identity) under the service's trust, whose subject names one of the release's
 * artifacts; a SLSA provenance predicate must be well-formed.
 * @throws ProvenanceServiceError ATTESTATION_BUNDLE_UNVERIFIED, ATTESTATION_SIGNER_NOT_ADMITTED,
 *   ATTESTATION_SUBJECT_MISMATCH, ATTESTATION_STATEMENT_INVALID; SignError SIGN_BUNDLE_MALFORMED
 */
export async function checkAttestation(
  s: Services,
  o: {
    bundle: unknown;
    team: string;
    identities: readonly SigningIdentity[];
    artifacts: { id: number; digest: string }[];
    only?: string;
    trustedRoot?: (() => unknown) | undefined;
  },
): Promise<CheckedAttestation> {
  const raw = o.bundle as { dsseEnvelope?: unknown; messageSignature?: unknown } | null;
  if (
    raw !== null &&
    typeof raw === 'object' &&
    raw.dsseEnvelope === undefined &&
    raw.messageSignature !== undefined
  ) {
    throw new ProvenanceServiceError(
      'ATTESTATION_BUNDLE_UNVERIFIED',
      'The bundle holds a message signature; an attestation is a DSSE envelope with an in-toto statement (custody attest)',
      { details: { reason: 'message' } },
    );
  }
  const checked = await checkSignedBundle({
    bundle: o.bundle,
    bytes: new Uint8Array(0),
    what: 'an attestation',
    team: o.team,
    identities: o.identities,
    trust: serviceTrust(s, o.trustedRoot),
    ...(s.tlog ? { custodyLogId: s.tlog.logId } : {}),
    keys: true,
    dsse: true,
    refuse: REFUSALS,
  });
  const dsse = checked.verified.dsse;
  if (checked.content !== 'dsse' || dsse === undefined) {
    throw new ProvenanceServiceError(
      'ATTESTATION_BUNDLE_UNVERIFIED',
      'The bundle holds a message signature; an attestation is a DSSE envelope with an in-toto statement (custody attest)',
      { details: { reason: 'message' } },
    );
  }
  if (dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new ProvenanceServiceError(
      'ATTESTATION_STATEMENT_INVALID',
      `The DSSE payload type is ${dsse.payloadType.slice(0, 100)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  }
  let statement: Statement;
  try {
    statement = parseStatement(dsse.payload);
  } catch (e) {
    if (!isSignError(e)) throw e;
    throw new ProvenanceServiceError('ATTESTATION_STATEMENT_INVALID', e.message, {
      cause: e,
      ...(e.details ? { details: { ...e.details } } : {}),
    });
  }
  const named = new Set(
    statement.subject.flatMap((x) =>
      typeof x.digest['sha256'] === 'string' ? [`sha256:${x.digest['sha256'].toLowerCase()}`] : [],
    ),
  );
  const artifacts = o.artifacts.filter(
    (a) => named.has(a.digest) && (o.only === undefined || a.digest === o.only),
  );
  if (artifacts.length === 0) {
    throw new ProvenanceServiceError(
      'ATTESTATION_SUBJECT_MISMATCH',
      o.only !== undefined
        ? `No subject of the attestation is artifact ${o.only} of this release; attest that artifact's digest`
        : "No subject of the attestation is one of this release's artifacts; attest the released artifact's digest, or push its SBOM first so the release knows it",
      {
        details: { subjects: [...named].slice(0, 20), artifacts: o.artifacts.map((a) => a.digest) },
      },
    );
  }
  const facts = isSlsaProvenance(statement.predicateType)
    ? readProvenanceFacts(statement)
    : undefined;
  return {
    statement,
    signer: checked.signer,
    emergency: checked.verified.signer.emergency !== undefined,
    facts,
    artifacts,
    ...(checked.custodyLogIndex !== undefined ? { custodyLogIndex: checked.custodyLogIndex } : {}),
    logEntry: logEntryFor(o.bundle, 'sbom', artifacts[0]?.digest ?? '', checked),
  };
}
