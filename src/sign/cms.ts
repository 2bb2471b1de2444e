import { createHash, sign as cryptoSign, type KeyObject, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SignError } from './errors.js';

/**
 * Detached CMS SignedData (RFC 5652), the signature format of git's x509 signing (what gpgsm and
 * gitsign write): the signer's certificate chain, and signed attributes content-type,
 * signing-time and message-digest over the data, signed with ECDSA/SHA-256.
 */

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const ID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const ID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const ID_SHA256 = '2.16.840.1.101.3.4.2.1';
const ID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';

let engineSet = false;
function engine(): void {
  if (engineSet) return;
  pkijs.setEngine(
    'node',
    new pkijs.CryptoEngine({
      name: 'node',
      crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
    }),
  );
  engineSet = true;
}

const ab = (u: Uint8Array): ArrayBuffer =>
  u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

export interface CmsSigner {
  /**
   * ECDSA/SHA-256 over `tbs` (the DER of the signed attributes): the ASN.1 DER signature and the
   * DER certificates, the signer's first, then its issuers (no root needed). A function, so the
   * key can live anywhere: a KeyObject, an HSM, or a keyless signer whose certificate is issued
   * for this very signature.
   */
  sign(tbs: Uint8Array): Promise<{ signature: Uint8Array; chain: Uint8Array[] }>;
}

/** A CmsSigner for a private key held in memory. */
export function keySigner(privateKey: KeyObject, chain: readonly Uint8Array[]): CmsSigner {
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (privateKey.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'secp384r1'))
    throw new SignError('SIGN_KEY_INVALID', 'CMS signing here takes an ECDSA P-256 or P-384 key.');
  return {
    sign: async (tbs) => ({
      signature: new Uint8Array(cryptoSign('sha256', tbs, privateKey)),
      chain: [...chain],
    }),
  };
}

export interface CmsSignature {
  /** DER ContentInfo. */
  der: Uint8Array;
  /** What was signed: the DER SET OF signed attributes (a transparency log entry's subject). */
  signedAttributes: Uint8Array;
  signature: Uint8Array;
  /** The certificates the signer used, signer first. */
  chain: Uint8Array[];
}

/** A detached SignedData over `data`. */
export async function signDetached(
  data: Uint8Array,
  signer: CmsSigner,
  signingTime: Date,
): Promise<CmsSignature> {
  engine();
  const digest = createHash('sha256').update(data).digest();
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({
        type: ID_CONTENT_TYPE,
        values: [new asn1js.ObjectIdentifier({ value: ID_DATA })],
      }),
      new pkijs.Attribute({
        type: ID_SIGNING_TIME,
        values: [new asn1js.UTCTime({ valueDate: signingTime })],
      }),
      new pkijs.Attribute({
        type: ID_MESSAGE_DIGEST,
        values: [new asn1js.OctetString({ valueHex: ab(digest) })],
      }),
    ],
  });
  // RFC 5652 §5.4: the signature covers the attributes' DER with the SET OF tag, not [0].
  const tbs = new Uint8Array(signedAttrs.toSchema().toBER(false));
  tbs[0] = 0x31;
  const { signature, chain } = await signer.sign(tbs);
  const [leafDer, ...rest] = chain;
  if (leafDer === undefined)
    throw new SignError('SIGN_KEY_INVALID', 'A CMS signer needs a certificate.');
  const leaf = pkijs.Certificate.fromBER(ab(leafDer));
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: ID_SHA256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: leaf.issuer,
          serialNumber: leaf.serialNumber,
        }),
        digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: ID_SHA256 }),
        signedAttrs,
        signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: ID_ECDSA_SHA256 }),
        signature: new asn1js.OctetString({ valueHex: ab(signature) }),
      }),
    ],
    certificates: [leaf, ...rest.map((d) => pkijs.Certificate.fromBER(ab(d)))],
  });
  const info = new pkijs.ContentInfo({
    contentType: ID_SIGNED_DATA,
    content: signedData.toSchema(true),
  });
  return {
    der: new Uint8Array(info.toSchema().toBER(false)),
    signedAttributes: tbs,
    signature,
    chain,
  };
}

export interface CmsVerified {
  /** DER certificates carried in the signature, signer first. */
  chain: Uint8Array[];
  signingTime: Date | undefined;
  /** The DER SET OF signed attributes that the signature covers. */
  signedAttributes: Uint8Array;
  signature: Uint8Array;
}

/**
 * Check a detached SignedData over `data`: the signature over the signed attributes, and the
 * message digest. Which certificates to trust is the caller's decision (chain, identity, time).
 * @throws SignError SIGN_BUNDLE_MALFORMED, SIGN_SIGNATURE_INVALID
 */
export async function verifyDetached(
  signature: Uint8Array,
  data: Uint8Array,
): Promise<CmsVerified> {
  engine();
  let signedData: pkijs.SignedData;
  try {
    const info = pkijs.ContentInfo.fromBER(ab(signature));
    if (info.contentType !== ID_SIGNED_DATA) throw new Error(`content type ${info.contentType}`);
    signedData = new pkijs.SignedData({ schema: info.content });
  } catch (e) {
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      'The signature is not a CMS SignedData structure.',
      {
        cause: e,
      },
    );
  }
  const certs = (signedData.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const signerInfo = signedData.signerInfos[0];
  if (signerInfo === undefined || certs.length === 0)
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      'The CMS signature has no signer or no certificate.',
    );
  let ok = false;
  try {
    const r = await signedData.verify({
      signer: 0,
      data: ab(data),
      checkChain: false,
      extendedMode: true,
    });
    ok = r.signatureVerified === true;
  } catch {
    ok = false;
  }
  if (!ok)
    throw new SignError(
      'SIGN_SIGNATURE_INVALID',
      'The CMS signature does not verify over this data: the data or the signature was changed.',
    );
  // Signer first: the certificate the SignerInfo names.
  const sid = signerInfo.sid as pkijs.IssuerAndSerialNumber;
  const signerCert = certs.find(
    (c) => c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer),
  );
  const ordered = signerCert ? [signerCert, ...certs.filter((c) => c !== signerCert)] : certs;
  const timeAttr = signerInfo.signedAttrs?.attributes.find((a) => a.type === ID_SIGNING_TIME);
  const t = timeAttr?.values[0] as asn1js.UTCTime | asn1js.GeneralizedTime | undefined;
  const attrs = signerInfo.signedAttrs;
  const tbs = attrs ? new Uint8Array(attrs.encodedValue) : new Uint8Array();
  if (tbs.length > 0) tbs[0] = 0x31;
  return {
    chain: ordered.map((c) => new Uint8Array(c.toSchema().toBER(false))),
    signingTime: t?.toDate(),
    signedAttributes: tbs,
    signature: new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
  };
}

/** PEM armour git expects for x509 signatures. */
export function armorSignedMessage(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN SIGNED MESSAGE-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END SIGNED MESSAGE-----\n`;
}

/** The DER inside a `SIGNED MESSAGE` (or `PKCS7`/`CMS`) PEM block. */
export function dearmorSignedMessage(text: string): Uint8Array {
  const m = /-----BEGIN (SIGNED MESSAGE|PKCS7|CMS)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!m)
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      'Expected a PEM "SIGNED MESSAGE" block (git x509 signature).',
    );
  return new Uint8Array(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64'));
}
