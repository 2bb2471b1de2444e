import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EvidencePiece } from '../../src/app/oci/evidence.js';
import { cosignAttestationVerifier } from '../../src/app/oci/verifiers.js';
import { readTrustedRoots } from '../../src/fs/trusted-root-files.js';
import { HttpClient } from '../../src/net/http.js';
import {
  COSIGN_ANNOTATION,
  cosignTag,
  MEDIA,
  parseManifest,
  RegistryClient,
  readCosignLayout,
  readCosignTag,
  readOciLayout,
} from '../../src/oci/index.js';
import { CONFORMANCE } from '../helpers/conformance.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * Real cosign material: the layouts `cosign save` wrote for slsa-github-generator's container
 * builds (slsa-verifier's testdata, one per generator release) and the recorded manifests in
 * conformance/oci. Custody finds each attestation as cosign does — by the layout's `kind`
 * annotations, and by the `sha256-<hex>.att` tag once pushed to docker-registry — and verifies
 * its DSSE signature, Fulcio certificate and Rekor signed entry timestamp against the public-good
 * trusted root with the generator's identity.
 */
const SUITE = join(
  CONFORMANCE,
  'slsa/slsa-verifier/cli/slsa-verifier/testdata/gha_generic_container',
);
const VERSIONS = readdirSync(SUITE).filter((v) =>
  readdirSync(join(SUITE, v)).includes('container_workflow_dispatch'),
);
/** Releases whose attestations Rekor logged as intoto/0.0.1 (read from their bundle annotations). */
const INTOTO_001 = new Set(['v1.4.0', 'v1.5.0', 'v1.6.0', 'v1.7.0', 'v1.8.0', 'v1.9.0']);
const POLICY = {
  identityRegexp:
    '^https://github\\.com/slsa-framework/slsa-github-generator/\\.github/workflows/generator_container_slsa3\\.yml@refs/tags/v',
  issuer: 'https://token.actions.githubusercontent.com',
};

describe('cosign-made attestations (slsa-github-generator container builds)', () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  const trust = readTrustedRoots([], process.cwd());

  before(async () => {
    reg = await startRegistry();
    client = new RegistryClient({
      http: new HttpClient({ retries: 0, breaker: false }),
      allowed: (r) => r === reg.host,
    });
  });
  after(() => reg.stop());

  it(`the suite has its layouts (${VERSIONS.length})`, () => assert.ok(VERSIONS.length >= 9));

  for (const version of VERSIONS) {
    it(`${version}: found by kind in the layout and by the .att tag in a registry; verified (v1.4–v1.9 logged as Rekor intoto/0.0.1)`, async () => {
      const dir = join(SUITE, version, 'container_workflow_dispatch');
      const expected = readFileSync(
        join(SUITE, version, 'container_workflow_dispatch.digest'),
        'utf8',
      ).trim();
      const layout = readOciLayout(dir);
      const saved = readCosignLayout(layout);
      assert.equal(saved.image.digest, expected);
      assert.ok(saved.attestations, 'cosign saved attestations');
      // The attestation manifest, as cosign keeps it under sha256-<hex>.att.
      const attBytes = layout.blob(saved.attestations.digest);
      const att = parseManifest(attBytes, saved.attestations.mediaType);
      assert.equal(att.kind, 'manifest');
      const repo = { registry: reg.host, repository: `slsa/${version.replaceAll('.', '-')}` };
      if (att.kind !== 'manifest') return;
      for (const d of [att.manifest.config, ...att.manifest.layers])
        await client.pushBlob(repo, layout.blob(d.digest), d.mediaType);
      await client.putManifest(repo, cosignTag(expected, 'att'), attBytes, MEDIA.ociManifest);
      const tagged = await readCosignTag(client, repo, expected, 'att');
      assert.equal(tagged?.digest, saved.attestations.digest);
      if (tagged?.parsed.kind !== 'manifest') return;
      for (const layer of tagged.parsed.manifest.layers) {
        assert.equal(layer.mediaType, MEDIA.dsseEnvelope);
        // cosign wrote the predicateType annotation from 1.6 on (slsa-github-generator v1.6.0).
        const annotated = layer.annotations?.[COSIGN_ANNOTATION.predicateType];
        if (annotated !== undefined) assert.match(annotated, /^https:\/\/slsa\.dev\/provenance\//);
        const piece: EvidencePiece = {
          kind: 'attestation',
          source: 'cosign-tag',
          manifestDigest: tagged.digest,
          tag: cosignTag(expected, 'att'),
          layer,
          bytes: await client.getBlob(repo, layer.digest),
        };
        const ctx = {
          imageDigest: expected,
          imageReference: `127.0.0.1/slsa@${expected}`,
          policy: POLICY,
          trust,
          options: {},
          now: new Date(),
        };
        const v = await cosignAttestationVerifier.verify(piece, ctx);
        // The layer's bundle annotation names the Rekor entry kind cosign logged it as.
        const loggedKind = JSON.parse(
          Buffer.from(
            JSON.parse(layer.annotations?.[COSIGN_ANNOTATION.bundle] ?? '{}').Payload.body,
            'base64',
          ).toString('utf8'),
        );
        assert.equal(
          `${loggedKind.kind}/${loggedKind.apiVersion}` === 'intoto/0.0.1',
          INTOTO_001.has(version),
        );
        if (INTOTO_001.has(version)) {
          // intoto 0.0.1 logs the SHA-256 of the envelope as uploaded (the layer): the same
          // envelope with one more byte of whitespace parses the same but is not what was logged.
          const respaced = await cosignAttestationVerifier.verify(
            { ...piece, bytes: Buffer.concat([piece.bytes, Buffer.from(' ')]) },
            ctx,
          );
          assert.equal(
            respaced.status === 'failed' && respaced.code,
            'SIGN_TLOG_ENTRY_MISMATCH',
            JSON.stringify(respaced),
          );
          assert.match(respaced.status === 'failed' ? respaced.message : '', /envelope hash/);
        }
        assert.equal(v.status, 'verified', JSON.stringify(v));
        if (v.status === 'verified') {
          assert.match(v.signer.identity ?? '', /generator_container_slsa3\.yml@refs\/tags\/v/);
          assert.equal(v.signer.issuer, POLICY.issuer);
          assert.match(v.predicateType ?? '', /^https:\/\/slsa\.dev\/provenance\//);
        }
        // Another identity, and another image: refused.
        const other = await cosignAttestationVerifier.verify(piece, {
          ...ctx,
          policy: { ...POLICY, identityRegexp: '^https://github\\.com/mallory/' },
        });
        assert.equal(other.status === 'failed' && other.code, 'SIGN_IDENTITY_MISMATCH');
        const elsewhere = await cosignAttestationVerifier.verify(piece, {
          ...ctx,
          imageDigest: `sha256:${'a'.repeat(64)}`,
        });
        assert.equal(elsewhere.status === 'failed' && elsewhere.code, 'SIGN_ATTESTATION_MISMATCH');
      }
    });
  }

  it('the recorded cosign .att manifest and cosign layout index parse; the layer is its DSSE envelope', () => {
    const oci = join(CONFORMANCE, 'oci');
    const m = parseManifest(readFileSync(join(oci, 'real-cosign-att-manifest.json')));
    assert.equal(m.kind === 'manifest' && m.manifest.layers[0]?.mediaType, MEDIA.dsseEnvelope);
    const layer = readFileSync(join(oci, 'real-cosign-att-layer.dsse.json'));
    assert.equal(
      m.kind === 'manifest' && m.manifest.layers[0]?.digest,
      `sha256:${createHash('sha256').update(layer).digest('hex')}`,
    );
    const idx = parseManifest(readFileSync(join(oci, 'real-cosign-oci-layout-index.json')));
    assert.equal(idx.kind, 'index');
    const bk = parseManifest(readFileSync(join(oci, 'real-buildkit-attestation-manifest.json')));
    assert.equal(
      bk.kind === 'manifest' && bk.manifest.layers[0]?.annotations?.['in-toto.io/predicate-type'],
      'https://slsa.dev/provenance/v0.2',
    );
  });
});
