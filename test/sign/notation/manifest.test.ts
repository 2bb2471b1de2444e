import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  NotationError,
  parseCertificate,
  parseEnvelope,
  parseNotationSignatureManifest,
  thumbprintsMatch,
} from '../../../src/sign/notation/index.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

// The two manifest forms of signature-specification "OCI Signatures" (its sample values), with the
// thumbprint notation-go's registry/repository_test.go records for jws_signature.sig's chain.
const THUMB = '9f5f5aecee24b5cfdc7a91f6d5ac5c3a5348feb17c934d403f59ac251549ea0d';
const layer = {
  mediaType: 'application/jose+json',
  digest: 'sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0',
  size: 32654,
};
const subject = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0',
  size: 481,
};
const v11 = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  artifactType: 'application/vnd.cncf.notary.signature',
  config: {
    mediaType: 'application/vnd.oci.empty.v1+json',
    digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    size: 2,
    data: 'e30=',
  },
  layers: [layer],
  subject,
  annotations: {
    'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify([THUMB.toUpperCase()]),
  },
};
const v10 = {
  ...v11,
  artifactType: undefined,
  config: { ...v11.config, mediaType: 'application/vnd.cncf.notary.signature' },
};
const bytes = (m: unknown) => Buffer.from(JSON.stringify(m));

describe('parseNotationSignatureManifest', () => {
  it('reads both forms and the thumbprints', () => {
    for (const m of [v11, v10]) {
      const r = parseNotationSignatureManifest(bytes(m));
      assert.deepEqual(r, { envelope: layer, subject, thumbprints: [THUMB] });
    }
  });
  it('ignores other referrers', () => {
    assert.equal(
      parseNotationSignatureManifest(
        bytes({ ...v11, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' }),
      ),
      undefined,
    );
  });
  it('refuses a malformed signature manifest', () => {
    expectCustodyError(
      () => parseNotationSignatureManifest(bytes({ ...v11, layers: [layer, layer] })),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
    expectCustodyError(
      () =>
        parseNotationSignatureManifest(
          bytes({ ...v11, config: { ...v11.config, mediaType: 'x' } }),
        ),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
    expectCustodyError(
      () =>
        parseNotationSignatureManifest(
          bytes({ ...v11, layers: [{ ...layer, mediaType: 'application/unsupported' }] }),
        ),
      NotationError,
      'SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED',
    );
    expectCustodyError(
      () =>
        parseNotationSignatureManifest(
          bytes({ ...v11, annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '[1]' } }),
        ),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
    expectCustodyError(
      () => parseNotationSignatureManifest(Buffer.from('{')),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
  });
  it('filters by trust store thumbprints (workflow step 3.2.2)', () => {
    const env = parseEnvelope(
      'application/jose+json',
      readFileSync(conformancePath('notation', 'go', 'internal', 'testdata', 'jws_signature.sig')),
    );
    const cert = parseCertificate(
      env.certificateChain[0] as Uint8Array,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
    const m = parseNotationSignatureManifest(bytes(v11));
    assert.ok(m);
    assert.equal(thumbprintsMatch(m.thumbprints, [cert]), true);
    assert.equal(thumbprintsMatch([`${'0'.repeat(64)}`], [cert]), false);
  });
});
