import { createHash } from 'node:crypto';
import { loadCms, SignError } from '../../sign/index.js';
import type { GitSettings } from './git-settings.js';
import { gpgStatus } from './gpg-args.js';
import type { GitPorts } from './ports.js';

/**
 * Commits signed as gitsign signs them: git calls `custody-gitsign` (gpg.format x509,
 * gpg.x509.program custody-gitsign) with gpg's arguments; Custody gets a 10-minute certificate
 * for the caller's OIDC identity from its certificate authority, writes a detached CMS signature,
 * and logs the signature in its transparency log. Verification (git verify-commit, or
 * `custody git verify <commit>`) checks the CMS signature, the certificate chain to a trusted
 * authority, the identity policy, and the log entry, whose integrated time is when the
 * short-lived certificate must have been valid.
 */

export const certificatePem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${(
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n')}\n-----END CERTIFICATE-----\n`;

/** gpg's fingerprint of a certificate, as git shows it: the first 40 hex digits of its SHA-256. */
export function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().slice(0, 40);
}

/** Sign `payload` keylessly; returns the armoured signature and the status lines for git. */
export async function gitSign(
  payload: Uint8Array,
  settings: GitSettings,
  ports: GitPorts,
  now: Date,
): Promise<{ armored: string; status: string; index: number }> {
  // pkijs loads only when a commit is signed or verified, not with every command.
  const { armorSignedMessage, signDetached } = await loadCms();
  const signer = await ports.keylessSigner(settings);
  const signed = await signDetached(payload, signer, now);
  const leaf = signed.chain[0];
  if (leaf === undefined)
    throw new SignError('SIGN_CSR_INVALID', 'The CA returned no certificate.');
  const index = await ports.logSignature(settings, {
    digestHex: createHash('sha256').update(signed.signedAttributes).digest('hex'),
    signature: signed.signature,
    certificatePem: certificatePem(leaf),
  });
  return {
    armored: armorSignedMessage(signed.der),
    status: gpgStatus.sigCreated(fingerprint(leaf), now),
    index,
  };
}
