import assert from 'node:assert/strict';
import { sign as cryptoSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { call, startServer, type TestServer } from '../helpers/server.js';

/**
 * Sigstore's own JavaScript libraries against `custody serve` as a private Rekor: @sigstore/sign
 * 4.1 logs its bundles' signatures through Custody's Rekor v1 API, and @sigstore/verify 3.1
 * verifies them (signed entry timestamp, checkpoint signature, inclusion proof, entry body) with
 * nothing but the `tlogs[]` entry Custody publishes at /api/v1/tlog.
 */

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
const ARTIFACT_KEY: KeyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const HINT = 'custody-interop-key';
const ARTIFACT = { data: Buffer.from('hello from sigstore-js\n') };
const STATEMENT = {
  data: Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'a.txt', digest: { sha256: '00'.repeat(32) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {},
    }),
  ),
  type: 'application/vnd.in-toto+json',
};

function signer(k: KeyPair) {
  const publicKey = k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return {
    sign: async (data: Buffer) => ({
      signature: cryptoSign('sha256', data, k.privateKey),
      key: { $case: 'publicKey' as const, publicKey, hint: HINT },
    }),
  };
}

/** A verifier trusting exactly Custody's log (as published by it) and the artifact key. */
async function verifierFor(srv: TestServer): Promise<Verifier> {
  const info = (await call(srv, 'GET', '/api/v1/tlog')).json;
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [info.trustedRootTlog],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const keys = {
    [HINT]: {
      rawBytes: ARTIFACT_KEY.publicKey.export({ type: 'spki', format: 'der' }),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: new Date(0) },
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: protobuf-specs' PublicKey, built from JSON-ish values
  return new Verifier(toTrustMaterial(root, keys as any), { ctlogThreshold: 0, tlogThreshold: 1 });
}

for (const keyType of ['ed25519', 'ecdsa-p256'] as const) {
  for (const backend of ['sqlite', 'postgres'] as const) {
    describe(`@sigstore/sign → custody serve (${keyType} log key, ${backend}) → @sigstore/verify`, () => {
      let srv: TestServer;
      before(async () => {
        srv = await startServer(backend, { tlog: { ratePerClient: 0 }, tlogLog: { keyType } });
      });
      after(async () => srv.close());
      const witness = () => new RekorWitness({ rekorBaseURL: srv.base, retry: 0 });

      it('a message-signature (hashedrekord) bundle verifies offline from the published log key', async () => {
        // Earlier entries, so the proof has inner and border hashes.
        for (let i = 0; i < 5; i++)
          await new MessageSignatureBundleBuilder({
            signer: signer(ARTIFACT_KEY),
            witnesses: [witness()],
          }).create({
            data: Buffer.from(`filler ${i}`),
          });
        const bundle = await new MessageSignatureBundleBuilder({
          signer: signer(ARTIFACT_KEY),
          witnesses: [witness()],
        }).create(ARTIFACT);
        const entry = bundle.verificationMaterial.tlogEntries[0];
        assert.equal(entry?.kindVersion?.kind, 'hashedrekord');
        assert.ok(entry?.inclusionPromise, 'a signed entry timestamp');
        assert.ok(entry?.inclusionProof?.checkpoint, 'an inclusion proof with a checkpoint');
        assert.equal(entry?.logIndex, '5');
        const verifier = await verifierFor(srv);
        verifier.verify(toSignedEntity(bundle, ARTIFACT.data));
        // The same bundle through JSON, as a file would carry it.
        verifier.verify(toSignedEntity(bundleFromJSON(bundleToJSON(bundle)), ARTIFACT.data));
        assert.throws(() =>
          verifier.verify(toSignedEntity(bundle, Buffer.from('another artifact'))),
        );
      });

      it('a DSSE (in-toto) bundle verifies', async () => {
        const bundle = await new DSSEBundleBuilder({
          signer: signer(ARTIFACT_KEY),
          witnesses: [witness()],
        }).create(STATEMENT);
        assert.equal(bundle.verificationMaterial.tlogEntries[0]?.kindVersion?.kind, 'dsse');
        (await verifierFor(srv)).verify(toSignedEntity(bundle));
      });

      it('a bundle whose inclusion proof or checkpoint was tampered with does not verify', async () => {
        type Json = {
          verificationMaterial: {
            tlogEntries: Array<{
              inclusionProof: { hashes: string[]; checkpoint: { envelope: string } };
            }>;
          };
        };
        const bundle = bundleToJSON(
          await new MessageSignatureBundleBuilder({
            signer: signer(ARTIFACT_KEY),
            witnesses: [witness()],
          }).create(ARTIFACT),
        ) as unknown as Json;
        const verifier = await verifierFor(srv);
        const proof = structuredClone(bundle);
        const p = proof.verificationMaterial.tlogEntries[0]?.inclusionProof;
        assert.ok(p && p.hashes.length > 0);
        const h = Buffer.from(p.hashes[0] as string, 'base64');
        h[0] = (h[0] as number) ^ 1;
        p.hashes[0] = h.toString('base64');
        assert.throws(() =>
          verifier.verify(toSignedEntity(bundleFromJSON(proof as never), ARTIFACT.data)),
        );
        const cp = structuredClone(bundle);
        const c = cp.verificationMaterial.tlogEntries[0]?.inclusionProof.checkpoint;
        assert.ok(c);
        c.envelope = c.envelope.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`);
        assert.throws(() =>
          verifier.verify(toSignedEntity(bundleFromJSON(cp as never), ARTIFACT.data)),
        );
      });

      it('the entries the libraries logged are readable through Rekor and tile reads', async () => {
        const info = (await call(srv, 'GET', '/api/v1/log')).json;
        assert.ok(info.treeSize >= 8);
        const first = await call(srv, 'GET', '/api/v1/log/entries?logIndex=0');
        const [uuid] = Object.keys(first.json);
        const byUuid = await call(srv, 'GET', `/api/v1/log/entries/${uuid}`);
        assert.equal(byUuid.status, 200);
        assert.equal(
          (await call(srv, 'GET', `/tlog/tile/entries/000.p/${info.treeSize}`)).status,
          200,
        );
      });
    });
  }
}
