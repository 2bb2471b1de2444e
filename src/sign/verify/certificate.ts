import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import {
  ASN1Obj,
  ByteStream,
  crypto as coreCrypto,
  EXTENSION_OID_SCT,
  X509Certificate,
  X509SCTExtension,
} from '@sigstore/core';
import { CUSTODY_EMERGENCY_OID } from '../ca/oids.js';
import { type EmergencyMark, parseEmergencyMark } from '../emergency.js';
import { SignError } from '../errors.js';
import { type CertificateAuthority, inTimeRange } from '../trusted-root.js';
import type { CertificateKey } from './bundle.js';
import { publicKeyFromSpki, spkiBytes, tbsBytes, tbsWithoutExtension } from './der.js';
import { logIdKey, type TrustMaterial } from './material.js';

/**
 * Signing certificates: the chain to a trusted CA, the SCTs, the identity fields. Modelled on
 * @sigstore/verify's CertificateChainVerifier and verifySCTs, restructured so that everything
 * that does not depend on the trusted time (parsing, chain signatures, SCTs) is done once per
 * certificate and cached: a CI job signs many artifacts with one short-lived certificate.
 */
export interface VerifiedLeaf {
  /**
   * The leaf's validity, read once. Cached leaves keep it rather than the certificate: ten
   * thousand parse trees kept alive cost the garbage collector a sixth of the verification time.
   * The certificate itself only when its dates do not parse, so that the error comes where it did.
   */
  validity: { notBefore: Date; notAfter: Date } | X509Certificate;
  key: KeyObject;
  /** Each way the leaf chains into the trusted root: its CA and the certificates above it. */
  paths: { ca: CertificateAuthority; chain: X509Certificate[] }[];
  identity: string | undefined;
  issuer: string | undefined;
  /** Custody's emergency mark (approver, reason), when the certificate carries one. */
  emergency: EmergencyMark | undefined;
}

/** Fulcio's OIDC issuer extensions: v2 (DER UTF8String) and the legacy v1 (raw bytes). */
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';

/**
 * @throws SignError SIGN_BUNDLE_MALFORMED (not a certificate), SIGN_CHAIN_INVALID, SIGN_SCT_INVALID
 */
export function verifyLeaf(m: TrustMaterial, leaf: CertificateKey): VerifiedLeaf {
  const cached = m.leaves.get(leaf.base64) as VerifiedLeaf | SignError | undefined;
  if (cached instanceof SignError) throw cached;
  if (cached !== undefined) return cached;
  try {
    const v = verifyLeafUncached(m, leaf);
    m.leaves.set(leaf.base64, v);
    return v;
  } catch (e) {
    if (e instanceof SignError) m.leaves.set(leaf.base64, e);
    throw e;
  }
}

/**
 * The certificates a v0.1/v0.2 bundle carries after its leaf. Sigstore's rule
 * (protobuf-specs' X509CertificateChain): signers MUST NOT include their root CA, and verifiers
 * chain only to their own trusted root, whatever the bundle adds; sigstore-python flags a root in
 * the chain, and the conformance case bundle-with-root-cert_fail must be refused for it. Custody
 * refuses any certificate there that the trusted root does not hold itself: an unknown root is a
 * trust anchor offered by the bundle, an unknown intermediate a path the trusted root does not
 * vouch for. Old public-good bundles that repeat Fulcio's own intermediate and root (sigstore-js's
 * bundleV01-full-cert-chain) hold only certificates the trusted root has, so they still verify.
 * @throws SignError SIGN_BUNDLE_CHAIN_INVALID (details.reason root-not-trusted or
 *   intermediate-not-trusted, details.index: its place in the chain, the leaf being 0),
 *   SIGN_BUNDLE_MALFORMED (not a certificate)
 */
export function assertBundleChain(m: TrustMaterial, leaf: CertificateKey): void {
  leaf.chain.forEach((der, i) => {
    if (m.caCertificates.has(Buffer.from(der).toString('base64'))) return;
    let cert: X509Certificate;
    try {
      cert = X509Certificate.parse(Buffer.from(der));
    } catch (e) {
      throw new SignError(
        'SIGN_BUNDLE_MALFORMED',
        `Bundle: certificate ${i + 2} of the chain is not DER X.509.`,
        { cause: e },
      );
    }
    const root = cert.subject.equals(cert.issuer);
    throw new SignError(
      'SIGN_BUNDLE_CHAIN_INVALID',
      root
        ? `The bundle's certificate chain carries a root certificate (certificate ${i + 2} of ${leaf.chain.length + 1}, the signing certificate being the first) that the trusted root does not hold: a bundle may not bring its own trust anchor. Re-sign with a client that puts only the signing certificate in the bundle.`
        : `The bundle's certificate chain carries an intermediate certificate (certificate ${i + 2} of ${leaf.chain.length + 1}, the signing certificate being the first) that the trusted root does not hold. Re-sign with a client that puts only the signing certificate in the bundle, or trust that CA in the trusted root.`,
      { details: { reason: root ? 'root-not-trusted' : 'intermediate-not-trusted', index: i + 1 } },
    );
  });
}

