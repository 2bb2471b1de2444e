import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  admittedIdentity,
  admittedKey,
  isSignError,
  keyHint,
  loadVerifier,
  type SigningIdentity,
  type TrustMaterialInput,
  type VerifiedBundle,
} from '../../sign/index.js';

/** Who signed a bundle that verified and that the team's list admits. */
export type BundleSigner =
  | { kind: 'identity'; identity: string; issuer: string }
  | { kind: 'key'; name: string | null; hint: string; publicKey: string };

/**
 * How a caller refuses: each use case answers with its own codes (SBOM_* for SBOMs, VEX_* for VEX
 * documents), so a client can tell which document's signature failed.
 */
export interface BundleRefusals {
  /** The bundle does not verify (signature, chain, log entry, trusted time, subject). */
  unverified(message: string, o: { cause?: unknown; details: Record<string, unknown> }): Error;
  /** It verifies, but its signer is not one of the team's signing identities. */
  notAdmitted(message: string, details: Record<string, unknown>): Error;
}

export interface SignedBundleCheckInput {
  /** The bundle's parsed JSON: untrusted. */
  bundle: unknown;
  /** The exact bytes a message signature must be over (a DSSE bundle is left to the caller). */
  bytes: Uint8Array;
  /** What the bytes are, for messages: "this SBOM", "this VEX document". */
  what: string;
  team: string;
  identities: readonly SigningIdentity[];
  trust: TrustMaterialInput;
  /** Custody's own log ID, to tell its entries from other logs'. */
  custodyLogId?: Uint8Array;
  /** Whether a bundle signed with a bare key (one of the team's registered keys) is taken. */
  keys: boolean;
  /** Whether a DSSE envelope is taken (its caller then checks what it is about). */
  dsse: boolean;
  refuse: BundleRefusals;
}

export interface CheckedSignedBundle {
  content: 'message' | 'dsse';
  signer: BundleSigner;
  verified: VerifiedBundle;
  /** The bundle's own entry in Custody's log (verified with its inclusion proof), if it has one. */
  custodyLogIndex?: number;
  /** The leaf certificate (PEM) of a keyless bundle. */
  certificate?: string;
  /** The bundle's message signature (base64), when it has one. */
  signature?: string;
}

/**
 * Verify a Sigstore bundle under the trusted root and admit its signer against a team's list.
 * A message signature must be over `bytes`; a DSSE envelope is verified as such, and what it is
 * about is the caller's to check. Certificates must chain to the trusted root and be valid at a
 * trusted time (a log's integrated time or an RFC 3161 stamp); their issuer and subject must be
 * admitted (`admittedIdentity`). Keyed bundles (when `keys`) are tried against the team's
 * registered keys (`admittedKey`), the one the bundle hints first. Log entries the bundle carries
 * must verify against the trusted root; a keyed bundle without any is accepted (the caller logs
 * it), since the team's list, not a log, vouches for keys.
 * @throws SignError SIGN_BUNDLE_MALFORMED; `refuse.unverified`, `refuse.notAdmitted`
 */
export async function checkSignedBundle(o: SignedBundleCheckInput): Promise<CheckedSignedBundle> {
  const raw = (o.bundle ?? {}) as RawBundle;
  const isDsse = raw.dsseEnvelope !== undefined;
  const artifact = isDsse ? undefined : { data: o.bytes };
  const keyed = raw.verificationMaterial?.publicKey !== undefined;
  const { verifyBundle } = await loadVerifier();
  let verified: VerifiedBundle;
  let signer: BundleSigner;
  if (isDsse && !o.dsse) {
    throw o.refuse.unverified(
      `The bundle holds a DSSE envelope; ${o.what} takes a message signature over its exact bytes`,
      { details: { reason: 'dsse' } },
    );
  }
  if (keyed && !o.keys) {
    throw o.refuse.unverified(
      `The bundle is signed with a bare key; ${o.what} takes a keyless signature (a certificate from the service's CA for your identity)`,
      { details: { reason: 'keyed' } },
    );
  }
  if (keyed) {
    ({ verified, signer } = verifyKeyed(o, raw, artifact, verifyBundle));
  } else {
    verified = attempt(o, () =>
      verifyBundle(o.bundle, artifact, { identityRegexp: '^[\\s\\S]*$' }, o.trust, {
        tlogThreshold: 0,
      }),
    );
    const found = { identity: verified.signer.identity, issuer: verified.signer.issuer };
    if (!admittedIdentity(o.identities, found)) {
      throw o.refuse.notAdmitted(
        `The bundle is signed by ${found.identity ?? '(no identity)'} (issuer ${found.issuer ?? 'none'}), which is not one of team ${o.team}'s signing identities; an organisation admin adds it with PUT /api/v1/teams/${o.team}/signing-identities`,
        { identity: found.identity ?? null, issuer: found.issuer ?? null },
      );
    }
    signer = {
      kind: 'identity',
      identity: found.identity as string,
      issuer: found.issuer as string,
    };
  }
  const custodyLogIndex = custodyEntry(raw, o.custodyLogId);
  const signature = raw.messageSignature?.signature;
  return {
    content: isDsse ? 'dsse' : 'message',
    signer,
    verified,
    ...(custodyLogIndex !== undefined ? { custodyLogIndex } : {}),
    ...(signer.kind === 'identity' ? { certificate: certificatePem(raw) } : {}),
    ...(signature !== undefined ? { signature } : {}),
  };
}

