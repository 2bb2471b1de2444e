import assert from 'node:assert/strict';
import { custodyLogWitness } from '../../src/net/log-witness.js';
import {
  buildStatement,
  generateKey,
  loadBundleBuilder,
  loadSigningKey,
  type SigningKey,
} from '../../src/sign/index.js';
import { recordDecisions } from '../../src/store/admission-decisions.js';
import { keylessBundle } from '../helpers/keyless.js';
import {
  type Backend,
  call,
  KEYLESS_PUBLIC_URL,
  push,
  sbomFixtures,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

export interface SeededRelease {
  srv: TestServer;
  admin: string;
  /** A reader of team web (an auditor). */
  reader: string;
  /** A reader of another team. */
  outsider: string;
  key: SigningKey;
  issuer: string;
  artifact: string;
}

/**
 * Product `shop` 1.0.0 of team `web`, seeded through the real API as a pipeline does: an SBOM
 * pushed, signed with the team's registered key and keylessly (the service's CA, releaser@), both
 * logged in the service's log, and with the key once more unlogged (the service logs it on intake); a SLSA provenance attestation; the change ticket; a VEX statement
 * drafted and the product's OpenVEX document published (signed and logged by the service); an
 * admission decision admitting the artifact in cluster prod.
 */
export async function seedRelease(backend: Backend): Promise<SeededRelease> {
  const srv = await startServer(backend, { keyless: true });
  const keyless = srv.keyless;
  assert.ok(keyless);
  const admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
  for (const name of ['web', 'ops']) {
    const t = await call(srv, 'POST', '/api/v1/teams', { token: admin, body: { name } });
    assert.equal(t.status, 201, t.text);
  }
  const publisher = await tokenFor(srv.services, 'publisher', ['web'], 'wes');
  const reader = await tokenFor(srv.services, 'auditor', ['web'], 'audrey');
  const outsider = await tokenFor(srv.services, 'auditor', ['ops'], 'otto');
  const key = loadSigningKey(generateKey('ecdsa-p256').privatePem);
  const issuer = `${KEYLESS_PUBLIC_URL}/dev-oidc`;
  const ids = await call(srv, 'PUT', '/api/v1/teams/web/signing-identities', {
    token: admin,
    body: {
      identities: [
        { publicKey: key.publicPem, name: 'web release key' },
        { issuer, subject: 'releaser@example\\.com' },
      ],
    },
  });
  assert.equal(ids.status, 200, ids.text);

  const sbom = Buffer.from((await sbomFixtures()).demo);
  const pushed = await push(srv, publisher, sbom, {
    product: 'shop',
    release: '1.0.0',
    team: 'web',
  });
  assert.equal(pushed.status, 201, pushed.text);
  const rel = await call(srv, 'GET', '/api/v1/products/shop/releases/1.0.0', { token: publisher });
  const sbomId = rel.json.artifacts[0].sboms[0].id as number;
  const artifact = rel.json.artifacts[0].digest as string;
  const ticket = await call(srv, 'PATCH', `/api/v1/releases/${rel.json.id}`, {
    token: publisher,
    body: { ticket: 'CHG-4711', tag: 'v1.0.0' },
  });
  assert.equal(ticket.status, 200, ticket.text);

  const witnesses = [custodyLogWitness({ url: srv.base, retries: 0 })];
  const { buildMessageSignatureBundle, buildAttestationBundle } = await loadBundleBuilder();
  const keyed = await buildMessageSignatureBundle(sbom, key, { witnesses });
  const certified = await keylessBundle(keyless, {
    subject: 'releaser@example.com',
    bytes: sbom,
    logUrl: srv.base,
  });
  // Signed without the log: the service logs it on intake instead.
  const unlogged = await buildMessageSignatureBundle(sbom, key);
  for (const b of [keyed, certified, unlogged]) {
    const r = await call(srv, 'POST', `/api/v1/sboms/${sbomId}/bundles`, {
      token: publisher,
      body: JSON.stringify(b),
      contentType: 'application/json',
    });
    assert.ok(r.status === 201 || r.status === 200, r.text);
  }
  const provenance = await buildAttestationBundle(
    buildStatement({
      subjects: [{ name: 'shop', digest: { sha256: artifact.slice('sha256:'.length) } }],
      predicateType: 'slsaprovenance1',
      predicate: {
        buildDefinition: {
          buildType: 'https://ci.example/make/v1',
          externalParameters: { ref: 'v1.0.0' },
        },
        runDetails: { builder: { id: 'https://ci.example/builder' } },
      },
    }),
    key,
    { witnesses },
  );
  const att = await call(srv, 'POST', '/api/v1/products/shop/releases/1.0.0/attestations', {
    token: publisher,
    body: JSON.stringify(provenance),
    contentType: 'application/json',
  });
  assert.equal(att.status, 201, att.text);

  // An admission decision about the artifact, recorded as the webhook records its decisions.
  await srv.services.db.kysely.transaction().execute((trx) =>
    recordDecisions(trx, srv.services.db.dialect, [
      {
        uid: 'review-1',
        api: 'image-review',
        cluster: 'prod',
        namespace: 'shop',
        workload: 'Deployment/shop',
        operation: 'CREATE',
        dryRun: false,
        mode: 'enforce',
        modeSource: 'namespace',
        allowed: true,
        degraded: false,
        warnings: [],
        at: new Date().toISOString(),
        images: [
          {
            image: `registry.example/shop@${artifact}`,
            digest: artifact,
            outcome: 'pass',
            message: 'signed by web release key; provenance from https://ci.example/builder',
            policy: { name: 'admission-default', version: '1', digest: `sha256:${'a'.repeat(64)}` },
            cached: false,
            effect: 'allow',
          },
        ],
      },
    ]),
  );

  const draft = await call(srv, 'POST', '/api/v1/vex/shop/statements', {
    token: admin,
    body: { vulnerability: 'CVE-2031-0001', components: ['pkg:npm/lodash@4.17.20'] },
  });
  assert.equal(draft.status, 201, draft.text);
  const published = await call(srv, 'POST', '/api/v1/vex/shop/publish?format=openvex', {
    token: admin,
  });
  assert.equal(published.status, 201, published.text);
  return { srv, admin, reader, outsider, key, issuer, artifact };
}
