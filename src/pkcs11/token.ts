import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { Pkcs11Uri } from '../sign/index.js';
import { keyTypeOf, SignError, type SigningKeyType } from '../sign/index.js';
import { type Attribute, CK, type Handle, type Pkcs11Module } from './module.js';

/** How to find things on a token that a URI names. */

/**
 * The slot whose token matches every token and slot attribute of the URI. Exactly one must match:
 * signing with whichever token came first would make the key depend on plug-in order.
 * @throws SignError SIGN_KEY_INVALID listing the tokens present when none or several match
 */
export function findSlot(module: Pkcs11Module, uri: Pkcs11Uri): Handle {
  checkLibrary(module, uri);
  const slots = module.C_GetSlotList(true).map((slot) => {
    const t = module.C_GetTokenInfo(slot);
    const s = module.C_GetSlotInfo(slot);
    return {
      slot,
      token: t.label.trimEnd(),
      manufacturer: t.manufacturerID.trimEnd(),
      model: t.model.trimEnd(),
      serial: t.serialNumber.trimEnd(),
      slotDescription: s.slotDescription.trimEnd(),
      slotManufacturer: s.manufacturerID.trimEnd(),
      slotId: slotIdOf(slot),
      initialized: (t.flags & CK.CKF_TOKEN_INITIALIZED) !== 0,
    };
  });
  const matches = slots.filter(
    (s) =>
      s.initialized &&
      (uri.token === undefined || s.token === uri.token) &&
      (uri.manufacturer === undefined || s.manufacturer === uri.manufacturer) &&
      (uri.model === undefined || s.model === uri.model) &&
      (uri.serial === undefined || s.serial === uri.serial) &&
      (uri.slotDescription === undefined || s.slotDescription === uri.slotDescription) &&
      (uri.slotManufacturer === undefined || s.slotManufacturer === uri.slotManufacturer) &&
      (uri.slotId === undefined || s.slotId === uri.slotId),
  );
  const present = slots
    .filter((s) => s.initialized)
    .map((s) => `"${s.token}" (serial ${s.serial}, slot-id ${s.slotId})`);
  if (matches.length === 1) return (matches[0] as (typeof matches)[number]).slot;
  throw new SignError(
    'SIGN_KEY_INVALID',
    matches.length === 0
      ? `No token matches the PKCS#11 URI; tokens present: ${present.join(', ') || 'none'}.`
      : `${matches.length} tokens match the PKCS#11 URI; name one with token=, serial= or slot-id=. Tokens present: ${present.join(', ')}.`,
    { details: { tokens: present } },
  );
}

/** The private key the URI names by label (`object=`) and/or CKA_ID (`id=`); exactly one. */
export function findPrivateKey(module: Pkcs11Module, session: Handle, uri: Pkcs11Uri): Handle {
  if (uri.type !== undefined && uri.type !== 'private')
    throw new SignError(
      'SIGN_KEY_INVALID',
      `The URI names a ${uri.type} object; signing needs the private key (type=private or no type).`,
    );
  const found = find(module, session, [
    { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
    ...selectors(uri),
  ]);
  if (found.length === 1) return found[0] as Handle;
  const all = find(module, session, [{ type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY }]).map((h) =>
    describe(module, session, h),
  );
  throw new SignError(
    'SIGN_KEY_INVALID',
    found.length === 0
      ? `No private key on the token matches ${describeUri(uri)}; private keys there: ${all.join(', ') || 'none'}.`
      : `${found.length} private keys match ${describeUri(uri)}; add object= or id= to pick one. Private keys there: ${all.join(', ')}.`,
    { details: { keys: all } },
  );
}

export interface KeyDescription {
  type: SigningKeyType;
  publicKey: KeyObject;
  /** Bytes of a raw signature: r||s for ECDSA, the modulus length for RSA. */
  signatureBytes: number;
}

/**
 * The key's type and public key. A token keeps an EC private key's point only on the public key
 * object (or in a certificate), found by the private key's CKA_ID, else its label.
 * @throws SignError SIGN_KEY_INVALID for other key types and when no public half is on the token
 */
export function describeKey(module: Pkcs11Module, session: Handle, key: Handle): KeyDescription {
  const [keyType, id, label] = attrs(module, session, key, [
    CK.CKA_KEY_TYPE,
    CK.CKA_ID,
    CK.CKA_LABEL,
  ]);
  const kt = keyType?.readUIntLE(0, Math.min(keyType.length, 6));
  let publicKey: KeyObject;
  if (kt === CK.CKK_RSA) {
    const [n, e] = attrs(module, session, key, [CK.CKA_MODULUS, CK.CKA_PUBLIC_EXPONENT]);
    if (n === undefined || e === undefined || n.length === 0)
      throw new SignError('SIGN_KEY_INVALID', 'The RSA key does not reveal its modulus.');
    publicKey = createPublicKey({
      key: { kty: 'RSA', n: b64u(n), e: b64u(e) },
      format: 'jwk',
    });
  } else if (kt === CK.CKK_EC) {
    const same: Attribute[] =
      id !== undefined && id.length > 0
        ? [{ type: CK.CKA_ID, value: id }]
        : [{ type: CK.CKA_LABEL, value: label ?? Buffer.alloc(0) }];
    publicKey = ecPublicKey(module, session, same);
  } else
    throw new SignError(
      'SIGN_KEY_INVALID',
      `The key is of PKCS#11 key type 0x${kt?.toString(16)}; Custody signs with EC (P-256, P-384) and RSA keys.`,
    );
  const type = keyTypeOf(publicKey);
  const d = publicKey.asymmetricKeyDetails;
  const signatureBytes =
    d?.modulusLength !== undefined
      ? Math.ceil(d.modulusLength / 8)
      : d?.namedCurve === 'prime256v1'
        ? 64
        : 96;
  return { type, publicKey, signatureBytes };
}

function ecPublicKey(module: Pkcs11Module, session: Handle, same: Attribute[]): KeyObject {
  const pub = find(module, session, [{ type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY }, ...same]);
  if (pub.length === 1) {
    const [params, point] = attrs(module, session, pub[0] as Handle, [
      CK.CKA_EC_PARAMS,
      CK.CKA_EC_POINT,
    ]);
    if (params !== undefined && point !== undefined) return ecKeyFromToken(params, point);
  }
  const cert = find(module, session, [{ type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE }, ...same]);
  if (cert.length === 1) {
    const [der] = attrs(module, session, cert[0] as Handle, [CK.CKA_VALUE]);
    if (der !== undefined) return new X509Certificate(der).publicKey;
  }
  throw new SignError(
    'SIGN_KEY_INVALID',
    'The token holds the EC private key but not its public key or certificate (with the same id or label); import one of them so the signature can name its key.',
  );
}

// RFC 5480 named curves as DER OIDs (CKA_EC_PARAMS), and their JWK names.
const CURVES = new Map([
  ['06082a8648ce3d030107', { crv: 'P-256', size: 32 }],
  ['06052b81040022', { crv: 'P-384', size: 48 }],
]);

/**
 * CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (PKCS#11 2.40 §2.3.3), though
 * some modules return the bare point; both are accepted, told apart by length.
 */
export function ecKeyFromToken(params: Buffer, point: Buffer): KeyObject {
  const curve = CURVES.get(params.toString('hex'));
  if (curve === undefined)
    throw new SignError(
      'SIGN_KEY_INVALID',
      `The EC key's curve (parameters ${params.toString('hex')}) is not P-256 or P-384.`,
    );
  const raw = 1 + 2 * curve.size;
  let p = point;
  if (p.length !== raw) {
    const header = raw < 128 ? 2 : 3;
    if (p[0] !== 0x04 || p.length !== raw + header)
      throw new SignError('SIGN_KEY_INVALID', "The EC public key's point is malformed.");
    p = p.subarray(header);
  }
  if (p[0] !== 0x04)
    throw new SignError('SIGN_KEY_INVALID', 'The EC public key is not an uncompressed point.');
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: curve.crv,
      x: b64u(p.subarray(1, 1 + curve.size)),
      y: b64u(p.subarray(1 + curve.size)),
    },
    format: 'jwk',
  });
}

