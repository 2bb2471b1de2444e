import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import fc from 'fast-check';
import { publicGoodTrustedRoot } from '../../../src/fs/trusted-root-files.js';
import { assertEntryMatches } from '../../../src/sign/verify/body.js';
import type { DsseContent } from '../../../src/sign/verify/bundle.js';
import { verifyBundle } from '../../../src/sign/verify/index.js';
import { conformancePath } from '../../helpers/conformance.js';

/**
 * Rekor intoto/0.0.1 entries (cosign 1.x): real ones, from the attestation layers cosign saved
 * for slsa-github-generator's container generator v1.4.0 and v1.9.0 (slsa-verifier's testdata),
 * checked against the layer's envelope and certificate; then the same entry with one field
 * changed at a time.
 */
const SUITE = conformancePath(
  'slsa/slsa-verifier/cli/slsa-verifier/testdata/gha_generic_container',
);
const POLICY = {
  identityRegexp:
    '^https://github\\.com/slsa-framework/slsa-github-generator/\\.github/workflows/generator_container_slsa3\\.yml@refs/tags/v',
  issuer: 'https://token.actions.githubusercontent.com',
};

interface Layer {
  envelope: Buffer;
  certificatePem: string;
  rekor: { SignedEntryTimestamp: string; Payload: Record<string, unknown> & { body: string } };
}

function attestationLayer(version: string): Layer {
  const dir = join(SUITE, version, 'container_workflow_dispatch');
  const blob = (digest: string) => readFileSync(join(dir, 'blobs/sha256', digest.slice(7)));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const atts = index.manifests.find(
    (m: { annotations: Record<string, string> }) =>
      m.annotations['kind'] === 'dev.cosignproject.cosign/atts',
  );
  const layer = JSON.parse(blob(atts.digest).toString('utf8')).layers[0];
  return {
    envelope: blob(layer.digest),
    certificatePem: layer.annotations['dev.sigstore.cosign/certificate'],
    rekor: JSON.parse(layer.annotations['dev.sigstore.cosign/bundle']),
  };
}

const v14 = attestationLayer('v1.4.0');
const v19 = attestationLayer('v1.9.0');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function contentOf(layer: Layer): DsseContent {
  const env = JSON.parse(layer.envelope.toString('utf8'));
  return {
    kind: 'dsse',
    payloadType: env.payloadType,
    payload: Buffer.from(env.payload, 'base64'),
    signature: Buffer.from(env.signatures[0].sig, 'base64'),
  };
}

const certificate = (layer: Layer) => ({
  certificate: new Uint8Array(new X509Certificate(layer.certificatePem).raw),
});

// biome-ignore lint/suspicious/noExplicitAny: the entry body, changed field by field below
type Body = any;
const bodyOf = (layer: Layer): Body =>
  JSON.parse(Buffer.from(layer.rekor.Payload.body, 'base64').toString('utf8'));

function entry(body: Body | string, kind = 'intoto', version = '0.0.1'): TransparencyLogEntry {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    canonicalizedBody: Buffer.from(text, 'utf8'),
    kindVersion: { kind, version },
  } as unknown as TransparencyLogEntry;
}

function edited(edit: (b: Body) => void): TransparencyLogEntry {
  const b = bodyOf(v14);
  edit(b);
  return entry(b);
}

const refused = (fn: () => void, message: RegExp) =>
  assert.throws(fn, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, 'SIGN_TLOG_ENTRY_MISMATCH');
    assert.match(e.message ?? '', message);
    return true;
  });