/**
 * The leaf, its chain and its CA were all valid at every trusted time (ends inclusive).
 * @throws SignError SIGN_CERTIFICATE_EXPIRED (the leaf), SIGN_CHAIN_INVALID (no CA valid then)
 */
export function assertValidAt(leaf: VerifiedLeaf, times: readonly Date[]): void {
  for (const t of times) {
    const { notBefore, notAfter } = leaf.validity;
    if (!(notBefore <= t && t <= notAfter)) {
      throw new SignError(
        'SIGN_CERTIFICATE_EXPIRED',
        `The signing certificate was not valid at ${t.toISOString()} (valid ${notBefore.toISOString()} to ${notAfter.toISOString()}).`,
        { details: { time: t.toISOString() } },
      );
    }
  }
  const ok = leaf.paths.some((p) =>
    times.every((t) => inTimeRange(p.ca.validFor, t) && p.chain.every((c) => c.validForDate(t))),
  );
  if (!ok) {
    throw new SignError(
      'SIGN_CHAIN_INVALID',
      `No trusted certificate authority was valid at ${times.map((t) => t.toISOString()).join(', ')}.`,
    );
  }
}

function verifyLeafUncached(m: TrustMaterial, leaf: CertificateKey): VerifiedLeaf {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = parseCertificate(Buffer.from(leaf.der));
    key = publicKeyFromSpki(spkiBytes(cert) ?? cert.publicKey);
  } catch (e) {
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      'Bundle: the signing certificate is not DER X.509.',
      {
        cause: e,
      },
    );
  }
  // A CA certificate in the signer's place is a trust anchor smuggled in as a leaf.
  if (cert.isCA) {
    throw new SignError('SIGN_CHAIN_INVALID', 'The signing certificate is a CA certificate.');
  }
  assertCodeSigning(cert);
  const paths = chainsFor(m, cert);
  if (paths.length === 0) {
    throw new SignError(
      'SIGN_CHAIN_INVALID',
      'The signing certificate does not chain to a certificate authority of the trusted root.',
    );
  }
  verifyScts(m, cert, paths[0]?.chain[0] as X509Certificate);
  return {
    validity: validityOf(cert),
    key,
    paths,
    identity: cert.subjectAltName,
    issuer: oidcIssuer(cert),
    emergency: emergencyMark(cert),
  };
}

/**
 * @sigstore/core tries every OCTET STRING as nested DER, throwing and catching when it is not
 * (an SCT list never is): the stack traces of those errors, never seen, cost a twentieth of a
 * bundle's verification. An error that escapes (not a certificate) keeps its message and type.
 */
function parseCertificate(der: Buffer<ArrayBuffer>): X509Certificate {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return X509Certificate.parse(der);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function validityOf(cert: X509Certificate): VerifiedLeaf['validity'] {
  try {
    return { notBefore: cert.notBefore, notAfter: cert.notAfter };
  } catch {
    return cert;
  }
}

const EKU_OID = '2.5.29.37';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/**
 * What the certificate may be used for (RFC 5280 §4.2.1.3 and §4.2.1.12): when it states a key
 * usage, digitalSignature must be in it; when it states extended key usages, code signing must be
 * one of them. Fulcio's leaves state both.
 */
function assertCodeSigning(cert: X509Certificate): void {
  const ku = cert.extKeyUsage;
  if (ku !== undefined && !ku.digitalSignature)
    throw new SignError(
      'SIGN_CHAIN_INVALID',
      'The signing certificate is not for digital signatures (its key usage leaves out digitalSignature).',
    );
  const eku = cert.extension(EKU_OID);
  if (eku === undefined) return;
  let oids: string[];
  try {
    // extnValue is an OCTET STRING holding SEQUENCE OF KeyPurposeId.
    const seq = eku.valueObj.subs[0];
    oids = (seq?.subs ?? []).map((s) => s.toOID());
  } catch (e) {
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      'The signing certificate has a malformed extended key usage.',
      {
        cause: e,
      },
    );
  }
  if (!oids.includes(CODE_SIGNING))
    throw new SignError(
      'SIGN_CHAIN_INVALID',
      `The signing certificate is not for code signing (extended key usages: ${oids.join(', ')}).`,
    );
}

// The trusted root lists each CA issuer-first; the leaf may hang below any certificate in it.
function chainsFor(m: TrustMaterial, cert: X509Certificate): VerifiedLeaf['paths'] {
  const out: VerifiedLeaf['paths'] = [];
  for (const ca of m.root.certificateAuthorities) {
    if (!caChainOk(m, ca)) continue;
    ca.certChain.forEach((issuer, i) => {
      if (!issuer.subject.equals(cert.issuer) || !issuer.isCA) return;
      if (verifiesUnder(m, cert, issuer)) out.push({ ca, chain: ca.certChain.slice(i) });
    });
  }
  return out;
}

