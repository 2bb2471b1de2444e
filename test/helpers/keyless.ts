import { sign as cryptoSign, generateKeyPairSync } from 'node:crypto';
import type { SerializedBundle } from '@sigstore/bundle';
import type { Signer } from '@sigstore/sign';
import type { Keyless } from '../../src/app/ca/open-keyless.js';
import { custodyLogWitness } from '../../src/net/log-witness.js';
import { loadBundleBuilder } from '../../src/sign/index.js';

/**
 * A keyless Sigstore bundle over `bytes`, made in process as `custody sign` makes one over HTTP:
 * an ID token from the dev issuer for `subject` (an email address becomes the certificate's
 * email SAN), an ephemeral P-256 key certified by the CA with a proof of possession, a message
 * signature, and (with `logUrl`) the signature logged in that Custody server's log.
 */
export async function keylessBundle(
  k: Keyless,
  o: { subject: string; bytes: Uint8Array; logUrl?: string },
): Promise<SerializedBundle> {
  const dev = k.devOidc;
  if (dev === undefined) throw new Error('the keyless test server runs no dev OIDC issuer');
  const email = o.subject.includes('@');
  const token = dev.mintToken({
    subject: o.subject,
    ...(email ? { claims: { email: o.subject, email_verified: true } } : {}),
  }).idToken;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issued = await k.ca.signingCertificate({
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: {
        algorithm: 'ECDSA',
        content: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
      proofOfPossession: cryptoSign('sha256', Buffer.from(o.subject), privateKey).toString(
        'base64',
      ),
    },
  });
  const leaf = issued.signedCertificateEmbeddedSct.chain.certificates[0] as string;
  const signer: Signer = {
    sign: async (data) => ({
      signature: cryptoSign('sha256', data, privateKey),
      key: { $case: 'x509Certificate', certificate: leaf },
    }),
  };
  const { buildMessageSignatureBundle } = await loadBundleBuilder();
  return buildMessageSignatureBundle(
    o.bytes,
    { signer, type: 'ecdsa-p256' },
    {
      witnesses: o.logUrl === undefined ? [] : [custodyLogWitness({ url: o.logUrl, retries: 0 })],
    },
  );
}
