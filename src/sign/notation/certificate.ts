import { X509Certificate as NodeCertificate } from 'node:crypto';
import { x509 } from '../ca/x509.js';
import { NotationError } from './errors.js';

/**
 * X.509 certificates as the Notary Project reads them: node:crypto for the key, the validity
 * period and signatures; @peculiar/x509 for the three extensions the specification honours
 * (basic constraints, key usage, extended key usage) and for the subject's attributes.
 * Only those three extensions are evaluated ("fail open" on the others, signature-specification
 * "Other requirements" 4).
 */
export interface Certificate {
  readonly der: Uint8Array;
  readonly node: NodeCertificate;
  readonly ext: x509.X509Certificate;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** RFC 4514 order, as Go's pkix.Name.String() writes it (the subject of results and messages). */
  readonly subject: string;
}

const MAX_CERT_BYTES = 64 * 1024;

/** @throws NotationError `code` when the bytes are not one DER certificate. */
export function parseCertificate(
  der: Uint8Array,
  code:
    | 'SIGN_NOTATION_ENVELOPE_MALFORMED'
    | 'SIGN_NOTATION_TRUST_STORE_INVALID'
    | 'SIGN_NOTATION_CERTIFICATE_INVALID',
): Certificate {
  if (der.byteLength > MAX_CERT_BYTES)
    throw new NotationError(code, `A certificate is over ${MAX_CERT_BYTES} bytes.`);
  try {
    const node = new NodeCertificate(der);
    const ext = new x509.X509Certificate(der);
    return {
      der,
      node,
      ext,
      notBefore: new Date(node.validFrom),
      notAfter: new Date(node.validTo),
      subject: rfc4514(ext.subjectName),
    };
  } catch (e) {
    throw new NotationError(code, 'A certificate is not a DER X.509 certificate.', { cause: e });
  }
}

/** The subject's attributes, one entry per RDN attribute (short names: C, ST, L, O, OU, CN…). */
export function subjectAttributes(
  cert: Certificate,
): { type: string; value: string; multi: boolean }[] {
  const out: { type: string; value: string; multi: boolean }[] = [];
  for (const rdn of cert.ext.subjectName.toJSON()) {
    const entries = Object.entries(rdn).flatMap(([type, values]) =>
      values.map((value) => ({ type, value })),
    );
    for (const e of entries) out.push({ ...e, multi: entries.length > 1 });
  }
  return out;
}

function rfc4514(name: x509.Name): string {
  return name
    .toJSON()
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([t, vs]) => vs.map((v) => `${t}=${v.replace(/([,+"\\<>;])/g, '\\$1')}`))
        .join('+'),
    )
    .reverse()
    .join(',');
}

