import { createPublicKey, type KeyObject, randomBytes, type webcrypto } from 'node:crypto';
import { type EmergencyMark, parseEmergencyMark } from '../emergency.js';
import { SignError } from '../errors.js';
import { type CertificateIdentity, identityValue } from './identity.js';
import { type ClaimExtension, CUSTODY_EMERGENCY_OID, encodeClaimValue } from './oids.js';
import { spkiDer } from './possession.js';
import { WEBCRYPTO, x509 } from './x509.js';

/** Fulcio's certificate life: long enough to sign and log, too short to be worth stealing. */
export const LEAF_LIFETIME_SECONDS = 600;

export interface CaSubject {
  organization: string;
  commonName: string;
}

export interface CreateCaOptions {
  /** ECDSA P-256 or P-384 private keys. */
  rootKey: KeyObject;
  intermediateKey: KeyObject;
  subject: CaSubject;
  now: Date;
  /** Default 10 years. */
  rootValidityDays?: number;
  /** Default 5 years, and never past the root. */
  intermediateValidityDays?: number;
}

/** DER certificates of a new authority. */
export interface CaCertificates {
  root: Uint8Array;
  intermediate: Uint8Array;
}

/**
 * A self-signed root and an intermediate it certifies (path length 0, so the intermediate signs
 * only leaves) — the shape of Fulcio's chain, which sigstore-js walks by key identifiers.
 * @throws SignError SIGN_KEY_INVALID when a key is not ECDSA P-256/P-384
 */
export async function createCaCertificates(o: CreateCaOptions): Promise<CaCertificates> {
  const now = wholeSeconds(o.now);
  const rootEnd = addDays(now, o.rootValidityDays ?? 3650);
  const interEnd = new Date(
    Math.min(addDays(now, o.intermediateValidityDays ?? 1825).getTime(), rootEnd.getTime()),
  );
  const root = await importSigningKey(o.rootKey);
  // Imported only to refuse an unusable intermediate key before anything is written.
  await importSigningKey(o.intermediateKey);
  const rootName = `CN=${o.subject.commonName}, O=${o.subject.organization}`;
  const rootPub = spkiDer(createPublicKey(o.rootKey));
  const interPub = spkiDer(createPublicKey(o.intermediateKey));
  const caUsage = new x509.KeyUsagesExtension(
    x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    true,
  );
  const rootCert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: rootName,
      issuer: rootName,
      notBefore: now,
      notAfter: rootEnd,
      publicKey: rootPub,
      signingKey: root.key,
      signingAlgorithm: root.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        caUsage,
        await x509.SubjectKeyIdentifierExtension.create(rootPub, false, WEBCRYPTO),
      ],
    },
    WEBCRYPTO,
  );
  const interCert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: `CN=${o.subject.commonName} intermediate, O=${o.subject.organization}`,
      issuer: rootCert.subjectName,
      notBefore: now,
      notAfter: interEnd,
      publicKey: interPub,
      signingKey: root.key,
      signingAlgorithm: root.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        caUsage,
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
        await x509.SubjectKeyIdentifierExtension.create(interPub, false, WEBCRYPTO),
        await x509.AuthorityKeyIdentifierExtension.create(rootPub, false, WEBCRYPTO),
      ],
    },
    WEBCRYPTO,
  );
  return {
    root: new Uint8Array(rootCert.rawData),
    intermediate: new Uint8Array(interCert.rawData),
  };
}

export interface LeafRequest {
  /** The client's key, already checked for possession. */
  publicKey: KeyObject;
  identity: CertificateIdentity;
  /** Fulcio extensions from the token (claimExtensions). */
  extensions: readonly ClaimExtension[];
  now: Date;
  /** Default LEAF_LIFETIME_SECONDS. */
  lifetimeSeconds?: number;
  /** An emergency certificate: marked with CUSTODY_EMERGENCY_OID (approver, requester, reason). */
  emergency?: EmergencyMark;
}

