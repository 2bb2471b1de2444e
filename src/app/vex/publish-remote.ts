import { createHash } from 'node:crypto';
import { SignError } from '../../sign/index.js';
import type { CustodyClient } from '../remote.js';
import type { KeyedSigningOptions } from '../sign/open-signer.js';
import { signBytes } from '../sign/sign-artifact.js';
import type { VexPublicationView } from './publication-view.js';
import type { VexPublishFormat } from './render-document.js';

export interface RemoteKeylessPublishOptions {
  product: string;
  format: VexPublishFormat;
  /** How to sign: keyless (an OIDC identity token and the service's CA), logged at `url`. */
  signing: KeyedSigningOptions;
}

/**
 * `custody vex publish --keyless`: the service prepares the document, the caller signs its exact
 * bytes with a short-lived certificate for their identity (as `custody sign` does, logged in the
 * service's log), and the service completes the publication with that bundle.
 * @throws SignError SIGN_ARTIFACT_MISMATCH (the document received is not the one the service
 *   named), SIGN_TOKEN_INVALID, SIGN_SERVICE_FAILED; ApiError with the service's codes
 *   (VEX_BUNDLE_UNVERIFIED, VEX_SIGNER_NOT_ADMITTED, VEX_SIGNER_NOT_CALLER, …)
 */
export async function publishVexKeylessRemote(
  client: CustodyClient,
  o: RemoteKeylessPublishOptions,
): Promise<VexPublicationView> {
  const product = encodeURIComponent(o.product);
  const { body: prepared } = await client.request<VexPublicationView>(
    'POST',
    `/api/v1/vex/${product}/publications`,
    { body: { format: o.format, signing: 'keyless' } },
  );
  const bytes = new Uint8Array(Buffer.from(prepared.document ?? '', 'utf8'));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  // Sign only what the service said it prepared: a document altered on the way is not signed.
  if (digest !== prepared.digest) {
    throw new SignError(
      'SIGN_ARTIFACT_MISMATCH',
      `The document received for publication ${prepared.id} is ${digest}, not ${prepared.digest} as the service said; nothing was signed`,
      { details: { expected: prepared.digest, received: digest } },
    );
  }
  const signed = await signBytes(bytes, o.signing, `${o.product}.${o.format}.json`);
  const { body } = await client.request<VexPublicationView>(
    'POST',
    `/api/v1/vex/${product}/publications/${prepared.id}/bundle`,
    { body: JSON.stringify(signed.bundle), contentType: 'application/json' },
  );
  return body;
}