/** True when `child` carries `parent`'s subject as issuer and `parent`'s key verifies it. */
export function isIssuedBy(child: Certificate, parent: Certificate): boolean {
  if (
    !Buffer.from(child.ext.issuerName.toArrayBuffer()).equals(
      Buffer.from(parent.ext.subjectName.toArrayBuffer()),
    )
  )
    return false;
  try {
    return child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

export const isSelfSigned = (c: Certificate): boolean => isIssuedBy(c, c);

export function isCa(c: Certificate): boolean {
  return c.ext.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

export function validAt(c: Certificate, t: Date): boolean {
  return t.getTime() >= c.notBefore.getTime() && t.getTime() <= c.notAfter.getTime();
}

export type ChainPurpose = 'codeSigning' | 'timestamping';

const EKU = {
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;
const SHA1_SIGNATURES = new Set(['1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.10040.4.3']);
const KU = x509.KeyUsageFlags;
const LEAF_FORBIDDEN =
  KU.keyEncipherment |
  KU.dataEncipherment |
  KU.keyAgreement |
  KU.keyCertSign |
  KU.cRLSign |
  KU.encipherOnly |
  KU.decipherOnly;

/**
 * The certificate requirements of signature-specification (leaf, CA, "Other requirements"),
 * as notation-core-go's ValidateCodeSigningCertChain / ValidateTimestampingCertChain apply them:
 * an ordered chain, each certificate issued by the next, ending in a self-signed root; a chain of
 * one is a self-signed leaf and meets the leaf requirements. Validity periods are the caller's
 * (they depend on the signing scheme and timestamps), except at `signingTime` when given.
 * @returns why the chain fails, or undefined
 */
export function chainProblem(
  chain: readonly Certificate[],
  purpose: ChainPurpose,
  signingTime?: Date,
): string | undefined {
  const leaf = chain[0];
  if (leaf === undefined) return 'the certificate chain is empty';
  for (const c of chain) {
    if (signingTime && !validAt(c, signingTime))
      return `certificate "${c.subject}" was not valid at signing time ${signingTime.toISOString()}`;
    if (SHA1_SIGNATURES.has(signatureOid(c)))
      return `certificate "${c.subject}" is signed with SHA-1`;
  }
  if (chain.length === 1) {
    if (!isSelfSigned(leaf)) return `the only certificate "${leaf.subject}" is not self-signed`;
    return leafProblem(leaf, purpose);
  }
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i] as Certificate;
    const last = i === chain.length - 1;
    if (last) {
      if (!isSelfSigned(c)) return `the root certificate "${c.subject}" is not self-signed`;
    } else {
      if (isSelfSigned(c))
        return `certificate "${c.subject}" is self-signed but not the last of the chain`;
      if (!isIssuedBy(c, chain[i + 1] as Certificate))
        return `certificate "${c.subject}" is not issued by "${(chain[i + 1] as Certificate).subject}"`;
    }
    const p = i === 0 ? leafProblem(c, purpose) : caProblem(c, i - 1, purpose);
    if (p) return p;
  }
  return undefined;
}

function signatureOid(c: Certificate): string {
  return (c.ext.signatureAlgorithm as { oid?: string }).oid ?? oidOfSignature(c);
}

// @peculiar/x509 names the algorithm, not the OID; SHA-1 shows as its hash name.
function oidOfSignature(c: Certificate): string {
  const alg = c.ext.signatureAlgorithm as { name?: string; hash?: { name?: string } };
  return alg.hash?.name === 'SHA-1' ? '1.2.840.113549.1.1.5' : '';
}

function caProblem(c: Certificate, below: number, purpose: ChainPurpose): string | undefined {
  const bc = c.ext.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) return `CA certificate "${c.subject}" lacks basic constraints with cA true`;
  if (!bc.critical) return `CA certificate "${c.subject}": basic constraints must be critical`;
  if (bc.pathLength !== undefined && bc.pathLength < below)
    return `CA certificate "${c.subject}" has path length ${bc.pathLength}, the chain below it is ${below}`;
  const ku = c.ext.getExtension(x509.KeyUsagesExtension);
  if (!ku) return `CA certificate "${c.subject}": key usage must be present`;
  if (purpose === 'codeSigning' && !ku.critical)
    return `CA certificate "${c.subject}": key usage must be critical`;
  if ((ku.usages & KU.keyCertSign) === 0)
    return `CA certificate "${c.subject}": key usage must include keyCertSign`;
  return undefined;
}

function leafProblem(c: Certificate, purpose: ChainPurpose): string | undefined {
  const bc = c.ext.getExtension(x509.BasicConstraintsExtension);
  if (bc?.ca) return `leaf certificate "${c.subject}" has basic constraints cA true`;
  const ku = c.ext.getExtension(x509.KeyUsagesExtension);
  if (!ku) return `leaf certificate "${c.subject}": key usage must be present`;
  if (purpose === 'codeSigning' && !ku.critical)
    return `leaf certificate "${c.subject}": key usage must be critical`;
  if ((ku.usages & KU.digitalSignature) === 0)
    return `leaf certificate "${c.subject}": key usage must include digitalSignature`;
  if ((ku.usages & LEAF_FORBIDDEN) !== 0)
    return `leaf certificate "${c.subject}": key usage must be digitalSignature only`;
  const keyProblem = keyLengthProblem(c);
  if (keyProblem) return keyProblem;
  const eku = c.ext.getExtension(x509.ExtendedKeyUsageExtension);
  const usages = (eku?.usages ?? []).map(String);
  if (purpose === 'codeSigning') {
    const bad = [
      EKU.any,
      EKU.serverAuth,
      EKU.clientAuth,
      EKU.emailProtection,
      EKU.timeStamping,
      EKU.ocspSigning,
    ];
    const found = usages.find((u) => (bad as readonly string[]).includes(u));
    if (found)
      return `leaf certificate "${c.subject}": extended key usage must not contain ${found}`;
  } else {
    if (!eku) return `timestamping certificate "${c.subject}": extended key usage must be present`;
    if (!eku.critical)
      return `timestamping certificate "${c.subject}": extended key usage must be critical`;
    if (usages.length !== 1 || usages[0] !== EKU.timeStamping)
      return `timestamping certificate "${c.subject}": extended key usage must be id-kp-timeStamping only`;
  }
  return undefined;
}

// signature-specification "Leaf Certificates" 4: RSA keys of 2048 bits or more, ECDSA of 256 or more.
function keyLengthProblem(c: Certificate): string | undefined {
  const k = c.node.publicKey;
  const d = k.asymmetricKeyDetails;
  if (k.asymmetricKeyType === 'rsa' || k.asymmetricKeyType === 'rsa-pss')
    return (d?.modulusLength ?? 0) < 2048
      ? `leaf certificate "${c.subject}" has an RSA key under 2048 bits`
      : undefined;
  if (k.asymmetricKeyType === 'ec')
    return ['prime256v1', 'secp384r1', 'secp521r1'].includes(d?.namedCurve ?? '')
      ? undefined
      : `leaf certificate "${c.subject}" has an EC key on ${d?.namedCurve ?? 'an unknown curve'}`;
  return `leaf certificate "${c.subject}" has a ${k.asymmetricKeyType ?? 'unknown'} key`;
}