function caChainOk(m: TrustMaterial, ca: CertificateAuthority): boolean {
  let ok = m.chainOk.get(ca);
  if (ok === undefined) {
    const c = ca.certChain;
    ok = c.every((cert, i) => {
      const next = c[i + 1];
      // The last one is the root: self-signed, or an intermediate trusted as an anchor.
      return next === undefined
        ? true
        : cert.issuer.equals(next.subject) && verifiesUnder(m, cert, next);
    });
    m.chainOk.set(ca, ok);
  }
  return ok;
}

/**
 * @sigstore/core's X509Certificate.verify, with the issuer's key parsed once and the TBS taken
 * as signed instead of re-encoded (der.ts): the same check, a quarter of the cost.
 */
function verifiesUnder(m: TrustMaterial, cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    const tbs = tbsBytes(cert);
    if (tbs === undefined) return cert.verify(issuer);
    const key = issuerKey(m, issuer);
    return key !== null && verify(cert.signatureAlgorithm, tbs, key, cert.signatureValue);
  } catch {
    return false;
  }
}

function issuerKey(m: TrustMaterial, issuer: X509Certificate): KeyObject | null {
  let key = m.issuerKeys.get(issuer);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: issuer.publicKey, format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    m.issuerKeys.set(issuer, key);
  }
  return key;
}

// RFC 6962 §3.2: the SCT signs the precertificate, i.e. the TBS without the SCT extension, and
// the issuer key hash. When the trusted root names CT logs, at least one SCT must verify and
// none may fail; a root without CT logs (a private CA) asks for none.
function verifyScts(m: TrustMaterial, cert: X509Certificate, issuer: X509Certificate): void {
  if (m.root.ctlogs.length === 0) return;
  const i = cert.extensions.findIndex((e) => e.subs[0]?.toOID() === EXTENSION_OID_SCT);
  const ext = i >= 0 ? new X509SCTExtension(cert.extensions[i] as ASN1Obj) : undefined;
  const scts = ext?.signedCertificateTimestamps ?? [];
  if (scts.length === 0) {
    throw new SignError('SIGN_SCT_INVALID', 'The signing certificate carries no SCT.');
  }
  const preCert = new ByteStream();
  preCert.appendView(issuerKeyHash(m, issuer));
  const tbs = tbsWithoutExtension(cert, i) ?? reencodedWithoutExtension(cert, i);
  preCert.appendUint24(tbs.length);
  preCert.appendView(tbs);
  for (const sct of scts) {
    const logs = (m.ctlogsById.get(logIdKey(sct.logID)) ?? []).filter((l) =>
      inTimeRange(l.validFor, sct.datetime),
    );
    const ok = logs.some((l) => {
      try {
        return sct.verify(preCert.buffer, l.publicKey);
      } catch {
        return false;
      }
    });
    if (!ok) {
      throw new SignError(
        'SIGN_SCT_INVALID',
        `An SCT (log ${sct.logID.toString('base64')}) does not verify against a trusted CT log.`,
      );
    }
  }
}

// @sigstore/verify's way, for a TBS that is not minimal DER: copy, remove, re-encode.
function reencodedWithoutExtension(cert: X509Certificate, i: number): Uint8Array {
  const clone = cert.clone();
  clone.extensions.splice(i, 1);
  return clone.tbsCertificate.toDER();
}

function issuerKeyHash(m: TrustMaterial, issuer: X509Certificate): Uint8Array {
  let h = m.issuerKeyHashes.get(issuer);
  if (h === undefined) {
    h = coreCrypto.digest('sha256', issuer.publicKey);
    m.issuerKeyHashes.set(issuer, h);
  }
  return h;
}

// The extension holds a DER UTF8String of JSON. Present but unreadable still marks the
// certificate as an emergency one: parseEmergencyMark says the fields could not be read.
function emergencyMark(cert: X509Certificate): EmergencyMark | undefined {
  const ext = cert.extension(CUSTODY_EMERGENCY_OID);
  if (ext === undefined) return undefined;
  let text = '';
  try {
    text = ASN1Obj.parseBuffer(ext.value as Buffer<ArrayBuffer>).value.toString('utf8');
  } catch {
    text = '';
  }
  return parseEmergencyMark(text);
}

function oidcIssuer(cert: X509Certificate): string | undefined {
  const v2 = cert.extension(OID_ISSUER_V2);
  if (v2 !== undefined) {
    try {
      return ASN1Obj.parseBuffer(v2.value as Buffer<ArrayBuffer>).value.toString('utf8');
    } catch {
      return undefined;
    }
  }
  return cert.extension(OID_ISSUER_V1)?.value.toString('utf8');
}
