import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { verifyImage } from '../../src/app/oci/verify-image.js';
import { HttpClient } from '../../src/net/http.js';
import {
  EMPTY_JSON,
  listReferrers,
  MEDIA,
  OciError,
  pushOciLayout,
  pushReferrer,
  RegistryClient,
  readOciLayout,
} from '../../src/oci/index.js';
import { CONFORMANCE } from '../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { startReferrersRegistry } from '../helpers/referrers-registry.js';
import { freePort, startRecorder } from '../helpers/registry.js';

const NOTATION = join(CONFORMANCE, 'notation/go/internal/testdata');
const ALPINE = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';

describe('the OCI 1.1 referrers API (a registry that has it)', () => {
  let reg: Awaited<ReturnType<typeof startReferrersRegistry>>;
  let client: RegistryClient;
  const repo = () => ({ registry: reg.host, repository: 'library/alpine' });
  const sent: string[] = [];

  before(async () => {
    reg = await startReferrersRegistry();
    client = new RegistryClient({
      http: new HttpClient({ retries: 0, breaker: false }),
      allowed: (r) => r === reg.host,
      onRequest: (m, u) => sent.push(`${m} ${new URL(u).pathname}${new URL(u).search}`),
    });
    // The Notary Project's signed OCI layout (real), pushed, with its JWS and COSE signatures as
    // signature manifests (Notary Project signature specification, "OCI Signatures").
    await pushOciLayout(client, readOciLayout(join(NOTATION, 'oci-layout')), repo(), 'v2');
    const subject = { mediaType: MEDIA.ociManifest, digest: ALPINE, size: 481 };
    for (const [file, mediaType] of [
      ['jws_signature.sig', 'application/jose+json'],
      ['cose_signature.sig', 'application/cose'],
    ] as const) {
      await pushReferrer(client, repo(), subject, MEDIA.notationSignature, [
        { bytes: readFileSync(join(NOTATION, file)), mediaType },
      ]);
    }
    await pushReferrer(client, repo(), subject, 'application/vnd.example.other', [
      { bytes: EMPTY_JSON, mediaType: 'application/json' },
    ]);
  });
  after(() => reg.stop());

  it('lists referrers through the API, across pages, and never writes the fallback tag', async () => {
    const all = await listReferrers(client, repo(), ALPINE);
    assert.equal(all.via, 'api');
    assert.equal(all.descriptors.length, 3);
    assert.ok(
      sent.some((s) => s.includes('page=1')),
      'the Link header was followed',
    );
    assert.ok(
      !sent.some((s) => s === `PUT /v2/library/alpine/manifests/${ALPINE.replace(':', '-')}`),
    );
    const notation = await listReferrers(client, repo(), ALPINE, MEDIA.notationSignature);
    assert.equal(notation.descriptors.length, 2);
  });

  it('oci verify reports Notary Project signatures as found, with their envelope types', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const report = await verifyImage(
      { registry: reg.host, repository: 'library/alpine', tag: 'v2' },
      {
        policy: { key: key.publicKey },
        trust: [],
        options: { tlogThreshold: 0, timestampThreshold: 0 },
      },
      { CUSTODY_OCI_REGISTRIES: reg.host },
    );
    assert.equal(report.digest, ALPINE);
    assert.equal(report.referrersVia, 'api');
    const notation = report.pieces.filter((p) => p.kind === 'notation');
    assert.deepEqual(notation.map((p) => p.mediaType).sort(), [
      'application/cose',
      'application/jose+json',
    ]);
    for (const p of notation) {
      assert.equal(p.verifier, 'notation');
      assert.equal(p.verdict.status, 'unverified');
    }
    assert.equal(report.pieces.filter((p) => p.kind === 'artifact').length, 1);
    assert.equal(report.verified, false);
  });
});