/**
 * Run a verification step, turning a failed verification into the caller's refusal (a malformed
 * bundle stays SIGN_BUNDLE_MALFORMED: it was never a signature to check).
 */
export function attempt<T>(o: Pick<SignedBundleCheckInput, 'what' | 'refuse'>, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!isSignError(e) || e.code === 'SIGN_BUNDLE_MALFORMED') throw e;
    throw unverified(o, e);
  }
}

/**
 * Custody's typed log entry for a checked bundle: `dsse` for an envelope, else `kind` (`sbom`,
 * `vex`) over the document's digest, with the signer's key or certificate.
 */
export function logEntryFor(
  bundle: unknown,
  kind: 'sbom' | 'vex',
  digest: string,
  checked: Pick<CheckedSignedBundle, 'signer' | 'certificate'>,
): Record<string, unknown> {
  const raw = (bundle ?? {}) as RawBundle;
  const who =
    checked.signer.kind === 'key'
      ? { publicKey: checked.signer.publicKey }
      : { certificate: checked.certificate ?? certificatePem(raw) };
  if (raw.dsseEnvelope !== undefined) return { kind: 'dsse', envelope: raw.dsseEnvelope, ...who };
  return { kind, digest, signature: raw.messageSignature?.signature ?? '', ...who };
}

/** Whether a checked signer is still on the team's list (read again where it is written). */
export function stillAdmitted(list: readonly SigningIdentity[], signer: BundleSigner): boolean {
  return signer.kind === 'identity'
    ? admittedIdentity(list, signer) !== undefined
    : list.some((e) => 'publicKey' in e) &&
        admittedKey(list, createPublicKey(signer.publicKey)) !== undefined;
}

type Verify = Awaited<ReturnType<typeof loadVerifier>>['verifyBundle'];

/** Try the team's keys, the hinted one first; a hinted key that fails is a failed verification. */
function verifyKeyed(
  o: SignedBundleCheckInput,
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
      if (k.hint === hint) throw unverified(o, e);
    }
  }
  throw o.refuse.notAdmitted(
    `The bundle is signed with a key that is not one of team ${o.team}'s registered keys (or does not verify under any of them); an organisation admin registers keys with PUT /api/v1/teams/${o.team}/signing-identities`,
    { hint: hint ?? null },
  );
}

function unverified(
  o: Pick<SignedBundleCheckInput, 'what' | 'refuse'>,
  e: Error & { code: string },
): Error {
  return o.refuse.unverified(`The bundle does not verify over ${o.what}: ${e.message}`, {
    cause: e,
    details: { reason: e.code },
  });
}

/** The index of the bundle's entry in Custody's own log (the verifier has checked it). */
function custodyEntry(raw: RawBundle, logId: Uint8Array | undefined): number | undefined {
  if (logId === undefined) return undefined;
  const id = Buffer.from(logId).toString('base64');
  const e = (raw.verificationMaterial?.tlogEntries ?? []).find((t) => t.logId?.keyId === id);
  // proto3 JSON leaves out a zero index.
  return e === undefined ? undefined : Number(e.logIndex ?? '0');
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
