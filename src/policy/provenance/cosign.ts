import { X509Certificate as NodeX509 } from 'node:crypto';
import { fail } from './reasons.js';

/**
 * A cosign attestation as it is stored next to an image (`sha256-<digest>.att`): a DSSE envelope
 * layer whose annotations carry the Fulcio certificate and chain and the Rekor bundle (the entry
 * body, its integrated time and log position, and the signed entry timestamp).
 */
export interface CosignAttestationLayer {
  envelope: Uint8Array;
  annotations: Readonly<Record<string, string>>;
}

function der(pem: string, what: string): string {
  try {
    return new NodeX509(pem).raw.toString('base64');
  } catch {
    return fail('invalid-certificate', `the layer's ${what} is not a PEM certificate`);
  }
}

/** The same evidence as a Sigstore bundle v0.1, which the bundle verifier checks. */
export function bundleFromCosignLayer(layer: CosignAttestationLayer): unknown {
  const a = layer.annotations;
  const cert = a['dev.sigstore.cosign/certificate'];
  const rekor = a['dev.sigstore.cosign/bundle'];
  if (cert === undefined) fail('no-valid-signature', 'the attestation layer has no certificate');
  if (rekor === undefined) fail('rekor-search', 'the attestation layer has no Rekor bundle');
  let entry: { SignedEntryTimestamp?: unknown; Payload?: Record<string, unknown> };
  let envelope: unknown;
  try {
    entry = JSON.parse(rekor);
    envelope = JSON.parse(Buffer.from(layer.envelope).toString('utf8'));
  } catch {
    return fail('invalid-format', 'the attestation layer or its Rekor bundle is not JSON');
  }
  const p = entry.Payload ?? {};
  let body: { kind?: unknown; apiVersion?: unknown };
  try {
    body = JSON.parse(Buffer.from(String(p['body']), 'base64').toString('utf8'));
  } catch {
    return fail('invalid-rekor-entry', 'the Rekor entry body is not base64 JSON');
  }
  // Certificates after the leaf: Fulcio's own, which the trusted root must hold.
  const chain = (a['dev.sigstore.cosign/chain'] ?? '')
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((s) => s.includes('BEGIN CERTIFICATE'));
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: {
        certificates: [der(cert, 'certificate'), ...chain.map((c) => der(c, 'chain'))].map(
          (rawBytes) => ({
            rawBytes,
          }),
        ),
      },
      tlogEntries: [
        {
          logIndex: String(p['logIndex']),
          logId: { keyId: Buffer.from(String(p['logID']), 'hex').toString('base64') },
          kindVersion: { kind: String(body.kind), version: String(body.apiVersion) },
          integratedTime: String(p['integratedTime']),
          inclusionPromise: { signedEntryTimestamp: String(entry.SignedEntryTimestamp) },
          canonicalizedBody: String(p['body']),
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: envelope,
  };
}
