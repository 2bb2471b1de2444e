import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, MessageSignatureBundleBuilder } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { openPkcs11Signer, type Pkcs11Signer } from '../../src/pkcs11/index.js';
import { publicKeyDetails } from '../../src/sign/keys.js';
import { createToken, SKIP, type TestToken } from './softhsm.js';

/**
 * End to end: a key generated inside SoftHSM2 signs through @sigstore/sign's bundle builders, and
 * @sigstore/verify, given only the public key the signer exported, verifies the bundles offline.
 */

const BLOB = Buffer.from('a release binary\n');

/** @sigstore/verify trusting exactly this key (by hint), no log: keyed, offline. */
function verifierFor(signer: Pkcs11Signer): Verifier {
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const keys = {
    [signer.hint]: {
      rawBytes: signer.publicKey.export({ type: 'spki', format: 'der' }),
      keyDetails: publicKeyDetails(signer.type),
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: protobuf-specs' PublicKey from JSON-ish values
  return new Verifier(toTrustMaterial(root, keys as any), {
    ctlogThreshold: 0,
    tlogThreshold: 0,
    timestampThreshold: 0,
  });
}

let token: TestToken | undefined;
let signer: Pkcs11Signer | undefined;
afterEach(async () => {
  await signer?.close();
  signer = undefined;
  token?.remove();
  token = undefined;
});

describe('HSM key → @sigstore/sign → @sigstore/verify', { skip: SKIP }, () => {
  it('a message-signature bundle verifies with the exported public key, and not for another blob', async () => {
    token = createToken();
    token.generateEcKey({ label: 'release-signing', id: '0a0b' });
    signer = await openPkcs11Signer(token.uri('object=release-signing;type=private'), {});
    const bundle = await new MessageSignatureBundleBuilder({ signer, witnesses: [] }).create({
      data: BLOB,
    });
    assert.equal(bundle.verificationMaterial.content.$case, 'publicKey');
    const verifier = verifierFor(signer);
    verifier.verify(toSignedEntity(bundle, BLOB));
    // Through JSON, as a bundle file carries it.
    verifier.verify(toSignedEntity(bundleFromJSON(bundleToJSON(bundle)), BLOB));
    assert.throws(() => verifier.verify(toSignedEntity(bundle, Buffer.from('another blob'))));
  });

  it('a DSSE bundle verifies too', async () => {
    token = createToken();
    token.generateEcKey({ label: 'attest', id: '0c' });
    signer = await openPkcs11Signer(token.uri('id=%0C'), {});
    const bundle = await new DSSEBundleBuilder({ signer, witnesses: [] }).create({
      data: Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1' })),
      type: 'application/vnd.in-toto+json',
    });
    verifierFor(signer).verify(toSignedEntity(bundle));
  });
});
