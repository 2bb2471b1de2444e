import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attachSbomBundle } from '../../src/app/inventory/sign-sbom.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import {
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/**
 * Signed SBOMs end to end, through a served instance and the CLI as a user runs it: generate a
 * key, register it as the team's signing identity, `custody sign` the SBOM (logged in the
 * service's log through CUSTODY_URL), `custody push sbom --bundle`, and the portfolio counts it.
 * Refusals (a key the team never registered, a tampered SBOM, another team's identity) answer 422
 * and change nothing.
 */
for (const backend of BACKENDS) {
  describe(`signed SBOMs (${backend})`, () => {
    let srv: TestServer;
    let dir: string;
    let admin: string;
    let web: string;
    let ops: string;
    let env: Record<string, string>;

    async function cli(argv: string[], extra: Record<string, string> = {}) {
      let stdout = '';
      let stderr = '';
      const io: CliIO = {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: { ...env, ...extra },
        cwd: dir,
      };
      const code = await run(argv, io);
      return { code, stdout, stderr };
    }

    const pem = (file: string) => readFileSync(join(dir, file), 'utf8');

    before(async () => {
      srv = await startServer(backend);
      dir = mkdtempSync(join(tmpdir(), 'custody-signed-'));
      admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
      for (const name of ['web', 'ops']) {
        const t = await call(srv, 'POST', '/api/v1/teams', { token: admin, body: { name } });
        assert.equal(t.status, 201, t.text);
      }
      web = await tokenFor(srv.services, 'publisher', ['web'], 'wes');
      ops = await tokenFor(srv.services, 'publisher', ['ops'], 'oli');
      env = { CUSTODY_URL: srv.base, CUSTODY_TOKEN: web };
      writeFileSync(join(dir, 'sbom.json'), (await sbomFixtures()).demo);
      for (const k of ['release', 'stranger', 'ops']) {
        const g = await cli(['keys', 'generate', '-o', `${k}.key`]);
        assert.equal(g.code, 0, g.stderr);
      }
      const set = async (team: string, file: string, name: string) => {
        const r = await call(srv, 'PUT', `/api/v1/teams/${team}/signing-identities`, {
          token: admin,
          body: { identities: [{ publicKey: pem(file), name }] },
        });
        assert.equal(r.status, 200, r.text);
      };
      await set('web', 'release.pub', 'web release key');
      await set('ops', 'ops.pub', 'ops release key');
    });

    after(async () => {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('sign with the registered key, push with --bundle: the portfolio counts it signed', async () => {
      const signed = await cli(['sign', 'sbom.json', '--key', 'release.key', '-o', 'sbom.bundle']);
      assert.equal(signed.code, 0, signed.stderr);
      const bundle = JSON.parse(pem('sbom.bundle'));
      const logIndex = Number(bundle.verificationMaterial.tlogEntries[0].logIndex ?? '0');

      const before = await call(srv, 'GET', '/api/v1/portfolio', { token: web });
      assert.equal(before.json.signed.signedSboms, 0);

      const pushed = await cli(
        ['push', 'sbom', 'sbom.json', '--product', 'demo', '--release', '1.0.0'].concat([
          '--bundle',
          'sbom.bundle',
        ]),
      );
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.match(pushed.stdout, /^stored {2}sbom\.json → SBOM \d+ of demo 1\.0\.0/m);
      assert.match(
        pushed.stdout,
        new RegExp(`signed {2}sbom.json: by key web release key, log index ${logIndex}`),
      );

      const f = (await call(srv, 'GET', '/api/v1/portfolio', { token: web })).json;
      assert.deepEqual(f.signed, {
        currentSboms: 1,
        signedSboms: 1,
        share: 1,
        teams: [{ team: 'web', currentSboms: 1, signedSboms: 1, share: 1 }],
      });
      assert.equal(f.coverage.artifactsWithSignedSbom, 1);
      assert.equal(f.coverage.signedCoverage, 1);

      const id = (await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0', { token: web }))
        .json.artifacts[0].sboms[0].id;
      const view = (await call(srv, 'GET', `/api/v1/sboms/${id}`, { token: web })).json;
      assert.equal(view.signed, true);
      assert.equal(view.signatures.length, 1);
      const sig = view.signatures[0];
      assert.deepEqual(sig.signer, {
        kind: 'key',
        name: 'web release key',
        hint: bundle.verificationMaterial.publicKey.hint,
      });
      assert.equal(sig.logIndex, logIndex);
      assert.equal(sig.loggedBy, 'bundle');
      assert.equal(sig.content, 'message');
      // The bundle is kept byte for byte beside the SBOM, content-addressed.
      const raw = readFileSync(join(dir, 'sbom.bundle'));
      assert.equal(sig.bundleDigest, `sha256:${createHash('sha256').update(raw).digest('hex')}`);
      assert.deepEqual(srv.services.blobs.get(sig.bundleDigest), raw);

      const audit = await call(srv, 'GET', '/api/v1/audit?action=sbom.sign', { token: admin });
      assert.equal(audit.json.items.length, 1);
      assert.equal(audit.json.items[0].target, `sbom:${id}`);
      assert.equal(audit.json.items[0].person, 'wes');

      const portfolio = await cli(['portfolio']);
      assert.equal(portfolio.code, 0, portfolio.stderr);
      assert.match(portfolio.stdout, /current SBOMs signed 1\/1 \(100 %\); web 1\/1/);
      const metrics = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(metrics.text, /^custody_sboms_signed_ratio 1$/m);
      assert.match(metrics.text, /^custody_team_sboms_signed_ratio\{team="web"\} 1$/m);

      // The same bundle again: 200, nothing new.
      const again = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body: raw,
        contentType: 'application/json',
      });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.created, false);
      assert.equal(again.json.signature.id, sig.id);
    });

    it('a bundle made without a log is logged by Custody as an sbom entry', async () => {
      const s = await cli([
        'sign',
        'sbom.json',
        '--key',
        'release.key',
        '--no-log',
        '-o',
        'nolog.bundle',
      ]);
      assert.equal(s.code, 0, s.stderr);
      const id = await currentId();
      const r = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body: readFileSync(join(dir, 'nolog.bundle')),
        contentType: 'application/json',
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.signature.loggedBy, 'custody');
      const entry = await call(srv, 'GET', `/api/v1/tlog/entries/${r.json.signature.logIndex}`);
      assert.equal(entry.status, 200, entry.text);
      assert.equal(entry.json.kind, 'sbom');
      const view = (await call(srv, 'GET', `/api/v1/sboms/${id}`, { token: web })).json;
      assert.equal(view.signatures.length, 2);
    });

    it('an in-toto attestation about the SBOM (custody attest) signs it too', async () => {
      const a = await cli([
        'attest',
        'sbom.json',
        '--predicate',
        'sbom.json',
        '--type',
        'cyclonedx',
        '--key',
        'release.key',
        '-o',
        'att.bundle',
      ]);
      assert.equal(a.code, 0, a.stderr);
      const id = await currentId();
      const r = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body: readFileSync(join(dir, 'att.bundle')),
        contentType: 'application/json',
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.signature.content, 'dsse');
      assert.equal(r.json.signature.loggedBy, 'bundle');
    });

    it('an attestation about the artifact signs it when its predicate is this SBOM', async () => {
      const rel = await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0', { token: web });
      const artifact = rel.json.artifacts[0].digest as string;
      const id = await currentId();
      writeFileSync(join(dir, 'other.json'), (await sbomFixtures()).demo11);
      const attest = async (predicate: string, out: string) => {
        const a = await cli(
          ['attest', artifact, '--predicate', predicate, '--type', 'cyclonedx'].concat([
            '--key',
            'release.key',
            '--no-log',
            '-o',
            out,
          ]),
        );
        assert.equal(a.code, 0, a.stderr);
        return call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
          token: web,
          body: readFileSync(join(dir, out)),
          contentType: 'application/json',
        });
      };
      const was = await snapshot(srv.services);
      const other = await attest('other.json', 'other-att.bundle');
      assert.equal(other.status, 422, other.text);
      assert.equal(errorCode(other), 'SBOM_BUNDLE_UNVERIFIED');
      assert.match(other.json.error.message, /its predicate is not this SBOM/);
      assert.deepEqual(await snapshot(srv.services), was);
      const same = await attest('sbom.json', 'artifact-att.bundle');
      assert.equal(same.status, 201, same.text);
      assert.equal(same.json.signature.content, 'dsse');
      // Made without a log: Custody logged the envelope as a dsse entry.
      assert.equal(same.json.signature.loggedBy, 'custody');
      const entry = await call(srv, 'GET', `/api/v1/tlog/entries/${same.json.signature.logIndex}`);
      assert.equal(entry.json.kind, 'dsse');
    });

    it('refuses a key the team never registered, changing nothing (CLI exit 1)', async () => {
      const s = await cli(['sign', 'sbom.json', '--key', 'stranger.key', '-o', 'stranger.bundle']);
      assert.equal(s.code, 0, s.stderr);
      const was = await snapshot(srv.services);
      const r = await cli([
        'push',
        'sbom',
        'sbom.json',
        '--product',
        'demo',
        '--release',
        '1.0.0',
        '--bundle',
        'stranger.bundle',
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /already stored/);
      assert.match(
        r.stderr,
        /SBOM_SIGNER_NOT_ADMITTED: bundle: .*not one of team web's registered keys/,
      );
      assert.deepEqual(await snapshot(srv.services), was);
    });

    it("refuses another team's identity, and another team's publisher sees no SBOM", async () => {
      const s = await cli(['sign', 'sbom.json', '--key', 'ops.key', '-o', 'ops.bundle']);
      assert.equal(s.code, 0, s.stderr);
      const id = await currentId();
      const body = readFileSync(join(dir, 'ops.bundle'));
      const viewer = await tokenFor(srv.services, 'viewer', ['web']);
      const was = await snapshot(srv.services);
      const r = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body,
        contentType: 'application/json',
      });
      assert.equal(r.status, 422, r.text);
      assert.equal(errorCode(r), 'SBOM_SIGNER_NOT_ADMITTED');
      const other = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: ops,
        body,
        contentType: 'application/json',
      });
      assert.equal(other.status, 404, other.text);
      assert.equal(errorCode(other), 'INVENTORY_NOT_FOUND');
      const read = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: viewer,
        body,
        contentType: 'application/json',
      });
      assert.equal(read.status, 403, read.text);
      assert.deepEqual(await snapshot(srv.services), was);
    });

    it('refuses malformed bundles with coded 4xx answers', async () => {
      const id = await currentId();
      const cases: [string, number, string][] = [
        ['not json', 400, 'JSON_PARSE'],
        [
          '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}',
          400,
          'SIGN_BUNDLE_MALFORMED',
        ],
      ];
      for (const [body, status, code] of cases) {
        const r = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
          token: web,
          body,
          contentType: 'application/json',
        });
        assert.equal(r.status, status, r.text);
        assert.equal(errorCode(r), code);
      }
      const missing = await call(srv, 'POST', '/api/v1/sboms/999999/bundles', {
        token: web,
        body: '{}',
        contentType: 'application/json',
      });
      assert.equal(missing.status, 404);
      const png = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body: '{}',
        contentType: 'image/png',
      });
      assert.equal(png.status, 415, png.text);
    });

    it('a tampered SBOM (one byte changed) does not verify; its new version is unsigned', async () => {
      const tampered = `${pem('sbom.json')} `;
      const p = await push(srv, web, tampered, { product: 'demo', release: '1.0.0' });
      assert.equal(p.status, 201, p.text);
      const id = p.json.sbom.id;
      const was = await snapshot(srv.services);
      const r = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body: readFileSync(join(dir, 'sbom.bundle')),
        contentType: 'application/json',
      });
      assert.equal(r.status, 422, r.text);
      assert.equal(errorCode(r), 'SBOM_BUNDLE_UNVERIFIED');
      assert.equal(r.json.error.details.reason, 'SIGN_ARTIFACT_MISMATCH');
      assert.deepEqual(await snapshot(srv.services), was);
      // The attestation names the original's digest as its subject: refused as well.
      const att = await call(srv, 'POST', `/api/v1/sboms/${id}/bundles`, {
        token: web,
        body: readFileSync(join(dir, 'att.bundle')),
        contentType: 'application/json',
      });
      assert.equal(att.status, 422, att.text);
      assert.equal(errorCode(att), 'SBOM_BUNDLE_UNVERIFIED');
      const f = (await call(srv, 'GET', '/api/v1/portfolio', { token: web })).json;
      assert.equal(f.signed.signedSboms, 0);
      assert.equal(f.coverage.artifactsWithSignedSbom, 0);
      assert.deepEqual(f.signed.teams, [
        { team: 'web', currentSboms: 1, signedSboms: 0, share: 0 },
      ]);
      writeFileSync(join(dir, 'tampered.json'), tampered);
    });

    it('one transaction: when the audit record cannot be written, nothing stays', async () => {
      const s = await cli(['sign', 'tampered.json', '--key', 'release.key', '-o', 't.bundle']);
      assert.equal(s.code, 0, s.stderr);
      const id = await currentId();
      const principal = await srv.custody.auth.authenticate(web);
      const was = await snapshot(srv.services);
      // audit_events.source is NOT NULL: the audit insert fails after the signature row and the
      // blob were written in the same transaction.
      await assert.rejects(
        attachSbomBundle(
          srv.services,
          { principal, source: null as unknown as string },
          {
            sbomId: id,
            bytes: readFileSync(join(dir, 't.bundle')),
          },
        ),
      );
      assert.deepEqual(await snapshot(srv.services), was);
      const view = (await call(srv, 'GET', `/api/v1/sboms/${id}`, { token: web })).json;
      assert.equal(view.signed, false);
      assert.deepEqual(view.signatures, []);
      // With a caller that can be audited, the same bundle signs it.
      const ok = await attachSbomBundle(
        srv.services,
        { principal, source: '127.0.0.1' },
        {
          sbomId: id,
          bytes: readFileSync(join(dir, 't.bundle')),
        },
      );
      assert.equal(ok.created, true);
    });

    it('an attestation of a 2,000-component SBOM made without a log is logged by Custody', async () => {
      const components = Array.from({ length: 2000 }, (_, i) => ({
        type: 'library',
        'bom-ref': `pkg:npm/package-${i}@1.0.${i % 100}`,
        name: `package-${i}`,
        version: `1.0.${i % 100}`,
        purl: `pkg:npm/package-${i}@1.0.${i % 100}`,
        hashes: [{ alg: 'SHA-256', content: i.toString(16).padStart(64, '0') }],
        licenses: [{ license: { id: 'MIT' } }],
      }));
      const big = JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        metadata: { component: { type: 'application', name: 'big-app', version: '1.0.0' } },
        components,
      });
      writeFileSync(join(dir, 'big.json'), big);
      const a = await cli(
        ['attest', 'big.json', '--predicate', 'big.json', '--type', 'cyclonedx'].concat([
          '--key',
          'release.key',
          '--no-log',
          '-o',
          'big.bundle',
        ]),
      );
      assert.equal(a.code, 0, a.stderr);
      assert.ok(readFileSync(join(dir, 'big.bundle')).byteLength > 500_000);
      const r = await cli(['push', 'sbom', 'big.json', '--bundle', 'big.bundle', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const [out] = JSON.parse(r.stdout);
      assert.equal(out.sbom.componentCount, 2000);
      assert.equal(out.signature.loggedBy, 'custody');
      const entry = await call(srv, 'GET', `/api/v1/tlog/entries/${out.signature.logIndex}`);
      assert.equal(entry.json.kind, 'dsse');
    });

    async function currentId(): Promise<number> {
      const r = await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0', { token: web });
      const sboms = r.json.artifacts[0].sboms as { id: number; current: boolean }[];
      return (sboms.find((x) => x.current) as { id: number }).id;
    }
  });
}
