import { createHash } from 'node:crypto';
import { loadCms, SignError } from '../../sign/index.js';
import type { GitSettings } from './git-settings.js';
import type { GitPorts } from './ports.js';
import { fingerprint } from './sign-commit.js';

/** Verify an armoured signature over `payload`. */
export async function gitVerify(
  signatureText: string,
  payload: Uint8Array,
  settings: GitSettings,
  ports: GitPorts,
): Promise<{
  identity: string;
  issuer: string | undefined;
  index: number;
  time: Date;
  fingerprint: string;
}> {
  const { dearmorSignedMessage, verifyDetached } = await loadCms();
  const cms = await verifyDetached(dearmorSignedMessage(signatureText), payload);
  const leaf = cms.chain[0];
  if (leaf === undefined)
    throw new SignError('SIGN_BUNDLE_MALFORMED', 'The signature carries no certificate.');
  const logged = await ports.verifyLogged(settings, {
    digestHex: createHash('sha256').update(cms.signedAttributes).digest('hex'),
    signature: cms.signature,
    chain: cms.chain,
  });
  return { ...logged, fingerprint: fingerprint(leaf) };
}
