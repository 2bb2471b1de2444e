import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verifyArtifact } from '../../src/app/verify/verify-artifact.js';
import { run } from '../../src/cli/main.js';
import {
  buildStatement,
  generateKey,
  loadBundleBuilder,
  loadSigningKey,
  parseTrustedRoot,
  subjectFromBytes,
} from '../../src/sign/index.js';
import { keylessBundle } from '../helpers/keyless.js';
import {
  type Answer,
  BACKENDS,
  call,
  errorCode,
  KEYLESS_PUBLIC_URL,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/**
 * VEX publications a person signs (issue 12 with issue 4's keyless signing), through a real server
 * with its CA and dev OIDC issuer, on SQLite and PostgreSQL: prepare → sign the exact bytes with a
 * certificate for an admitted identity → complete → served, verifiable offline with the trusted
 * root and that identity; every refusal coded, with nothing stored; nothing confidential in a
 * pending publication; and the CLI's `custody vex publish --keyless` once.
 */

const CVE = 'CVE-2021-23337';
const SECRET = 'CVE-2099-0002';
const LODASH = 'pkg:npm/lodash@4.17.20';
const ISSUER = `${KEYLESS_PUBLIC_URL}/dev-oidc`;
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const sha256 = (s: string) => `sha256:${createHash('sha256').update(s, 'utf8').digest('hex')}`;

for (const backend of BACKENDS) {
  describe(`keyless VEX publications (${backend})`, () => {
    let srv: TestServer;
    // Moves the service's clock (not the CA's or the dev issuer's) to expire a publication.
    let offset = 0;
    const t = {} as Record<
      'admin' | 'alice' | 'aliceApprover' | 'bob' | 'viewer' | 'auditor' | 'outsider',
      string
    >;

    before(async () => {
      srv = await startServer(backend, {
        keyless: true,
        clock: () => new Date(Date.now() + offset),
      });
      const s = srv.services;
      t.admin = await tokenFor(s, 'admin', undefined, 'root@example.com');
      t.alice = await tokenFor(s, 'publisher', ['web'], 'alice@example.com');
      t.aliceApprover = await tokenFor(s, 'approver', ['web'], ' Alice@Example.com ');
      t.bob = await tokenFor(s, 'approver', ['web'], 'bob@example.com');
      t.viewer = await tokenFor(s, 'viewer', ['web'], 'vera@example.com');
      t.auditor = await tokenFor(s, 'auditor', undefined, 'erin@example.com');
      t.outsider = await tokenFor(s, 'approver', ['other'], 'dave@example.com');
      const { demo } = await sbomFixtures();
      for (const product of ['portal', 'shop']) {
        const r = await push(srv, t.alice, demo, { product, release: '2.4.0', team: 'web' });
        assert.equal(r.status, 201, r.text);
      }
      const set = await call(srv, 'PUT', '/api/v1/teams/web/signing-identities', {
        token: t.admin,
        body: { identities: [{ issuer: ISSUER, subject: '(alice|bob)@example\\.com' }] },
      });
      assert.equal(set.status, 200, set.text);
      for (const product of ['portal', 'shop']) {
        const d = await draft(product, {
          vulnerability: CVE,
          releases: ['2.4.0'],
          components: [LODASH],
        });
        const judged = await act(d.json.id, 'transition', t.alice, {
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impactStatement: `${product} never calls _.template`,
        });
        assert.equal(judged.status, 200, judged.text);
        assert.equal((await act(d.json.id, 'approve', t.bob)).status, 200);
      }
      // A private disclosure on portal, which no publication may carry.
      const secret = await draft(
        'portal',
        { vulnerability: SECRET, components: [LODASH], confidential: true },
        t.bob,
      );
      assert.equal(secret.status, 201, secret.text);
    });
    after(async () => srv?.close());

    const draft = (product: string, body: unknown, token = t.alice) =>
      call(srv, 'POST', `/api/v1/vex/${product}/statements`, { token, body });
    const act = (id: number, what: string, token: string, body?: unknown) =>
      call(srv, 'POST', `/api/v1/vex-statements/${id}/${what}`, {
        token,
        ...(body !== undefined ? { body } : {}),
      });
    const prepare = (product: string, format: string, token = t.alice) =>
      call(srv, 'POST', `/api/v1/vex/${product}/publications`, {
        token,
        body: { format, signing: 'keyless' },
      });
    const complete = (product: string, id: number, bundle: unknown, token = t.alice) =>
      call(srv, 'POST', `/api/v1/vex/${product}/publications/${id}/bundle`, {
        token,
        body: typeof bundle === 'string' ? bundle : JSON.stringify(bundle),
        contentType: 'application/json',
      });
    const sign = (subject: string, document: string) =>
      keylessBundle(srv.keyless as NonNullable<TestServer['keyless']>, {
        subject,
        bytes: utf8(document),
        logUrl: srv.base,
      });
    const trust = async () =>
      parseTrustedRoot((await call(srv, 'GET', '/api/v1/trusted-root')).json);

    it('prepare → the person signs the exact bytes keylessly → complete: published, logged, verifiable offline with the identity', async () => {
      const p = await prepare('portal', 'openvex');
      assert.equal(p.status, 201, p.text);
      assert.equal(p.json.state, 'pending');
      assert.equal(p.json.signing, 'keyless');
      assert.equal(p.json.documentVersion, '1');
      assert.equal(p.json.preparedBy, 'alice@example.com');
      assert.equal(p.json.digest, sha256(p.json.document));
      assert.match(p.json.document, /CVE-2021-23337/);
      assert.ok(Date.parse(p.json.expiresAt) - Date.now() > 14 * 60_000);
      const nothingYet = await call(srv, 'GET', '/api/v1/vex/portal?format=openvex', {
        token: t.viewer,
      });
      assert.equal(nothingYet.status, 404, 'prepared is not published');

      const seen = await call(srv, 'GET', `/api/v1/vex/portal/publications/${p.json.id}`, {
        token: t.aliceApprover,
      });
      assert.equal(seen.status, 200, seen.text);
      assert.equal(seen.json.document, p.json.document);

      const bundle = await sign('alice@example.com', p.json.document);
      const done = await complete('portal', p.json.id, bundle);
      assert.equal(done.status, 201, done.text);
      assert.equal(done.json.state, 'published');
      assert.equal(done.json.document, undefined);
      const view = done.json.published;
      assert.equal(view.documentVersion, '1');
      assert.equal(view.digest, p.json.digest);
      assert.equal(view.publishedBy, 'alice@example.com');
      assert.deepEqual(view.signer, {
        kind: 'identity',
        identity: 'alice@example.com',
        issuer: ISSUER,
      });
      assert.equal(view.publicKey, null);
      const bundleIndex = Number(bundle.verificationMaterial.tlogEntries[0]?.logIndex ?? '0');
      assert.equal(view.bundleLogIndex, bundleIndex, "the bundle's own entry in Custody's log");

      // Served as signed: the exact bytes, the bundle as sent, and the view.
      const doc = await call(srv, 'GET', '/api/v1/vex/portal?format=openvex', { token: t.viewer });
      assert.equal(doc.status, 200, doc.text);
      assert.equal(doc.text, p.json.document);
      assert.equal(doc.headers.get('x-vex-document-version'), '1');
      const served = await call(srv, 'GET', '/api/v1/vex/portal/bundle?format=openvex', {
        token: t.viewer,
      });
      assert.deepEqual(served.json, bundle);
      const published = await call(srv, 'GET', '/api/v1/vex/portal/published?format=openvex', {
        token: t.viewer,
      });
      assert.equal(published.status, 200, published.text);
      assert.deepEqual(published.json, view);

      // Verifies offline with the trusted root and the identity; not as anyone else.
      const root = await trust();
      const verified = await verifyArtifact({
        bundle: served.json,
        artifact: { data: utf8(doc.text) },
        policy: { identity: 'alice@example.com', issuer: ISSUER },
        trust: root,
      });
      assert.equal(verified.signer.identity, 'alice@example.com');
      await assert.rejects(
        verifyArtifact({
          bundle: served.json,
          artifact: { data: utf8(doc.text) },
          policy: { identity: 'bob@example.com', issuer: ISSUER },
          trust: root,
        }),
        /SIGN_IDENTITY_MISMATCH|identity/i,
      );

      // Logged as a `vex` entry about the document, and audited with the signer.
      const entry = await call(srv, 'GET', `/api/v1/tlog/entries/${view.logIndex}`, {
        token: t.viewer,
      });
      assert.equal(entry.json.kind, 'vex');
      assert.equal(entry.json.subject, p.json.digest);
      const audit = await call(srv, 'GET', '/api/v1/audit?action=vex.publish', {
        token: t.auditor,
      });
      const record = audit.json.items[0];
      assert.equal(record.person, 'alice@example.com');
      assert.deepEqual(record.details.signer, { identity: 'alice@example.com', issuer: ISSUER });
      assert.equal(record.details.publication, p.json.id);

      // The same bundle again is the same publication; the version moved once.
      const before = await snapshot(srv.services);
      const again = await complete('portal', p.json.id, bundle);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.json.published, view);
      assert.deepEqual(await snapshot(srv.services), before);
      const keyed = await call(srv, 'POST', '/api/v1/vex/portal/publish?format=openvex', {
        token: t.alice,
      });
      assert.equal(keyed.json.documentVersion, '2');
      assert.equal(keyed.json.signer.kind, 'key');
    });

    it('refusals are coded and store nothing', async () => {
      const p = await prepare('shop', 'cyclonedx');
      assert.equal(p.status, 201, p.text);
      const id = p.json.id as number;
      const other = await prepare('portal', 'csaf');
      // Bundles are made (and logged by their signers) before the stores are compared.
      const good = await sign('alice@example.com', p.json.document);
      const otherBytes = await sign('alice@example.com', `${p.json.document} `);
      const stranger = await sign('mallory@example.com', p.json.document);
      const colleague = await sign('bob@example.com', p.json.document);
      const key = loadSigningKey(generateKey('ecdsa-p256').privatePem);
      const { buildMessageSignatureBundle, buildAttestationBundle } = await loadBundleBuilder();
      const keyed = await buildMessageSignatureBundle(utf8(p.json.document), key);
      // An attestation about the document is not a signature over its bytes.
      const attestation = await buildAttestationBundle(
        buildStatement({
          subjects: [subjectFromBytes('shop.cdx.json', utf8(p.json.document))],
          predicateType: 'https://openvex.dev/ns/v0.2.0',
          predicate: JSON.parse(p.json.document),
        }),
        key,
      );

      const cases: [string, () => Promise<Answer>, number, string][] = [
        [
          'an unknown publication',
          () => complete('shop', 999_999, good),
          404,
          'VEX_PUBLICATION_NOT_FOUND',
        ],
        [
          "another product's publication",
          () => complete('shop', other.json.id, good),
          404,
          'VEX_PUBLICATION_NOT_FOUND',
        ],
        [
          'a bundle over other bytes',
          () => complete('shop', id, otherBytes),
          422,
          'VEX_BUNDLE_UNVERIFIED',
        ],
        ['a keyed bundle', () => complete('shop', id, keyed), 422, 'VEX_BUNDLE_UNVERIFIED'],
        ['an attestation', () => complete('shop', id, attestation), 422, 'VEX_BUNDLE_UNVERIFIED'],
        [
          'a signer the team does not admit',
          () => complete('shop', id, stranger),
          422,
          'VEX_SIGNER_NOT_ADMITTED',
        ],
        [
          "another person's certificate",
          () => complete('shop', id, colleague),
          403,
          'VEX_SIGNER_NOT_CALLER',
        ],
        [
          'another person completing',
          () => complete('shop', id, colleague, t.bob),
          403,
          'AUTH_FORBIDDEN',
        ],
        ['a viewer', () => complete('shop', id, good, t.viewer), 403, 'AUTH_FORBIDDEN'],
        ['another team', () => complete('shop', id, good, t.outsider), 404, 'INVENTORY_NOT_FOUND'],
        ['no JSON', () => complete('shop', id, '{"mediaType":'), 400, 'JSON_PARSE'],
        ['no bundle', () => complete('shop', id, { hello: 'world' }), 400, 'SIGN_BUNDLE_MALFORMED'],
      ];
      for (const [what, send, status, code] of cases) {
        const before = await snapshot(srv.services);
        const r = await send();
        assert.equal(r.status, status, `${what}: ${r.text}`);
        assert.equal(errorCode(r), code, what);
        assert.deepEqual(await snapshot(srv.services), before, `${what} stored something`);
      }

      // Stale: a statement changed since preparing.
      const d = await draft('shop', { vulnerability: 'CVE-2020-8203', components: [LODASH] });
      assert.equal(d.status, 201, d.text);
      let before = await snapshot(srv.services);
      const stale = await complete('shop', id, good);
      assert.equal(stale.status, 409, stale.text);
      assert.equal(errorCode(stale), 'VEX_PUBLICATION_STALE');
      assert.deepEqual(await snapshot(srv.services), before);

      // Prepared again, it completes; then another bundle is refused, the same one is not.
      const again = await prepare('shop', 'cyclonedx');
      assert.match(again.json.document, /CVE-2020-8203/);
      const fresh = await sign('alice@example.com', again.json.document);
      const second = await sign('alice@example.com', again.json.document);
      const ok = await complete('shop', again.json.id, fresh, t.aliceApprover);
      assert.equal(ok.status, 201, `the same person, another token: ${ok.text}`);
      before = await snapshot(srv.services);
      const done = await complete('shop', again.json.id, second);
      assert.equal(done.status, 409, done.text);
      assert.equal(errorCode(done), 'VEX_PUBLICATION_COMPLETED');
      assert.deepEqual(await snapshot(srv.services), before);

      // Expired: the bundle came too late.
      const late = await prepare('shop', 'openvex');
      const lateBundle = await sign('alice@example.com', late.json.document);
      offset = 16 * 60_000;
      try {
        before = await snapshot(srv.services);
        const expired = await complete('shop', late.json.id, lateBundle);
        assert.equal(expired.status, 409, expired.text);
        assert.equal(errorCode(expired), 'VEX_PUBLICATION_EXPIRED');
        assert.deepEqual(await snapshot(srv.services), before);
        const view = await call(srv, 'GET', `/api/v1/vex/shop/publications/${late.json.id}`, {
          token: t.alice,
        });
        assert.equal(view.json.state, 'expired');
        assert.equal(view.json.document, undefined);
      } finally {
        offset = 0;
      }

      // Preparing is for publishers and approvers of the team.
      const viewer = await prepare('shop', 'openvex', t.viewer);
      assert.equal(viewer.status, 403, viewer.text);
      assert.equal(errorCode(viewer), 'AUTH_FORBIDDEN');
      const outsider = await prepare('shop', 'openvex', t.outsider);
      assert.equal(outsider.status, 404, outsider.text);
      const signing = await call(srv, 'POST', '/api/v1/vex/shop/publications', {
        token: t.alice,
        body: { format: 'openvex', signing: 'key' },
      });
      assert.equal(signing.status, 400, signing.text);
      assert.equal(errorCode(signing), 'REQUEST_INVALID');
    });

    it('a pending publication never exposes a confidential statement', async () => {
      const seen: Answer[] = [];
      for (const token of [t.alice, t.bob]) {
        const p = await prepare('portal', 'csaf', token);
        assert.equal(p.status, 201, p.text);
        seen.push(p);
        seen.push(
          await call(srv, 'GET', `/api/v1/vex/portal/publications/${p.json.id}`, { token }),
        );
      }
      seen.push(await call(srv, 'GET', '/api/v1/audit?limit=1000', { token: t.auditor }));
      for (const a of seen) {
        assert.ok(!a.text.includes(SECRET), `leaked: ${a.text.slice(0, 300)}`);
      }
      // The approver sees it among the statements: it exists, and is left out.
      const mine = await call(srv, 'GET', '/api/v1/vex/portal/statements', { token: t.bob });
      assert.ok(mine.text.includes(SECRET));
    });

    if (backend === 'sqlite') {
      it('custody vex publish --keyless: prepare, sign with the identity token, complete (exit 0; 1 when refused)', async () => {
        const cli = async (argv: string[], subject: string) => {
          let stdout = '';
          let stderr = '';
          const io = {
            stdout: { write: (s: string) => (stdout += s) },
            stderr: { write: (s: string) => (stderr += s) },
            env: {
              CUSTODY_URL: srv.base,
              CUSTODY_TOKEN: t.alice,
              CUSTODY_DEV_OIDC_SUBJECT: subject,
            },
            cwd: process.cwd(),
          };
          const code = await run(argv, io as never);
          return { code, stdout, stderr };
        };
        const refused = await cli(
          ['vex', 'publish', 'portal', '--format', 'cyclonedx', '--keyless'],
          'mallory@example.com',
        );
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /VEX_SIGNER_NOT_ADMITTED/);
        const ok = await cli(
          ['vex', 'publish', 'portal', '--format', 'cyclonedx', '--keyless'],
          'alice@example.com',
        );
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(
          ok.stdout,
          /published portal \(cyclonedx\) version 1: 1 statement\(s\), sha256:[0-9a-f]{64}, log index \d+, signed by alice@example\.com/,
        );
        const json = await cli(
          ['vex', 'publish', 'portal', '--format', 'cyclonedx', '--keyless', '--json'],
          'alice@example.com',
        );
        assert.equal(json.code, 0, json.stderr);
        const view = JSON.parse(json.stdout);
        assert.equal(view.documentVersion, '2');
        assert.equal(view.signer.identity, 'alice@example.com');
      });
    }
  });
}