/** CK_SLOT_ID as the URI's `slot-id` compares it; a handle is a native-endian CK_ULONG. */
function slotIdOf(slot: Handle): bigint {
  return slot.length >= 8 ? slot.readBigUInt64LE(0) : BigInt(slot.readUInt32LE(0));
}

function selectors(uri: Pkcs11Uri): Attribute[] {
  const t: Attribute[] = [];
  if (uri.object !== undefined) t.push({ type: CK.CKA_LABEL, value: uri.object });
  if (uri.id !== undefined) t.push({ type: CK.CKA_ID, value: Buffer.from(uri.id) });
  return t;
}

function find(module: Pkcs11Module, session: Handle, template: Attribute[]): Handle[] {
  module.C_FindObjectsInit(session, template);
  try {
    return module.C_FindObjects(session, 16);
  } finally {
    module.C_FindObjectsFinal(session);
  }
}

/** Attribute values in the order asked; undefined for one the object does not have. */
function attrs(
  module: Pkcs11Module,
  session: Handle,
  object: Handle,
  types: number[],
): (Buffer | undefined)[] {
  return types.map((type) => {
    try {
      return module.C_GetAttributeValue(session, object, [{ type }])[0]?.value;
    } catch {
      // CKR_ATTRIBUTE_TYPE_INVALID / _SENSITIVE: asked one by one so one absence hides no other.
      return undefined;
    }
  });
}

function describe(module: Pkcs11Module, session: Handle, key: Handle): string {
  const [label, id] = attrs(module, session, key, [CK.CKA_LABEL, CK.CKA_ID]);
  return `object=${label?.toString('utf8') ?? ''};id=${id?.toString('hex') ?? ''}`;
}

function describeUri(uri: Pkcs11Uri): string {
  const parts = [];
  if (uri.object !== undefined) parts.push(`object=${uri.object}`);
  if (uri.id !== undefined) parts.push(`id=${Buffer.from(uri.id).toString('hex')}`);
  return parts.length > 0 ? parts.join(';') : 'the URI';
}

function checkLibrary(module: Pkcs11Module, uri: Pkcs11Uri): void {
  if (
    uri.libraryManufacturer === undefined &&
    uri.libraryDescription === undefined &&
    uri.libraryVersion === undefined
  )
    return;
  const info = module.C_GetInfo();
  const ok =
    (uri.libraryManufacturer === undefined ||
      info.manufacturerID.trimEnd() === uri.libraryManufacturer) &&
    (uri.libraryDescription === undefined ||
      info.libraryDescription.trimEnd() === uri.libraryDescription) &&
    (uri.libraryVersion === undefined ||
      (info.libraryVersion.major === uri.libraryVersion.major &&
        info.libraryVersion.minor === uri.libraryVersion.minor));
  if (!ok)
    throw new SignError(
      'SIGN_KEY_INVALID',
      `The PKCS#11 module is "${info.libraryDescription.trimEnd()}" ${info.libraryVersion.major}.${info.libraryVersion.minor} by "${info.manufacturerID.trimEnd()}", not the library the URI names.`,
    );
}

function b64u(b: Buffer): string {
  return b.toString('base64url');
}
