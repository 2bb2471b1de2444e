import { X509Certificate as NodeX509 } from 'node:crypto';
import { parseDsseEnvelope } from '../../formats/slsa/index.js';
import { isSignError, type TrustMaterialInput } from '../../sign/index.js';
import { verifyBundle } from '../../sign/verify/index.js';
import { fail, type ProvenanceReason } from './reasons.js';

/** A DSSE envelope whose signature verified, and the certificate that signed it. */
export interface SignedAttestation {
  payloadType: string;
  payload: Uint8Array;
  /** The Fulcio leaf (DER). */
  certificate: Uint8Array;
  /** Whether a transparency log entry vouched for it (false only with allowMissingTlog). */
  tlog: boolean;
  integratedTimes: Date[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isSigstoreBundle(v: unknown): boolean {
  return (
    isObj(v) &&
    typeof v['mediaType'] === 'string' &&
    v['mediaType'].startsWith('application/vnd.dev.sigstore.bundle')
  );
}

/** How the Sigstore verifier's refusals map to slsa-verifier's errors. */
function signReason(code: string, signatureReason: ProvenanceReason): ProvenanceReason {
  switch (code) {
    case 'SIGN_TLOG_ENTRY_MISMATCH':
      return 'mismatch-signature';
    case 'SIGN_TLOG_INVALID':
    case 'SIGN_TIMESTAMP_INVALID':
      return 'invalid-rekor-entry';
    case 'SIGN_SIGNATURE_INVALID':
    case 'SIGN_ARTIFACT_MISMATCH':
      return signatureReason;
    default:
      return 'no-valid-signature';
  }
}

function leafOf(bundle: Obj): Uint8Array {
  const vm = isObj(bundle['verificationMaterial']) ? bundle['verificationMaterial'] : {};
  const chain = isObj(vm['x509CertificateChain']) ? vm['x509CertificateChain'] : undefined;
  const first = Array.isArray(chain?.['certificates'])
    ? (chain['certificates'][0] as Obj)
    : undefined;
  const single = isObj(vm['certificate']) ? vm['certificate'] : undefined;
  const raw = (first ?? single)?.['rawBytes'];
  if (typeof raw !== 'string')
    fail('no-valid-signature', 'the bundle is not signed with a certificate');
  return new Uint8Array(Buffer.from(raw, 'base64'));
}

export interface SignatureOptions {
  /**
   * Accept a legacy envelope without a log entry. slsa-verifier searches public Rekor for it;
   * Custody verifies offline, so without this such an envelope fails with rekor-search.
   */
  allowMissingTlog?: boolean;
  /** The reason for a bad DSSE signature (the npm verifier says invalid-signature). */
  signatureReason?: ProvenanceReason;
  /** The bundle's envelope as uploaded to Rekor (cosign layer): intoto 0.0.1 logs its hash. */
  envelopeBytes?: Uint8Array;
}

/**
 * Verify a Sigstore bundle (v0.1–v0.3) or a legacy `.intoto.jsonl` envelope with an embedded
 * Fulcio certificate against the trusted root.
 */
export function verifySignedAttestation(
  attestation: unknown,
  trust: TrustMaterialInput,
  options: SignatureOptions = {},
): SignedAttestation {
  const signatureReason = options.signatureReason ?? 'no-valid-signature';
  let bundle: Obj;
  let tlog = true;
  if (isSigstoreBundle(attestation)) {
    bundle = attestation as Obj;
  } else {
    const env = parseDsseEnvelope(attestation, 'the provenance envelope');
    const cert = env.signatures.find((s) => s.cert !== undefined)?.cert;
    if (cert === undefined) {
      fail(
        'rekor-search',
        'the envelope has no certificate; its Rekor entry would be searched by artifact digest, which an offline verifier cannot do',
      );
    }
    if (options.allowMissingTlog !== true) {
      fail(
        'rekor-search',
        'the envelope carries no transparency log entry and Custody does not search public Rekor (offline); pass a Sigstore bundle, or --insecure-ignore-tlog to verify the signature and certificate chain alone',
      );
    }
    let der: Buffer;
    try {
      der = new NodeX509(cert).raw;
    } catch {
      return fail('invalid-certificate', 'the envelope certificate is not PEM X.509');
    }
    tlog = false;
    bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
      verificationMaterial: {
        x509CertificateChain: { certificates: [{ rawBytes: der.toString('base64') }] },
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: {
        payloadType: env.payloadType,
        payload: Buffer.from(env.payload).toString('base64'),
        signatures: env.signatures.map((s) => ({
          keyid: s.keyid ?? '',
          sig: Buffer.from(s.sig).toString('base64'),
        })),
      },
    };
  }
  try {
    const v = verifyBundle(bundle, undefined, { identityRegexp: '.*' }, trust, {
      tlogThreshold: tlog ? 1 : 0,
      timestampThreshold: tlog ? 1 : 0,
      ...(options.envelopeBytes !== undefined ? { dsseEnvelopeBytes: options.envelopeBytes } : {}),
    });
    if (v.dsse === undefined)
      fail('invalid-dsse-payload', 'the bundle does not hold a DSSE envelope');
    return {
      payloadType: v.dsse.payloadType,
      payload: v.dsse.payload,
      certificate: leafOf(bundle),
      tlog,
      integratedTimes: v.times,
    };
  } catch (e) {
    if (isSignError(e) && e.code !== 'SIGN_BUNDLE_MALFORMED') {
      fail(signReason(e.code, signatureReason), e.message);
    }
    throw e;
  }
}
