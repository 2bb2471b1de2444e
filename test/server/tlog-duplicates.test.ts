import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { p256, p384 } from '@noble/curves/nist.js';
import { call, startServer, type TestServer } from '../helpers/server.js';

/**
 * Issue 11, security 7: one signature is one log entry however it is spelled. A Rekor-form
 * hashedrekord may give its digest in upper-case hex, and every ECDSA signature (r, s) has a twin
 * (r, n − s) that anyone can compute and that verifies as well. Through the real service on
 * SQLite, both spellings answer the index of the first, and the log does not grow.
 */

const CURVES = {
  'P-256': { noble: p256, hash: 'sha256' },
  'P-384': { noble: p384, hash: 'sha384' },
} as const;
type Curve = keyof typeof CURVES;

interface Signer {
  curve: Curve;
  privateKey: KeyObject;
  pem: string;
}

function signer(curve: Curve): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { curve, privateKey, pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** A signature over `artifact` and its twin, low-s first. */
function signaturePair(s: Signer, artifact: string): { low: Buffer; high: Buffer } {
  const { noble, hash } = CURVES[s.curve];
  const der = sign(hash, Buffer.from(artifact), s.privateKey);
  const parsed = noble.Signature.fromBytes(der, 'der');
  const twin = Buffer.from(
    new noble.Signature(parsed.r, noble.Point.CURVE().n - parsed.s).toBytes('der'),
  );
  return parsed.hasHighS() ? { low: twin, high: der } : { low: der, high: twin };
}

function digestHex(s: Signer, artifact: string): string {
  return createHash(CURVES[s.curve].hash).update(artifact).digest('hex');
}

function rekorShaped(s: Signer, artifact: string, signature: Buffer, hex = digestHex(s, artifact)) {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: CURVES[s.curve].hash, value: hex } },
      signature: {
        content: signature.toString('base64'),
        publicKey: { content: Buffer.from(s.pem).toString('base64') },
      },
    },
  };
}

function typed(s: Signer, artifact: string, signature: Buffer) {
  return {
    kind: 'hashedrekord',
    digest: `${CURVES[s.curve].hash}:${digestHex(s, artifact)}`,
    signature: signature.toString('base64'),
    publicKey: s.pem,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely
const bodyOf = (entry: any) => JSON.parse(Buffer.from(entry.body, 'base64').toString('utf8'));

describe('one signature, one log entry (sqlite)', () => {
  let srv: TestServer;
  const size = async (): Promise<number> =>
    (await call(srv, 'GET', '/api/v1/tlog')).json.size as number;
  before(async () => {
    srv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
  });
  after(async () => srv.close());

  it('a Rekor-form digest in upper-case hex is the lower-case entry (both orders)', async () => {
    const s = signer('P-256');
    for (const first of ['lower', 'upper'] as const) {
      const artifact = `hex case, ${first} first`;
      const { low } = signaturePair(s, artifact);
      const hex = digestHex(s, artifact);
      const spell = (c: 'lower' | 'upper') => (c === 'lower' ? hex : hex.toUpperCase());
      const second = first === 'lower' ? 'upper' : 'lower';
      const a = await call(srv, 'POST', '/api/v1/log/entries', {
        body: rekorShaped(s, artifact, low, spell(first)),
      });
      assert.equal(a.status, 201, a.text);
      const [uuid] = Object.keys(a.json);
      const logged = a.json[uuid as string];
      // Stored as lower case, whatever was sent: the body a Sigstore client's request gives.
      assert.equal(bodyOf(logged).spec.data.hash.value, hex);
      const before = await size();
      const b = await call(srv, 'POST', '/api/v1/log/entries', {
        body: rekorShaped(s, artifact, low, spell(second)),
      });
      assert.equal(b.status, 409, b.text);
      assert.equal(b.headers.get('location'), `/api/v1/log/entries/${uuid?.slice(16)}`);
      const viaApi = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: rekorShaped(s, artifact, low, spell(second)),
      });
      assert.equal(viaApi.status, 200, viaApi.text);
      assert.equal(viaApi.json.index, logged.logIndex);
      assert.equal(await size(), before, 'no new index');
    }
  });

  for (const curve of Object.keys(CURVES) as Curve[]) {
    it(`${curve}: the high-s twin of a logged signature answers the first entry, in both orders`, async () => {
      const s = signer(curve);
      for (const first of ['low', 'high'] as const) {
        const artifact = `${curve} twin, ${first}-s first`;
        const pair = signaturePair(s, artifact);
        const second = first === 'low' ? 'high' : 'low';
        const a = await call(srv, 'POST', '/api/v1/tlog/entries', {
          body: typed(s, artifact, pair[first]),
        });
        assert.equal(a.status, 201, a.text);
        // The body keeps the signature as sent: a bundle carries the signer's own bytes.
        assert.equal(bodyOf(a.json).spec.signature.content, pair[first].toString('base64'));
        const before = await size();
        const b = await call(srv, 'POST', '/api/v1/tlog/entries', {
          body: typed(s, artifact, pair[second]),
        });
        assert.equal(b.status, 200, b.text);
        assert.equal(b.json.index, a.json.index);
        assert.equal(b.json.leafHash, a.json.leafHash, 'the stored entry is answered');
        assert.equal(b.json.body, a.json.body);
        const rekor = await call(srv, 'POST', '/api/v1/log/entries', {
          body: rekorShaped(s, artifact, pair[second]),
        });
        assert.equal(rekor.status, 409, rekor.text);
        assert.equal(rekor.headers.get('location'), `/api/v1/log/entries/${a.json.uuid}`);
        assert.equal(await size(), before, 'no new index');
      }
    });
  }

  it('a signature and its twin sent at once get one index', async () => {
    const s = signer('P-256');
    const artifact = 'twins in one batch';
    const pair = signaturePair(s, artifact);
    const before = await size();
    const answers = await Promise.all(
      [pair.high, pair.low, pair.high].map((sig) =>
        call(srv, 'POST', '/api/v1/tlog/entries', { body: typed(s, artifact, sig) }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 201]);
    assert.equal(new Set(answers.map((a) => a.json.index)).size, 1);
    assert.equal(await size(), before + 1);
  });

  it('other signatures over the same digest are other entries', async () => {
    const s = signer('P-384');
    const artifact = 'signed twice';
    const one = signaturePair(s, artifact);
    const two = signaturePair(s, artifact);
    const a = await call(srv, 'POST', '/api/v1/tlog/entries', {
      body: typed(s, artifact, one.low),
    });
    const b = await call(srv, 'POST', '/api/v1/tlog/entries', {
      body: typed(s, artifact, two.low),
    });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.json.index, b.json.index);
  });
});