export interface IssuedCertificate {
  der: Uint8Array;
  /** Leaf, intermediate, root — the order of Fulcio's `chain.certificates`. */
  chainPem: string[];
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateAuthority {
  /** Intermediate then root, DER (a trusted root's `certChain`). */
  readonly chain: readonly Uint8Array[];
  readonly chainPem: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** @throws SignError SIGN_SERVICE_FAILED when the intermediate expires before the leaf would */
  issue(req: LeafRequest): Promise<IssuedCertificate>;
}

/**
 * An authority that issues from `intermediateKey`, whose certificate is `chain[0]` (chain: the
 * intermediate, then up to the root).
 * @throws SignError SIGN_KEY_INVALID when the key does not belong to chain[0]
 */
export async function openCertificateAuthority(o: {
  intermediateKey: KeyObject;
  chain: readonly Uint8Array[];
}): Promise<CertificateAuthority> {
  const certs = o.chain.map((d) => new x509.X509Certificate(toArrayBuffer(d)));
  const inter = certs[0];
  if (inter === undefined) throw new SignError('SIGN_KEY_INVALID', 'The CA chain is empty.');
  const ownSpki = Buffer.from(spkiDer(createPublicKey(o.intermediateKey)));
  if (!ownSpki.equals(Buffer.from(inter.publicKey.rawData))) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      'The intermediate CA key does not match the intermediate certificate; run `custody ca init` again or restore the matching key.',
    );
  }
  const signer = await importSigningKey(o.intermediateKey);
  const interPub = new Uint8Array(inter.publicKey.rawData);
  const chainPem = certs.map((c) => c.toString('pem'));
  return {
    chain: o.chain,
    chainPem,
    notBefore: inter.notBefore,
    notAfter: inter.notAfter,
    async issue(req) {
      const notBefore = wholeSeconds(req.now);
      const notAfter = new Date(
        notBefore.getTime() + (req.lifetimeSeconds ?? LEAF_LIFETIME_SECONDS) * 1000,
      );
      if (notAfter > inter.notAfter || notBefore < inter.notBefore) {
        throw new SignError(
          'SIGN_SERVICE_FAILED',
          `The intermediate CA is valid ${inter.notBefore.toISOString()} to ${inter.notAfter.toISOString()}, which does not cover the certificate asked for; rotate the CA (custody ca init).`,
          { details: { service: 'ca', reason: 'ca-expired' } },
        );
      }
      const leafPub = spkiDer(req.publicKey);
      const extensions: x509.Extension[] = [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
        await x509.SubjectKeyIdentifierExtension.create(leafPub, false, WEBCRYPTO),
        await x509.AuthorityKeyIdentifierExtension.create(interPub, false, WEBCRYPTO),
        // Critical because the subject is empty (RFC 5280 4.2.1.6), as in Fulcio's certificates.
        new x509.SubjectAlternativeNameExtension(
          [
            {
              type: req.identity.kind === 'email' ? 'email' : 'url',
              value: identityValue(req.identity),
            },
          ],
          true,
        ),
        ...req.extensions.map((e) => new x509.Extension(e.oid, false, encodeClaimValue(e))),
      ];
      if (req.emergency) {
        extensions.push(
          new x509.Extension(
            CUSTODY_EMERGENCY_OID,
            false,
            encodeClaimValue({
              oid: CUSTODY_EMERGENCY_OID,
              value: JSON.stringify(req.emergency),
              encoding: 'utf8',
            }),
          ),
        );
      }
      const serial = serialNumber();
      const leaf = await x509.X509CertificateGenerator.create(
        {
          serialNumber: serial,
          subject: '',
          issuer: inter.subjectName,
          notBefore,
          notAfter,
          publicKey: leafPub,
          signingKey: signer.key,
          signingAlgorithm: signer.algorithm,
          extensions,
        },
        WEBCRYPTO,
      );
      return {
        der: new Uint8Array(leaf.rawData),
        chainPem: [leaf.toString('pem'), ...chainPem],
        serialNumber: serial,
        notBefore,
        notAfter,
      };
    },
  };
}

/** A CA private key as a WebCrypto signing key, with the ECDSA digest matching its curve. */
async function importSigningKey(key: KeyObject): Promise<{
  key: webcrypto.CryptoKey;
  algorithm: { name: string; namedCurve: string; hash: string };
}> {
  const curve = key.type === 'private' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const params =
    curve === 'prime256v1'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : curve === 'secp384r1'
        ? { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }
        : undefined;
  if (params === undefined) {
    throw new SignError(
      'SIGN_KEY_INVALID',
      `A CA key must be an ECDSA P-256 or P-384 private key, not ${key.type} ${key.asymmetricKeyType ?? ''}.`,
    );
  }
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const k = await WEBCRYPTO.subtle.importKey('pkcs8', pkcs8, params, false, ['sign']);
  return { key: k, algorithm: params };
}

// 20 random bytes, top bit clear so the INTEGER stays positive (RFC 5280 4.1.2.2).
function serialNumber(): string {
  const b = randomBytes(20);
  b[0] = ((b[0] as number) & 0x7f) | 0x01;
  return b.toString('hex');
}

// X.509 times have second precision; truncating keeps notBefore ≤ a log's integrated time.
function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** The mark of an emergency certificate (DER), or undefined for an ordinary one. */
export function emergencyMarkOf(der: Uint8Array): EmergencyMark | undefined {
  const cert = new x509.X509Certificate(toArrayBuffer(der));
  const ext = cert.getExtension(CUSTODY_EMERGENCY_OID);
  if (ext === null) return undefined;
  const v = new Uint8Array(ext.value);
  // A UTF8String under 128 bytes has a 2-byte header; longer ones give their length's size.
  const header = (v[1] as number) < 0x80 ? 2 : 2 + ((v[1] as number) & 0x7f);
  return parseEmergencyMark(Buffer.from(v.subarray(header)).toString('utf8'));
}
