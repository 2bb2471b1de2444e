import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './bytes.js';
import { isPrehashedCurve } from './ecdsa-prehashed.js';
import { assertSize, malformed, type Obj, type ParseEntryOptions } from './entry-fields.js';
import { TlogError } from './errors.js';

/** The signer keys of proposed entries: PEM keys or certificates, parsed once and cached. */

export interface EntryVerifier {
  key: KeyObject;
  /** Rekor's CanonicalValue(): the key (SPKI) or certificates re-encoded as Go's pem.Encode does. */
  canonicalPem: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----\r?\n?/g;

export function typedVerifier(root: Obj, opts: ParseEntryOptions): EntryVerifier {
  const hasKey = root.has('publicKey');
  if (hasKey === root.has('certificate')) {
    throw malformed('give exactly one of publicKey or certificate (PEM)');
  }
  const field = hasKey ? 'publicKey' : 'certificate';
  const pem = root.string(field);
  assertSize(pem, field, opts);
  const verifier = parseVerifier(pem, field);
  const isCert = verifier.canonicalPem.startsWith('-----BEGIN CERTIFICATE-----');
  if (isCert !== (field === 'certificate')) {
    throw malformed(
      `${field} holds a ${isCert ? 'certificate' : 'public key'}: use the other field`,
    );
  }
  return verifier;
}

// Signers log many entries with one key: parsing a PEM key costs more than checking a signature.
const VERIFIER_CACHE_SIZE = 1024;
const verifierCache = new Map<string, EntryVerifier>();

export function parseVerifier(pem: string, path: string): EntryVerifier {
  const cached = verifierCache.get(pem);
  if (cached !== undefined) return cached;
  const verifier = parseVerifierUncached(pem, path);
  if (verifierCache.size >= VERIFIER_CACHE_SIZE) verifierCache.clear();
  verifierCache.set(pem, verifier);
  return verifier;
}

function parseVerifierUncached(pem: string, path: string): EntryVerifier {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const rest = pem.replace(PEM_BLOCK, '').trim();
  if (blocks.length === 0 || rest !== '') {
    throw malformed(`${path} must be PEM: one PUBLIC KEY block, or CERTIFICATE blocks`);
  }
  const types = new Set(blocks.map((b) => b[1]));
  const ders = blocks.map((b, i) => {
    const der = decodeBase64((b[2] ?? '').replace(/[\r\n]/g, ''));
    if (der === undefined || der.length === 0)
      throw malformed(`${path}: PEM block ${i} is not base64`);
    return der;
  });
  let key: KeyObject;
  if (types.size === 1 && types.has('PUBLIC KEY') && ders.length === 1) {
    try {
      key = createPublicKey({
        key: Buffer.from(ders[0] as Uint8Array),
        format: 'der',
        type: 'spki',
      });
    } catch (e) {
      throw new TlogError('TLOG_ENTRY_MALFORMED', `${path} is not a valid SPKI public key`, {
        cause: e,
      });
    }
  } else if (types.size === 1 && types.has('CERTIFICATE')) {
    try {
      const certs = ders.map((d) => new X509Certificate(Buffer.from(d)));
      key = (certs[0] as X509Certificate).publicKey;
    } catch (e) {
      throw new TlogError('TLOG_ENTRY_MALFORMED', `${path} is not a valid X.509 certificate`, {
        cause: e,
      });
    }
  } else {
    throw malformed(`${path} must be one PUBLIC KEY block, or CERTIFICATE blocks only`);
  }
  assertSupportedKey(key);
  const type = types.has('CERTIFICATE') ? 'CERTIFICATE' : 'PUBLIC KEY';
  const canonicalDers =
    type === 'PUBLIC KEY' ? [new Uint8Array(key.export({ format: 'der', type: 'spki' }))] : ders;
  return { key, canonicalPem: canonicalDers.map((d) => goPem(type, d)).join('') };
}

function assertSupportedKey(key: KeyObject): void {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details?.namedCurve && isPrehashedCurve(details.namedCurve)) return;
      break;
    case 'rsa':
      if ((details?.modulusLength ?? 0) >= 2048) return;
      break;
    case 'ed25519':
      return;
  }
  throw unsupportedKey(key);
}

export function unsupportedKey(key: KeyObject): TlogError {
  const d = key.asymmetricKeyDetails;
  const what = [key.asymmetricKeyType, d?.namedCurve, d?.modulusLength].filter(Boolean).join(' ');
  return malformed(
    `unsupported key (${what}): use ECDSA P-256 or P-384, RSA of 2048 bits or more, or Ed25519`,
  );
}

// Go's encoding/pem: 64-column base64 lines, a newline after the END line.
function goPem(type: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
