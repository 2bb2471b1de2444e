import { constants, createHash, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  type Certificate,
  chainProblem,
  isIssuedBy,
  parseCertificate,
  validAt,
} from './certificate.js';

/**
 * RFC 3161 timestamp countersignatures (TimeStampToken, a CMS SignedData over a TSTInfo) as
 * trust-store-trust-policy "Validate Authentic Timestamp" checks them: the token's CMS signature
 * by a certificate it carries, the message imprint over the envelope's primitive signature, the
 * signing-certificate-v2 attribute, a timestamping chain (signature-specification's certificate
 * requirements) that leads to a root of the policy's `tsa` stores at the stamped time, and the
 * time range genTime ± accuracy (RFC 3161 §2.4.2).
 *
 * Custody's Sigstore verifier (../verify/timestamp.ts) identifies the authority from a trusted
 * root and never uses embedded certificates; Notary Project tokens carry their chain and are
 * anchored in a `tsa` trust store instead, so the two share only the format, not the flow.
 */
export interface VerifiedTimestamp {
  genTime: Date;
  /** RFC 3161 §2.4.2: [genTime - accuracy, genTime + accuracy]. */
  lower: Date;
  upper: Date;
  /** The authority's chain, signer first, anchor last. */
  chain: Certificate[];
}

const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const ID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const ID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const ID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const ID_SKI = '2.5.29.14';
const BASELINE_POLICY = '0.4.0.2023.1.1';
const HASHES: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const ECDSA = new Set([
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
  '1.2.840.10045.2.1',
]);
const RSA_PKCS1 = new Set([
  '1.2.840.113549.1.1.1',
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
]);
const RSA_PSS = '1.2.840.113549.1.1.10';

const ab = (u: Uint8Array): ArrayBuffer =>
  u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

/**
 * @param token the TimeStampToken (DER ContentInfo)
 * @param signature the envelope's primitive signature, what the token stamps
 * @param roots the certificates of the policy's `tsa` stores
 * @returns the verified time range, or why the token fails (a validation failure, not an error)
 */
export function verifyTimestampToken(
  token: Uint8Array,
  signature: Uint8Array,
  roots: readonly Certificate[],
): VerifiedTimestamp | string {
  let sd: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    const ci = pkijs.ContentInfo.fromBER(ab(token));
    if (ci.contentType !== ID_SIGNED_DATA)
      return `the timestamp token is not a SignedData (content type ${ci.contentType})`;
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch {
    return 'the timestamp countersignature is not a DER TimeStampToken';
  }
  const eType = sd.encapContentInfo.eContentType;
  if (eType !== ID_CT_TSTINFO)
    return `unexpected content type ${eType}, expected id-ct-TSTInfo (${ID_CT_TSTINFO})`;
  const eContent = sd.encapContentInfo.eContent;
  if (!eContent) return 'the timestamp token has no TSTInfo';
  const tstBytes = new Uint8Array(eContent.getValue());
  try {
    info = pkijs.TSTInfo.fromBER(ab(tstBytes));
  } catch {
    return 'the timestamp token TSTInfo is malformed';
  }
  const imprintHash = HASHES[info.messageImprint.hashAlgorithm.algorithmId];
  if (!imprintHash)
    return `the message imprint uses an unsupported hash ${info.messageImprint.hashAlgorithm.algorithmId}`;
  const expected = createHash(imprintHash).update(signature).digest();
  if (!expected.equals(Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView)))
    return 'invalid TSTInfo: mismatched message';
  const si = sd.signerInfos[0];
  if (!si || sd.signerInfos.length !== 1) return 'the timestamp token must have exactly one signer';
  const certs: Certificate[] = [];
  for (const c of sd.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    try {
      certs.push(
        parseCertificate(
          new Uint8Array(c.toSchema().toBER(false)),
          'SIGN_NOTATION_ENVELOPE_MALFORMED',
        ),
      );
    } catch {
      return 'the timestamp token carries a malformed certificate';
    }
  }
  const signer = findSigner(si, sd, certs);
  if (!signer) return 'signing certificate not found in the timestamp token';
  const sigProblem = cmsSignatureProblem(si, tstBytes, signer);
  if (sigProblem) return sigProblem;
  const genTime = info.genTime;
  const chain = buildChain(signer, certs, roots, genTime);
  if (typeof chain === 'string') return chain;
  const profile = chainProblem(chain, 'timestamping');
  if (profile) return `the timestamping certificate chain is invalid: ${profile}`;
  const acc = info.accuracy;
  const accuracyMs = acc
    ? (acc.seconds ?? 0) * 1000 + (acc.millis ?? 0) + (acc.micros ?? 0) / 1000
    : info.policy === BASELINE_POLICY
      ? 1000
      : 0;
  return {
    genTime,
    lower: new Date(genTime.getTime() - accuracyMs),
    upper: new Date(genTime.getTime() + accuracyMs),
    chain,
  };
}

