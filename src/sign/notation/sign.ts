import { createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmOfKey } from './algorithm.js';
import { chainProblem, parseCertificate, validAt } from './certificate.js';
import { signCose } from './cose.js';
import {
  type ExtendedAttribute,
  MEDIA_TYPE_COSE,
  type MEDIA_TYPE_JWS,
  PAYLOAD_CONTENT_TYPE,
  type SigningScheme,
} from './envelope.js';
import { NotationError } from './errors.js';
import { signJws } from './jws.js';
import { buildNotationPayload, type TargetArtifact } from './payload.js';

export interface NotationSignRequest {
  /** The descriptor signed (the image manifest's, for OCI). */
  target: TargetArtifact;
  mediaType: typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE;
  key: KeyObject;
  /** DER certificates, signing certificate first, ending with the root. */
  chain: readonly Uint8Array[];
  signingTime: Date;
  signingScheme?: SigningScheme;
  expiry?: Date;
  extendedAttributes?: readonly ExtendedAttribute[];
  signingAgent?: string;
}

/**
 * Produces a Notary Project signature envelope (signing-and-verification-workflow "Signing
 * Steps"): the certificate and algorithm requirements are checked before signing.
 * @throws NotationError SIGN_NOTATION_KEY_INVALID, SIGN_NOTATION_CERTIFICATE_INVALID,
 *   SIGN_NOTATION_ALGORITHM_UNSUPPORTED
 */
export function signNotation(r: NotationSignRequest): Uint8Array {
  if (r.key.type !== 'private')
    throw new NotationError('SIGN_NOTATION_KEY_INVALID', 'Signing needs a private key.');
  const chain = r.chain.map((d) => parseCertificate(d, 'SIGN_NOTATION_CERTIFICATE_INVALID'));
  const leaf = chain[0];
  if (!leaf)
    throw new NotationError(
      'SIGN_NOTATION_CERTIFICATE_INVALID',
      'Signing needs the signing certificate and its chain.',
    );
  const alg = algorithmOfKey(r.key);
  const publicDer = createPublicKey(r.key).export({ type: 'spki', format: 'der' });
  if (!publicDer.equals(leaf.node.publicKey.export({ type: 'spki', format: 'der' })))
    throw new NotationError(
      'SIGN_NOTATION_KEY_INVALID',
      "The key is not the signing certificate's key.",
    );
  const signingTime = new Date(Math.floor(r.signingTime.getTime() / 1000) * 1000);
  const problem = chainProblem(chain, 'codeSigning', signingTime);
  if (problem)
    throw new NotationError(
      'SIGN_NOTATION_CERTIFICATE_INVALID',
      `The certificate chain does not meet the Notary Project requirements: ${problem}.`,
    );
  if (!validAt(leaf, signingTime))
    throw new NotationError(
      'SIGN_NOTATION_CERTIFICATE_INVALID',
      'The signing certificate is not valid at the signing time.',
    );
  if (r.expiry && r.expiry.getTime() <= signingTime.getTime())
    throw new NotationError(
      'SIGN_NOTATION_CERTIFICATE_INVALID',
      'The expiry must be after the signing time.',
    );
  const req = {
    payload: buildNotationPayload(r.target),
    contentType: PAYLOAD_CONTENT_TYPE,
    signingScheme: r.signingScheme ?? 'notary.x509',
    signingTime,
    key: r.key,
    alg,
    chain: r.chain,
    ...(r.expiry ? { expiry: r.expiry } : {}),
    ...(r.extendedAttributes ? { extendedAttributes: r.extendedAttributes } : {}),
    ...(r.signingAgent ? { signingAgent: r.signingAgent } : {}),
  };
  return r.mediaType === MEDIA_TYPE_COSE ? signCose(req) : signJws(req);
}
