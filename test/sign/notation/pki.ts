import { KeyObject, type webcrypto } from 'node:crypto';
import { WEBCRYPTO, x509 } from '../../../src/sign/ca/x509.js';

/**
 * A small PKI for the tests: a root, an optional intermediate and a code-signing leaf made to the
 * Notary Project's certificate requirements (or to break one of them on request).
 */
export type KeyKind = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384' | 'p521' | 'rsa1024';

export interface Issued {
  der: Uint8Array;
  key: KeyObject;
  cryptoKey: CryptoKeyPair;
}

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const alg = (k: KeyKind) =>
  k.startsWith('rsa')
    ? {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        publicExponent: new Uint8Array([1, 0, 1]),
        modulusLength: Number(k.slice(3)),
      }
    : { name: 'ECDSA', namedCurve: { p256: 'P-256', p384: 'P-384', p521: 'P-521' }[k as 'p256'] };

const signingAlg = (k: KeyKind) =>
  k.startsWith('rsa')
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', hash: 'SHA-256' };

let serial = 1;

export interface CertOptions {
  subject: string;
  issuer?: Issued & { subject: string; kind: KeyKind };
  kind?: KeyKind;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** Break the profile: 'no-key-usage', 'non-critical-key-usage', 'server-auth', 'leaf-ca'. */
  defect?: 'no-key-usage' | 'non-critical-key-usage' | 'server-auth';
  pathLength?: number;
}

export async function issue(o: CertOptions): Promise<Issued & { subject: string; kind: KeyKind }> {
  const kind = o.kind ?? 'p256';
  const pair = (await WEBCRYPTO.subtle.generateKey(alg(kind), true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const ca = o.ca === true;
  const extensions: x509.Extension[] = [];
  if (ca) extensions.push(new x509.BasicConstraintsExtension(true, o.pathLength, true));
  if (o.defect !== 'no-key-usage')
    extensions.push(
      new x509.KeyUsagesExtension(
        ca
          ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
          : x509.KeyUsageFlags.digitalSignature,
        o.defect !== 'non-critical-key-usage',
      ),
    );
  if (!ca)
    extensions.push(
      new x509.ExtendedKeyUsageExtension(
        [
          o.defect === 'server-auth'
            ? x509.ExtendedKeyUsage.serverAuth
            : x509.ExtendedKeyUsage.codeSigning,
        ],
        false,
      ),
    );
  const signer = o.issuer ?? { subject: o.subject, cryptoKey: pair, kind };
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: (serial++).toString(16).padStart(4, '0'),
      subject: o.subject,
      issuer: signer.subject,
      notBefore: o.notBefore ?? new Date('2020-01-01T00:00:00Z'),
      notAfter: o.notAfter ?? new Date('2120-01-01T00:00:00Z'),
      signingAlgorithm: signingAlg(signer.kind),
      publicKey: pair.publicKey,
      signingKey: signer.cryptoKey.privateKey,
      extensions,
    },
    WEBCRYPTO,
  );
  return {
    der: new Uint8Array(cert.rawData),
    key: KeyObject.from(pair.privateKey),
    cryptoKey: pair,
    subject: o.subject,
    kind,
  };
}

export const ROOT_DN = 'C=US, ST=WA, L=Seattle, O=Custody Test, CN=Custody Test Root';
export const LEAF_DN = 'C=US, ST=WA, L=Seattle, O=Custody Test, OU=Builds, CN=builder';

/** Root → leaf (code signing), both valid 2020–2120. */
export async function chainOf(kind: KeyKind = 'p256', leaf: Partial<CertOptions> = {}) {
  const root = await issue({ subject: ROOT_DN, ca: true, kind: 'p256' });
  const signer = await issue({ subject: LEAF_DN, issuer: root, kind, ...leaf });
  return { root, leaf: signer, chain: [signer.der, root.der] };
}
