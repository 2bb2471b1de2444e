import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { SignError } from '../errors.js';
import { WEBCRYPTO, x509 } from './x509.js';

/**
 * A client's public key from a Fulcio request (untrusted): PEM, or base64 DER SPKI. Only key
 * types sigstore verifiers accept are certified: ECDSA P-256/P-384/P-521, Ed25519, RSA ≥ 2048.
 * @throws SignError SIGN_CSR_INVALID (details.reason `public-key` or `key-type`)
 */
export function parseClientPublicKey(content: string): KeyObject {
  let key: KeyObject;
  try {
    key = content.includes('-----BEGIN')
      ? createPublicKey(content)
      : createPublicKey({ key: Buffer.from(content, 'base64'), format: 'der', type: 'spki' });
  } catch (e) {
    throw csrError('public-key', 'The public key is not a PEM or DER SubjectPublicKeyInfo.', e);
  }
  assertCertifiableKey(key);
  return key;
}

/**
 * Checks the proof of possession: `signature` is the client's signature over `challenge` (the
 * token's email or subject) with the key being certified — what Fulcio's v2 publicKeyRequest
 * carries. ECDSA signatures are DER, hashed with the curve's SHA-2; Ed25519 signs the bytes.
 * @throws SignError SIGN_CSR_INVALID (details.reason `proof-of-possession`)
 */
export function verifyProofOfPossession(
  key: KeyObject,
  challenge: string,
  signature: Uint8Array,
): void {
  const data = Buffer.from(challenge, 'utf8');
  let ok = false;
  try {
    ok = verify(hashFor(key), data, key, signature);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw csrError(
      'proof-of-possession',
      "The proof of possession does not verify: sign the token's email (or subject) with the key being certified.",
    );
  }
}

/**
 * The public key of a PKCS#10 request (untrusted; PEM or DER), after checking the request's own
 * signature — a CSR is its own proof of possession. Its subject and extensions are ignored: the
 * certificate's contents come from the ID token alone, as in Fulcio.
 * @throws SignError SIGN_CSR_INVALID (details.reason `csr-malformed`, `proof-of-possession`, `key-type`)
 */
export async function publicKeyFromCsr(csr: Uint8Array | string): Promise<KeyObject> {
  let req: x509.Pkcs10CertificateRequest;
  try {
    req = new x509.Pkcs10CertificateRequest(
      typeof csr === 'string' ? csr : new Uint8Array(csr).buffer,
    );
  } catch (e) {
    throw csrError(
      'csr-malformed',
      'The certificate signing request is not PKCS#10 (PEM or DER).',
      e,
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(req.publicKey.rawData), format: 'der', type: 'spki' });
  } catch (e) {
    throw csrError('key-type', "The request's public key cannot be read.", e);
  }
  assertCertifiableKey(key);
  let ok = false;
  try {
    ok = await req.verify(WEBCRYPTO);
  } catch {
    ok = false;
  }
  if (!ok) throw csrError('proof-of-possession', "The request's signature does not verify.");
  return key;
}

/** SPKI DER of a key, the form certificates embed. */
export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

function assertCertifiableKey(key: KeyObject): void {
  const t = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const ok =
    t === 'ed25519' ||
    (t === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1' || curve === 'secp521r1')) ||
    ((t === 'rsa' || t === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048);
  if (!ok) {
    throw csrError(
      'key-type',
      `A ${t}${curve ? ` ${curve}` : ''} key is not certified: use ECDSA P-256/P-384/P-521, Ed25519 or RSA of 2048 bits or more.`,
    );
  }
}

// The digest each key type's signatures use in Sigstore (ECDSA by curve size; Ed25519 none).
function hashFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'sha384';
  if (curve === 'secp521r1') return 'sha512';
  return 'sha256';
}

function csrError(reason: string, message: string, cause?: unknown): SignError {
  return new SignError('SIGN_CSR_INVALID', message, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}