describe("oci verify judges Notary Project signatures with notation's trust policy", () => {
  let reg: Awaited<ReturnType<typeof startReferrersRegistry>>;
  let client: RegistryClient;
  const repo = () => ({ registry: reg.host, repository: 'library/alpine' });
  const subject = { mediaType: MEDIA.ociManifest, digest: ALPINE, size: 481 };

  before(async () => {
    reg = await startReferrersRegistry();
    client = new RegistryClient({
      http: new HttpClient({ retries: 0, breaker: false }),
      allowed: (r) => r === reg.host,
    });
    await pushOciLayout(client, readOciLayout(join(NOTATION, 'oci-layout')), repo(), 'v2');
    for (const [file, mediaType] of [
      ['jws_signature.sig', 'application/jose+json'],
      ['cose_signature.sig', 'application/cose'],
    ] as const)
      await pushReferrer(client, repo(), subject, MEDIA.notationSignature, [
        { bytes: readFileSync(join(NOTATION, file)), mediaType },
      ]);
  });
  after(() => reg.stop());

  /** The real envelopes' self-signed signer, pinned in a `ca` store; the policy scoped to the image. */
  async function notationTrust(identity: string) {
    const { loadNotation } = await import('../../src/sign/index.js');
    const n = await loadNotation();
    const envelope = readFileSync(join(NOTATION, 'jws_signature.sig'));
    const leaf = n.parseEnvelope(n.MEDIA_TYPE_JWS, envelope).certificateChain[0] as Uint8Array;
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(leaf).toString('base64')}\n-----END CERTIFICATE-----\n`;
    const policy = n.parseTrustPolicy(
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: 'alpine',
            registryScopes: [`${reg.host}/library/alpine`],
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:alpine'],
            trustedIdentities: [identity],
          },
        ],
      }),
    );
    return {
      policy,
      trustStores: n.buildTrustStores(
        [{ type: 'ca', store: 'alpine', file: 'alpine.crt', bytes: new TextEncoder().encode(pem) }],
        [],
      ),
    };
  }

  it('both real envelopes verify, with no Sigstore policy needed', async () => {
    const report = await verifyImage(
      { registry: reg.host, repository: 'library/alpine', tag: 'v2' },
      {
        trust: [],
        options: {},
        notation: await notationTrust('x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=alpine'),
        now: new Date('2026-12-03T12:00:00Z'),
      },
      { CUSTODY_OCI_REGISTRIES: reg.host },
    );
    const notation = report.pieces.filter((p) => p.kind === 'notation');
    assert.equal(notation.length, 2);
    for (const p of notation) {
      assert.equal(p.verdict.status, 'verified', JSON.stringify(p.verdict));
      if (p.verdict.status === 'verified')
        assert.equal(p.verdict.signer.identity, 'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US');
    }
    assert.equal(report.verified, true);
  });

  it('another trusted identity: each envelope fails authenticity and the image is not verified', async () => {
    const report = await verifyImage(
      { registry: reg.host, repository: 'library/alpine', tag: 'v2' },
      {
        trust: [],
        options: {},
        notation: await notationTrust('x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=mallory'),
        now: new Date('2026-12-03T12:00:00Z'),
      },
      { CUSTODY_OCI_REGISTRIES: reg.host },
    );
    const notation = report.pieces.filter((p) => p.kind === 'notation');
    assert.equal(notation.length, 2);
    for (const p of notation) {
      assert.equal(p.verdict.status, 'failed', JSON.stringify(p.verdict));
      if (p.verdict.status === 'failed') assert.match(p.verdict.code, /^SIGN_NOTATION_/);
    }
    assert.equal(report.verified, false);
  });
});

describe('registries answering badly: coded errors, nothing believed', () => {
  let reg: Awaited<ReturnType<typeof startReferrersRegistry>>;
  let storage: Awaited<ReturnType<typeof startRecorder>>;
  let client: RegistryClient;
  const repo = () => ({ registry: reg.host, repository: 'acme/app' });
  let blobDigest: string;

  before(async () => {
    reg = await startReferrersRegistry();
    storage = await startRecorder((req, res) => {
      const digest = (req.url ?? '').replace('/storage/', '');
      const b = reg.blobs.get(digest);
      res.writeHead(b ? 200 : 404).end(b);
    });
    client = new RegistryClient({
      http: new HttpClient({ retries: 0, breaker: false }),
      allowed: (r) => r === reg.host,
      credentials: () => ({ kind: 'bearer', token: 'registry-token' }),
    });
    blobDigest = (await client.pushBlob(repo(), Buffer.from('layer bytes'), 'text/plain')).digest;
    await client.putManifest(
      repo(),
      'v1',
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.ociManifest,
          config: { mediaType: MEDIA.ociEmpty, digest: blobDigest, size: 11 },
          layers: [],
        }),
      ),
      MEDIA.ociManifest,
    );
  });
  beforeEach(() => {
    for (const k of Object.keys(reg.faults)) delete (reg.faults as Record<string, unknown>)[k];
  });
  after(async () => {
    await reg.stop();
    await storage.stop();
  });

  const cases = [
    ['garbage', 'OCI_MANIFEST_INVALID'],
    ['oversize-declared', 'OCI_RESPONSE_TOO_LARGE'],
    ['oversize-streamed', 'OCI_RESPONSE_TOO_LARGE'],
    ['other-bytes', 'OCI_DIGEST_MISMATCH'],
    ['redirect-elsewhere', 'OCI_REDIRECT_FORBIDDEN'],
  ] as const;
  for (const [fault, code] of cases) {
    it(`a manifest answered with ${fault}: ${code}`, async () => {
      reg.faults.manifest = fault;
      await expectCustodyErrorAsync(() => client.resolve({ ...repo(), tag: 'v1' }), OciError, code);
    });
  }

  it('a blob with other bytes: OCI_DIGEST_MISMATCH; over the cap: OCI_RESPONSE_TOO_LARGE', async () => {
    reg.faults.blob = 'other-bytes';
    await expectCustodyErrorAsync(
      () => client.getBlob(repo(), blobDigest),
      OciError,
      'OCI_DIGEST_MISMATCH',
    );
    delete reg.faults.blob;
    await expectCustodyErrorAsync(
      () => client.getBlob(repo(), blobDigest, 4),
      OciError,
      'OCI_RESPONSE_TOO_LARGE',
    );
  });

  it('a blob GET redirected to storage on another host is followed, without the credentials', async () => {
    reg.faults.blobRedirectTo = storage.url;
    const bytes = await client.getBlob(repo(), blobDigest);
    assert.equal(Buffer.from(bytes).toString(), 'layer bytes');
    const atStorage = storage.requests.at(-1);
    assert.equal(atStorage?.headers.authorization, undefined);
    const atRegistry = reg.requests
      .filter((r) => r.url === `/v2/acme/app/blobs/${blobDigest}`)
      .at(-1);
    assert.equal(atRegistry?.headers.authorization, 'Bearer registry-token');
  });

  it('a token realm over plain HTTP off loopback: OCI_RESPONSE_INVALID, the credentials not sent', async () => {
    reg.faults.challenge = 'Bearer realm="http://auth.example/token",service="x"';
    await expectCustodyErrorAsync(
      () => client.resolve({ ...repo(), tag: 'v1' }),
      OciError,
      'OCI_RESPONSE_INVALID',
    );
    reg.faults.challenge = 'Bearer service="x"';
    await expectCustodyErrorAsync(
      () => client.resolve({ ...repo(), tag: 'v1' }),
      OciError,
      'OCI_RESPONSE_INVALID',
    );
  });

  it('a registry that does not answer: OCI_REGISTRY_UNAVAILABLE', async () => {
    const port = await freePort();
    const down = new RegistryClient({
      http: new HttpClient({ retries: 0, breaker: false }),
      allowed: () => true,
    });
    await expectCustodyErrorAsync(
      () => down.resolve({ registry: `127.0.0.1:${port}`, repository: 'a/b', tag: 'v1' }),
      OciError,
      'OCI_REGISTRY_UNAVAILABLE',
    );
  });

  it('an image outside the configured registries: OCI_REGISTRY_FORBIDDEN, and no request leaves', async () => {
    const before = reg.requests.length;
    const env = { CUSTODY_OCI_REGISTRIES: 'registry.example' };
    await expectCustodyErrorAsync(
      () =>
        verifyImage(
          { registry: reg.host, repository: 'acme/app', tag: 'v1' },
          { policy: { identity: 'x', issuer: 'y' }, trust: [], options: {} },
          env,
        ),
      OciError,
      'OCI_REGISTRY_FORBIDDEN',
    );
    assert.equal(reg.requests.length, before);
  });
});
