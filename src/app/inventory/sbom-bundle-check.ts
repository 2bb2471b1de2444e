import { createPublicKey, X509Certificate } from 'node:crypto';
import { canonicalize } from '../../core/index.js';
import { InventoryError } from '../../inventory/index.js';
import {
  admittedIdentity,
  admittedKey,
  IN_TOTO_PAYLOAD_TYPE,
  isSignError,
  keyHint,
  loadVerifier,
  PREDICATE_TYPE_ALIASES,
  parseStatement,
  type SigningIdentity,
  type TrustMaterialInput,
  type VerifiedBundle,
} from '../../sign/index.js';

/** Who signed a bundle that verified and that the team's list admits. */
export type BundleSigner =
  | { kind: 'identity'; identity: string; issuer: string }
  | { kind: 'key'; name: string | null; hint: string; publicKey: string };

export interface CheckedBundle {
  content: 'message' | 'dsse';
  signer: BundleSigner;
  /** The bundle's own entry in Custody's log (verified with its inclusion proof), if it has one. */
  custodyLogIndex?: number;
  /** A typed entry for Custody's log (POST /api/v1/tlog/entries), for bundles not logged there. */
  logEntry: Record<string, unknown>;
}

export interface BundleCheckInput {
  /** The bundle's parsed JSON: untrusted. */
  bundle: unknown;
  sbom: { bytes: Uint8Array; digest: string; artifact: string };
  team: string;
  identities: readonly SigningIdentity[];
  trust: TrustMaterialInput;
  /** Custody's own log ID, to tell its entries from other logs'. */
  custodyLogId?: Uint8Array;
}

const SBOM_PREDICATES: readonly string[] = [
  PREDICATE_TYPE_ALIASES.cyclonedx,
  PREDICATE_TYPE_ALIASES.spdx,
];

/**
 * Verify a Sigstore bundle over an SBOM and admit its signer against the owning team's list.
 * A message signature must be over the SBOM's bytes; a DSSE attestation must name the SBOM as a
 * subject, or the artifact as its subject with this very SBOM (same JSON) as its predicate.
 * Certificates must chain to the trusted root and be valid at a trusted time (a log's integrated
 * time or an RFC 3161 stamp); their issuer and subject must be admitted (`admittedIdentity`).
 * Keyed bundles are tried against the team's registered keys (`admittedKey`), the one the bundle
 * hints first. Log entries the bundle carries must verify against the trusted root; a bundle
 * without any is accepted (Custody logs it), since the team's list, not a log, vouches for keys.
 * @throws SignError SIGN_BUNDLE_MALFORMED; InventoryError SBOM_BUNDLE_UNVERIFIED,
 *   SBOM_SIGNER_NOT_ADMITTED
 */
export async function checkSbomBundle(o: BundleCheckInput): Promise<CheckedBundle> {
  const raw = (o.bundle ?? {}) as RawBundle;
  const isDsse = raw.dsseEnvelope !== undefined;
  const artifact = isDsse ? undefined : { data: o.sbom.bytes };
  const keyed = raw.verificationMaterial?.publicKey !== undefined;
  const { verifyBundle } = await loadVerifier();
  let verified: VerifiedBundle;
  let signer: BundleSigner;
  if (keyed) {
    ({ verified, signer } = verifyKeyed(o, raw, artifact, verifyBundle));
  } else {
    verified = attempt(() =>
      verifyBundle(o.bundle, artifact, { identityRegexp: '^[\\s\\S]*$' }, o.trust, {
        tlogThreshold: 0,
      }),
    );
    const found = { identity: verified.signer.identity, issuer: verified.signer.issuer };
    if (!admittedIdentity(o.identities, found)) {
      throw new InventoryError(
        'SBOM_SIGNER_NOT_ADMITTED',
        `The bundle is signed by ${found.identity ?? '(no identity)'} (issuer ${found.issuer ?? 'none'}), which is not one of team ${o.team}'s signing identities; an organisation admin adds it with PUT /api/v1/teams/${o.team}/signing-identities`,
        { details: { identity: found.identity ?? null, issuer: found.issuer ?? null } },
      );
    }
    signer = {
      kind: 'identity',
      identity: found.identity as string,
      issuer: found.issuer as string,
    };
  }
  if (isDsse) assertAboutSbom(verified, o.sbom);
  const custodyLogIndex = custodyEntry(raw, o.custodyLogId);
  return {
    content: isDsse ? 'dsse' : 'message',
    signer,
    ...(custodyLogIndex !== undefined ? { custodyLogIndex } : {}),
    logEntry: logEntryFor(raw, o.sbom.digest, signer),
  };
}

type Verify = Awaited<ReturnType<typeof loadVerifier>>['verifyBundle'];