describe('Rekor intoto/0.0.1 entries', () => {
  it('the recorded entries are intoto/0.0.1 with the three fields Rekor canonicalizes', () => {
    for (const layer of [v14, v19]) {
      const b = bodyOf(layer);
      assert.equal(`${b.kind}/${b.apiVersion}`, 'intoto/0.0.1');
      assert.deepEqual(Object.keys(b.spec).sort(), ['content', 'publicKey']);
      assert.deepEqual(Object.keys(b.spec.content).sort(), ['hash', 'payloadHash']);
      // The envelope hash is the layer's digest: cosign uploaded the layer's bytes.
      assert.equal(b.spec.content.hash.value, sha256(layer.envelope));
    }
  });

  it('a real entry matches its envelope and certificate, with and without the uploaded bytes', () => {
    for (const layer of [v14, v19]) {
      const e = entry(bodyOf(layer));
      assertEntryMatches(e, contentOf(layer), certificate(layer));
      assertEntryMatches(e, contentOf(layer), certificate(layer), layer.envelope);
    }
  });

  it('verifies end to end (signed entry timestamp, certificate, identity) as a v0.1 bundle', () => {
    const trust = publicGoodTrustedRoot();
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
      verificationMaterial: {
        x509CertificateChain: {
          certificates: [
            { rawBytes: Buffer.from(certificate(v14).certificate).toString('base64') },
          ],
        },
        tlogEntries: [
          {
            logIndex: String(v14.rekor.Payload['logIndex']),
            logId: {
              keyId: Buffer.from(String(v14.rekor.Payload['logID']), 'hex').toString('base64'),
            },
            kindVersion: { kind: 'intoto', version: '0.0.1' },
            integratedTime: String(v14.rekor.Payload['integratedTime']),
            inclusionPromise: { signedEntryTimestamp: v14.rekor.SignedEntryTimestamp },
            canonicalizedBody: v14.rekor.Payload.body,
          },
        ],
      },
      dsseEnvelope: JSON.parse(v14.envelope.toString('utf8')),
    };
    const v = verifyBundle(bundle, undefined, POLICY, trust, { dsseEnvelopeBytes: v14.envelope });
    assert.match(v.signer.identity ?? '', /generator_container_slsa3\.yml@refs\/tags\/v1\.4\.0$/);
    assert.equal(v.tlogIndices.length, 1);
    assert.throws(
      () =>
        verifyBundle(bundle, undefined, POLICY, trust, {
          dsseEnvelopeBytes: Buffer.concat([v14.envelope, Buffer.from('\n')]),
        }),
      { code: 'SIGN_TLOG_ENTRY_MISMATCH' },
    );
  });

  it('a payload hash of another payload is refused', () => {
    refused(
      () =>
        assertEntryMatches(
          edited((b) => {
            b.spec.content.payloadHash.value = sha256(contentOf(v19).payload);
          }),
          contentOf(v14),
          certificate(v14),
        ),
      /payload hash/,
    );
    // The v1.9.0 entry against the v1.4.0 envelope (and its own certificate): refused.
    refused(
      () => assertEntryMatches(entry(bodyOf(v19)), contentOf(v14), certificate(v19)),
      /payload hash/,
    );
    refused(
      () =>
        assertEntryMatches(
          edited((b) => {
            b.spec.content.payloadHash.algorithm = 'sha512';
          }),
          contentOf(v14),
          certificate(v14),
        ),
      /payload hash/,
    );
  });

  it('another certificate is refused', () => {
    refused(
      () => assertEntryMatches(entry(bodyOf(v14)), contentOf(v14), certificate(v19)),
      /key is not the bundle's signer/,
    );
    refused(
      () =>
        assertEntryMatches(
          edited((b) => {
            b.spec.publicKey = Buffer.from(v19.certificatePem).toString('base64');
          }),
          contentOf(v14),
          certificate(v14),
        ),
      /key is not the bundle's signer/,
    );
  });

  it('uploaded bytes that are not the logged envelope, or not the bundle’s envelope, are refused', () => {
    const e = entry(bodyOf(v14));
    refused(
      () =>
        assertEntryMatches(
          e,
          contentOf(v14),
          certificate(v14),
          Buffer.concat([Buffer.from(' '), v14.envelope]),
        ),
      /envelope hash/,
    );
    // Bytes that hash to what was logged but are not the envelope being verified.
    const other = Buffer.from(
      JSON.stringify({ ...JSON.parse(v14.envelope.toString('utf8')), payloadType: 'text/plain' }),
    );
    refused(
      () =>
        assertEntryMatches(
          edited((b) => {
            b.spec.content.hash.value = sha256(other);
          }),
          contentOf(v14),
          certificate(v14),
          other,
        ),
      /not the bundle's DSSE envelope/,
    );
  });

  it('malformed bodies are refused with the same code', () => {
    const c = contentOf(v14);
    const k = certificate(v14);
    refused(() => assertEntryMatches(entry('{"kind":'), c, k), /not JSON/);
    refused(() => assertEntryMatches(entry(bodyOf(v14), 'intoto', '0.0.3'), c, k), /0\.0\.1/);
    refused(
      () => assertEntryMatches(entry({ ...bodyOf(v14), apiVersion: '0.0.2' }), c, k),
      /not intoto\/0\.0\.1/,
    );
    const cases: Array<[string, (b: Body) => void, RegExp]> = [
      ['no spec', (b) => delete b.spec, /key/],
      ['no content', (b) => delete b.spec.content, /payload hash/],
      ['no envelope hash', (b) => delete b.spec.content.hash, /envelope hash/],
      ['envelope hash not hex', (b) => (b.spec.content.hash.value = 'zz'), /envelope hash/],
      ['envelope hash too short', (b) => (b.spec.content.hash.value = 'abcd'), /envelope hash/],
      ['envelope hash md5', (b) => (b.spec.content.hash.algorithm = 'md5'), /envelope hash/],
      ['public key not PEM', (b) => (b.spec.publicKey = 'bm90IGEgUEVN'), /key/],
      ['public key a number', (b) => (b.spec.publicKey = 7), /key/],
      ['payload hash a list', (b) => (b.spec.content.payloadHash = []), /payload hash/],
    ];
    for (const [name, edit, message] of cases) {
      assert.doesNotThrow(
        () => refused(() => assertEntryMatches(edited(edit), c, k), message),
        name,
      );
    }
    // A message signature logged as intoto: refused.
    refused(
      () =>
        assertEntryMatches(
          entry(bodyOf(v14)),
          { kind: 'message', digestAlgorithm: 'sha256', digest: c.payload, signature: c.signature },
          k,
        ),
      /DSSE envelope/,
    );
  });

  it('property: any body is refused with SIGN_TLOG_ENTRY_MISMATCH or matches, never crashes', () => {
    const c = contentOf(v14);
    const k = certificate(v14);
    const real = bodyOf(v14);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            kind: fc.constant('intoto'),
            apiVersion: fc.constant('0.0.1'),
            spec: fc.jsonValue(),
          }),
          fc.record({
            kind: fc.constant('intoto'),
            apiVersion: fc.constant('0.0.1'),
            spec: fc.record({
              publicKey: fc.constant(real.spec.publicKey),
              content: fc.jsonValue(),
            }),
          }),
        ),
        fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
        (body, bytes) => {
          try {
            assertEntryMatches(entry(body as Body), c, k, bytes);
            assert.fail(`accepted ${JSON.stringify(body)}`);
          } catch (e) {
            assert.equal((e as { code?: string }).code, 'SIGN_TLOG_ENTRY_MISMATCH', String(e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Rekor intoto/0.0.2 entries (still handled)', () => {
  const bundle = JSON.parse(
    readFileSync(conformancePath('sigstore', 'real-bundles', 'bundleV02-intoto.sigstore'), 'utf8'),
  );
  const tlog = bundle.verificationMaterial.tlogEntries[0];
  const e = {
    canonicalizedBody: Buffer.from(tlog.canonicalizedBody, 'base64'),
    kindVersion: tlog.kindVersion,
  } as unknown as TransparencyLogEntry;
  const env = bundle.dsseEnvelope;
  const content: DsseContent = {
    kind: 'dsse',
    payloadType: env.payloadType,
    payload: Buffer.from(env.payload, 'base64'),
    signature: Buffer.from(env.signatures[0].sig, 'base64'),
  };
  const chain = bundle.verificationMaterial.x509CertificateChain.certificates;
  const key = { certificate: new Uint8Array(Buffer.from(chain[0].rawBytes, 'base64')) };

  it('a real entry matches; another payload does not', () => {
    assert.equal(`${tlog.kindVersion.kind}/${tlog.kindVersion.version}`, 'intoto/0.0.2');
    assertEntryMatches(e, content, key);
    refused(
      () => assertEntryMatches(e, { ...content, payload: Buffer.from('{}') }, key),
      /payload hash/,
    );
  });
});