function findSigner(
  si: pkijs.SignerInfo,
  sd: pkijs.SignedData,
  certs: Certificate[],
): Certificate | undefined {
  const raw = (sd.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = si.sid;
    const i = raw.findIndex(
      (c) => c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer),
    );
    return i < 0 ? undefined : certs[i];
  }
  const ski = Buffer.from((si.sid as asn1js.Primitive).valueBlock.valueHexView);
  const i = raw.findIndex((c) => {
    const e = c.extensions?.find((x) => x.extnID === ID_SKI);
    return (
      e !== undefined &&
      Buffer.from((e.parsedValue as asn1js.OctetString).valueBlock.valueHexView).equals(ski)
    );
  });
  return i < 0 ? undefined : certs[i];
}

// RFC 5652 §5.4: the signature is over the DER SET OF signed attributes; message-digest must be
// the hash of the TSTInfo and signing-certificate-v2 must name the signer (RFC 5816).
function cmsSignatureProblem(
  si: pkijs.SignerInfo,
  tst: Uint8Array,
  signer: Certificate,
): string | undefined {
  const hash = HASHES[si.digestAlgorithm.algorithmId];
  if (!hash)
    return `the timestamp signer uses an unsupported digest ${si.digestAlgorithm.algorithmId}`;
  const attrs = si.signedAttrs;
  if (!attrs) return 'the timestamp token has no signed attributes';
  const attr = (oid: string) => attrs.attributes.find((a) => a.type === oid)?.values[0];
  const ct = attr(ID_CONTENT_TYPE) as asn1js.ObjectIdentifier | undefined;
  if (ct?.valueBlock.toString() !== ID_CT_TSTINFO)
    return 'the content-type attribute is not id-ct-TSTInfo';
  const md = attr(ID_MESSAGE_DIGEST) as asn1js.OctetString | undefined;
  if (!md || !createHash(hash).update(tst).digest().equals(Buffer.from(md.valueBlock.valueHexView)))
    return 'failed to verify signed token: message digest mismatch';
  const scv2 = attr(ID_SIGNING_CERTIFICATE_V2) as asn1js.Sequence | undefined;
  if (!scv2) return 'the signing-certificate-v2 attribute is missing';
  const essProblem = essCertIdProblem(scv2, signer);
  if (essProblem) return essProblem;
  const tbs = new Uint8Array(attrs.encodedValue);
  tbs[0] = 0x31;
  const sig = Buffer.from(si.signature.valueBlock.valueHexView);
  const alg = si.signatureAlgorithm.algorithmId;
  const key = signer.node.publicKey;
  let ok = false;
  try {
    if (RSA_PKCS1.has(alg) || ECDSA.has(alg)) ok = cryptoVerify(hash, tbs, key, sig);
    else if (alg === RSA_PSS)
      ok = cryptoVerify(
        hash,
        tbs,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        },
        sig,
      );
    else return `the timestamp signature algorithm ${alg} is not supported`;
  } catch {
    ok = false;
  }
  return ok ? undefined : 'failed to verify signed token: the CMS signature does not verify';
}

// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, … };
// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }
function essCertIdProblem(scv2: asn1js.Sequence, signer: Certificate): string | undefined {
  const first = (scv2.valueBlock.value[0] as asn1js.Sequence | undefined)?.valueBlock.value[0] as
    | asn1js.Sequence
    | undefined;
  const parts = first?.valueBlock.value ?? [];
  let hash: string | undefined = 'sha256';
  let certHash: asn1js.OctetString | undefined;
  for (const p of parts) {
    if (p instanceof asn1js.OctetString) certHash = p;
    else if (p instanceof asn1js.Sequence && !certHash) {
      const oid =
        (p.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString() ?? '';
      hash = HASHES[oid];
    }
  }
  if (!hash || !certHash) return 'the signing-certificate-v2 attribute is malformed';
  const actual = createHash(hash).update(signer.der).digest();
  return actual.equals(Buffer.from(certHash.valueBlock.valueHexView))
    ? undefined
    : 'the signing-certificate-v2 attribute does not name the signing certificate';
}

// Go's x509.Verify with the token's certificates as intermediates and the `tsa` stores as roots,
// at the stamped time.
function buildChain(
  signer: Certificate,
  pool: Certificate[],
  roots: readonly Certificate[],
  at: Date,
): Certificate[] | string {
  const chain: Certificate[] = [signer];
  for (let depth = 0; depth < 8; depth++) {
    const cur = chain[chain.length - 1] as Certificate;
    if (!validAt(cur, at))
      return `certificate "${cur.subject}" of the timestamp authority was not valid at ${at.toISOString()}`;
    const anchor = roots.find((r) => Buffer.from(r.der).equals(Buffer.from(cur.der)));
    if (anchor) return chain;
    const trustedIssuer = roots.find((r) => isIssuedBy(cur, r));
    if (trustedIssuer) {
      if (!validAt(trustedIssuer, at))
        return `root "${trustedIssuer.subject}" was not valid at ${at.toISOString()}`;
      chain.push(trustedIssuer);
      return chain;
    }
    const next = pool.find((c) => c !== cur && !chain.includes(c) && isIssuedBy(cur, c));
    if (!next) break;
    chain.push(next);
  }
  return 'failed to verify signed token: x509: certificate signed by unknown authority';
}