/** Try the team's keys, the hinted one first; a hinted key that fails is a failed verification. */
function verifyKeyed(
  o: BundleCheckInput,
  raw: RawBundle,
  artifact: { data: Uint8Array } | undefined,
  verifyBundle: Verify,
): { verified: VerifiedBundle; signer: BundleSigner } {
  const hint = raw.verificationMaterial?.publicKey?.hint;
  const keys = o.identities.flatMap((e) => {
    if (!('publicKey' in e)) return [];
    const key = createPublicKey(e.publicKey);
    return [{ entry: e, key, hint: keyHint(key) }];
  });
  keys.sort((a, b) => Number(b.hint === hint) - Number(a.hint === hint));
  for (const k of keys) {
    try {
      const verified = verifyBundle(o.bundle, artifact, { key: k.key }, o.trust, {
        tlogThreshold: 0,
        timestampThreshold: 0,
      });
      const entry = admittedKey(o.identities, k.key) ?? k.entry;
      return {
        verified,
        signer: { kind: 'key', name: entry.name ?? null, hint: k.hint, publicKey: entry.publicKey },
      };
    } catch (e) {
      if (!isSignError(e) || e.code === 'SIGN_BUNDLE_MALFORMED') throw e;
      if (k.hint === hint) throw unverified(e);
    }
  }
  throw new InventoryError(
    'SBOM_SIGNER_NOT_ADMITTED',
    `The bundle is signed with a key that is not one of team ${o.team}'s registered keys (or does not verify under any of them); an organisation admin registers keys with PUT /api/v1/teams/${o.team}/signing-identities`,
    { details: { hint: hint ?? null } },
  );
}

function attempt<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!isSignError(e) || e.code === 'SIGN_BUNDLE_MALFORMED') throw e;
    throw unverified(e);
  }
}

function unverified(e: Error & { code: string }): InventoryError {
  return new InventoryError(
    'SBOM_BUNDLE_UNVERIFIED',
    `The bundle does not verify over this SBOM: ${e.message}`,
    { cause: e, details: { reason: e.code } },
  );
}

/** A DSSE bundle must be an in-toto statement about the SBOM (or its artifact, with it inside). */
function assertAboutSbom(v: VerifiedBundle, sbom: BundleCheckInput['sbom']): void {
  const dsse = v.dsse;
  if (dsse === undefined || dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw mismatch(
      `the DSSE payload is ${dsse?.payloadType ?? 'missing'}, not an in-toto statement`,
    );
  }
  const statement = attempt(() => parseStatement(dsse.payload));
  const has = (digest: string) =>
    statement.subject.some((s) => s.digest['sha256'] === digest.slice('sha256:'.length));
  if (has(sbom.digest)) return;
  if (has(sbom.artifact) && SBOM_PREDICATES.includes(statement.predicateType)) {
    let same = false;
    try {
      const doc = JSON.parse(Buffer.from(sbom.bytes).toString('utf8')) as unknown;
      same = canonicalize(doc) === canonicalize(statement.predicate);
    } catch {
      same = false;
    }
    if (same) return;
    throw mismatch('the attestation is about the artifact, but its predicate is not this SBOM');
  }
  throw mismatch(`no subject of the attestation is the SBOM (${sbom.digest}) or its artifact`);
}

function mismatch(why: string): InventoryError {
  return new InventoryError(
    'SBOM_BUNDLE_UNVERIFIED',
    `The bundle does not verify over this SBOM: ${why}`,
    {
      details: { reason: 'SIGN_ATTESTATION_MISMATCH' },
    },
  );
}

/** The index of the bundle's entry in Custody's own log (the verifier has checked it). */
function custodyEntry(raw: RawBundle, logId: Uint8Array | undefined): number | undefined {
  if (logId === undefined) return undefined;
  const id = Buffer.from(logId).toString('base64');
  const e = (raw.verificationMaterial?.tlogEntries ?? []).find((t) => t.logId?.keyId === id);
  // proto3 JSON leaves out a zero index.
  return e === undefined ? undefined : Number(e.logIndex ?? '0');
}

/** Custody's typed log entry for the bundle: `sbom` for a message signature, `dsse` otherwise. */
function logEntryFor(
  raw: RawBundle,
  digest: string,
  signer: BundleSigner,
): Record<string, unknown> {
  const who =
    signer.kind === 'key' ? { publicKey: signer.publicKey } : { certificate: certificatePem(raw) };
  if (raw.dsseEnvelope !== undefined) return { kind: 'dsse', envelope: raw.dsseEnvelope, ...who };
  return { kind: 'sbom', digest, signature: raw.messageSignature?.signature ?? '', ...who };
}

function certificatePem(raw: RawBundle): string {
  const m = raw.verificationMaterial;
  const b64 = m?.certificate?.rawBytes ?? m?.x509CertificateChain?.certificates?.[0]?.rawBytes;
  return new X509Certificate(Buffer.from(b64 ?? '', 'base64')).toString();
}

/** The parts of a bundle's proto3 JSON read here (after the verifier has accepted it). */
interface RawBundle {
  messageSignature?: { signature?: string };
  dsseEnvelope?: unknown;
  verificationMaterial?: {
    publicKey?: { hint?: string };
    certificate?: { rawBytes?: string };
    x509CertificateChain?: { certificates?: { rawBytes?: string }[] };
    tlogEntries?: { logIndex?: string; logId?: { keyId?: string } }[];
  };
}
