import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  assertBundleLatest,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  type SerializedBundle,
} from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import type { Witness } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import {
  buildAttestationBundle,
  buildDsseBundle,
  buildMessageSignatureBundle,
} from '../../../src/sign/bundle-builder.js';
import { SignError } from '../../../src/sign/errors.js';
import {
  generateKey,
  KEY_TYPES,
  type KeyType,
  loadSigningKey,
  publicKeyDetails,
  type SigningKey,
} from '../../../src/sign/keys.js';
import {
  buildStatement,
  IN_TOTO_PAYLOAD_TYPE,
  parseStatement,
  subjectFromBytes,
} from '../../../src/sign/statement.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';

const KEYS = new Map<KeyType, SigningKey>(
  KEY_TYPES.map((t) => [t, loadSigningKey(generateKey(t).privatePem)]),
);
const key = (t: KeyType) => KEYS.get(t) as SigningKey;
const ARTIFACT = Buffer.from('release artifact bytes\n');

/** @sigstore/verify trusting exactly these keys (by hint) and no log: keyed, offline. */
function verifierFor(...keys: SigningKey[]): Verifier {
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const map = Object.fromEntries(
    keys.map((k) => [
      k.hint,
      {
        rawBytes: k.publicKey.export({ type: 'spki', format: 'der' }),
        keyDetails: publicKeyDetails(k.type),
      },
    ]),
  );
  // biome-ignore lint/suspicious/noExplicitAny: protobuf-specs' PublicKey from JSON-ish values
  return new Verifier(toTrustMaterial(root, map as any), {
    ctlogThreshold: 0,
    tlogThreshold: 0,
    timestampThreshold: 0,
  });
}

const verify = (v: Verifier, b: SerializedBundle, artifact?: Buffer) =>
  v.verify(toSignedEntity(bundleFromJSON(b), artifact));

describe('buildMessageSignatureBundle', () => {
  for (const t of ['ecdsa-p256', 'ecdsa-p384', 'rsa-3072'] as const) {
    it(`${t}: a v0.3 bundle naming the key by hint that @sigstore/verify verifies`, async () => {
      const b = await buildMessageSignatureBundle(ARTIFACT, key(t));
      assert.equal(b.mediaType, BUNDLE_V03_MEDIA_TYPE);
      assertBundleLatest(bundleFromJSON(b));
      assert.equal(b.verificationMaterial.publicKey?.hint, key(t).hint);
      // proto3 JSON leaves out empty lists.
      assert.equal(b.verificationMaterial.tlogEntries, undefined);
      assert.equal(
        b.messageSignature?.messageDigest?.digest,
        createHash('sha256').update(ARTIFACT).digest('base64'),
      );
      assert.equal(b.messageSignature?.messageDigest?.algorithm, 'SHA2_256');
      const v = verifierFor(key(t));
      verify(v, b, ARTIFACT);
      assert.throws(() => verify(v, b, Buffer.from('another artifact')));
    });
  }

  it('a signature by another key does not verify under this key', async () => {
    const b = await buildMessageSignatureBundle(ARTIFACT, key('ecdsa-p256'));
    const other = loadSigningKey(generateKey('ecdsa-p256').privatePem);
    // Same hint, other key: the verifier is told this hint is `other`.
    const forged = verifierFor({ ...other, hint: key('ecdsa-p256').hint });
    assert.throws(() => verify(forged, b, ARTIFACT), /signature verification failed/);
    assert.throws(() => verify(verifierFor(other), b, ARTIFACT), /key not found/);
  });

  it('a flipped signature bit does not verify', async () => {
    const b = await buildMessageSignatureBundle(ARTIFACT, key('ecdsa-p384'));
    const sig = Buffer.from(b.messageSignature?.signature as string, 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    const tampered = structuredClone(b);
    (tampered.messageSignature as { signature: string }).signature = sig.toString('base64');
    assert.throws(() => verify(verifierFor(key('ecdsa-p384')), tampered, ARTIFACT));
  });

  it('refuses an Ed25519 key: Sigstore verifiers check message signatures over the digest', async () => {
    const e = await expectCustodyErrorAsync(
      () => buildMessageSignatureBundle(ARTIFACT, key('ed25519')),
      SignError,
      'SIGN_KEY_INVALID',
    );
    assert.match(e.message, /custody attest/);
  });

  it('hands witnesses the signature and public key and keeps their tlog entries', async () => {
    const seen: Array<{ kind: string | undefined; publicKey: string }> = [];
    const entry = {
      logIndex: '7',
      logId: { keyId: Buffer.alloc(32) },
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
      integratedTime: '1700000000',
      canonicalizedBody: Buffer.from('{}'),
      inclusionPromise: { signedEntryTimestamp: Buffer.from('set') },
      inclusionProof: {
        logIndex: '7',
        rootHash: Buffer.alloc(32),
        treeSize: '8',
        hashes: [],
        checkpoint: { envelope: 'cp' },
      },
    };
    const witness: Witness = {
      testify: async (content, publicKey) => {
        seen.push({ kind: content.$case, publicKey });
        return { tlogEntries: [entry] };
      },
    };
    const b = await buildMessageSignatureBundle(ARTIFACT, key('ecdsa-p256'), {
      witnesses: [witness],
    });
    assert.deepEqual(seen, [{ kind: 'messageSignature', publicKey: key('ecdsa-p256').publicPem }]);
    assert.equal(b.verificationMaterial.tlogEntries[0]?.logIndex, '7');
  });
});

describe('buildDsseBundle', () => {
  for (const t of KEY_TYPES) {
    it(`${t}: a DSSE bundle that @sigstore/verify verifies over the PAE`, async () => {
      const payload = Buffer.from('{"hello":"world"}');
      const b = await buildDsseBundle(payload, 'application/json', key(t));
      assert.equal(b.mediaType, BUNDLE_V03_MEDIA_TYPE);
      assert.equal(b.dsseEnvelope?.payloadType, 'application/json');
      assert.equal(b.dsseEnvelope?.payload, payload.toString('base64'));
      assert.equal(b.dsseEnvelope?.signatures[0]?.keyid, key(t).hint);
      const v = verifierFor(key(t));
      verify(v, b);
      const tampered = structuredClone(b);
      (tampered.dsseEnvelope as { payload: string }).payload =
        Buffer.from('{"hello":"World"}').toString('base64');
      assert.throws(() => verify(v, tampered));
      const retyped = structuredClone(b);
      (retyped.dsseEnvelope as { payloadType: string }).payloadType = IN_TOTO_PAYLOAD_TYPE;
      assert.throws(() => verify(v, retyped), 'the payload type is signed too (PAE)');
    });
  }
});

describe('buildAttestationBundle', () => {
  it('an in-toto statement in a DSSE envelope, exactly as built', async () => {
    const statement = buildStatement({
      subjects: [subjectFromBytes('artifact.bin', ARTIFACT)],
      predicateType: 'slsaprovenance1',
      predicate: { buildDefinition: { buildType: 'https://example.com/build/v1' } },
    });
    const b = await buildAttestationBundle(statement, key('ed25519'));
    assert.equal(b.dsseEnvelope?.payloadType, IN_TOTO_PAYLOAD_TYPE);
    verify(verifierFor(key('ed25519')), b);
    const payload = Buffer.from(b.dsseEnvelope?.payload as string, 'base64');
    assert.deepEqual(parseStatement(payload), statement);
  });
});
