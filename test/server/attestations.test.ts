import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { provenancePredicate } from '../helpers/provenance.js';
import {
  BACKENDS,
  call,
  errorCode,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Provenance stored per release artifact, through a served instance and the CLI as a user runs
 * it: `custody attest --type slsaprovenance1` with the key the team registered, `custody push
 * attestation`, the assessment rising from L0 to L2 as evidence and trust are added, the ticket
 * shown with the release; refusals (another subject, another team's key, a viewer, garbage, a
 * malformed predicate, a message signature) change nothing.
 */
for (const backend of BACKENDS) {
  describe(`release attestations (${backend})`, () => {
    let srv: TestServer;
    let dir: string;
    let admin: string;
    let web: string;
    let ops: string;
    let viewer: string;
    let artifact: string;
    const path = '/api/v1/products/demo/releases/1.0.0';

    async function cli(argv: string[], token?: string) {
      let stdout = '';
      let stderr = '';
      const io: CliIO = {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: { CUSTODY_URL: srv.base, CUSTODY_TOKEN: token ?? web },
        cwd: dir,
      };
      const code = await run(argv, io);
      return { code, stdout, stderr };
    }
    const file = (f: string) => readFileSync(join(dir, f));
    const attest = async (subject: string, predicate: string, key: string, out: string) => {
      const a = await cli(
        ['attest', subject, '--type', 'slsaprovenance1', '--predicate', predicate].concat([
          '--key',
          key,
          '-o',
          out,
        ]),
      );
      assert.equal(a.code, 0, a.stderr);
      return file(out);
    };
    const pushBundle = (body: Uint8Array | string, token = web) =>
      call(srv, 'POST', `${path}/attestations`, {
        token,
        body,
        contentType: 'application/json',
      });

    before(async () => {
      srv = await startServer(backend);
      dir = mkdtempSync(join(tmpdir(), 'custody-attestations-'));
      admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
      for (const name of ['web', 'ops']) {
        const t = await call(srv, 'POST', '/api/v1/teams', { token: admin, body: { name } });
        assert.equal(t.status, 201, t.text);
      }
      web = await tokenFor(srv.services, 'publisher', ['web'], 'wes');
      ops = await tokenFor(srv.services, 'publisher', ['ops'], 'oli');
      viewer = await tokenFor(srv.services, 'viewer', ['web'], 'vic');
      writeFileSync(join(dir, 'sbom.json'), (await sbomFixtures()).demo);
      writeFileSync(join(dir, 'app.bin'), 'the release binary\n');
      writeFileSync(join(dir, 'other.bin'), 'some other binary\n');
      artifact = sha256(file('app.bin'));
      writeFileSync(join(dir, 'p.json'), JSON.stringify(provenancePredicate()));
      for (const k of ['release', 'ops']) {
        const g = await cli(['keys', 'generate', '-o', `${k}.key`]);
        assert.equal(g.code, 0, g.stderr);
      }
      const set = async (team: string, f: string, name: string) => {
        const r = await call(srv, 'PUT', `/api/v1/teams/${team}/signing-identities`, {
          token: admin,
          body: { identities: [{ publicKey: file(f).toString(), name }] },
        });
        assert.equal(r.status, 200, r.text);
      };
      await set('web', 'release.pub', 'web release key');
      await set('ops', 'ops.pub', 'ops release key');
      const pushed = await cli(
        ['push', 'sbom', 'sbom.json', '--product', 'demo', '--release', '1.0.0'].concat([
          '--artifact',
          artifact,
          '--ticket',
          'CHG-123',
          '--commit',
          'c'.repeat(40),
        ]),
      );
      assert.equal(pushed.code, 0, pushed.stderr);
    });

    after(async () => {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the ticket is part of the release and of its assessment; L0 before any provenance', async () => {
      const rel = await call(srv, 'GET', path, { token: viewer });
      assert.equal(rel.json.ticket, 'CHG-123');
      const a = await cli(['slsa', 'assess', 'demo@1.0.0', '--json'], viewer);
      assert.equal(a.code, 0, a.stderr);
      const j = JSON.parse(a.stdout);
      assert.equal(j.level, 0);
      assert.equal(j.ticket, 'CHG-123');
      assert.deepEqual(
        j.gaps.map((g: { code: string }) => g.code),
        ['SLSA_NO_PROVENANCE'],
      );
      assert.deepEqual(j.releaseCommit.commit, 'c'.repeat(40));
      assert.equal(j.releaseCommit.signed, 'unknown');
      const req = await cli(['slsa', 'assess', 'demo@1.0.0', '--require', 'L1'], viewer);
      assert.equal(req.code, 1);
      assert.match(req.stdout, /demo 1\.0\.0: SLSA Build L0 \(ticket CHG-123\)/);
      const set = await cli(['release', 'set', 'demo@1.0.0', '--ticket', 'CHG-124']);
      assert.equal(set.code, 0, set.stderr);
      assert.equal((await call(srv, 'GET', path, { token: viewer })).json.ticket, 'CHG-124');
    });

    it('push attestation: stored per artifact with what the provenance says, logged and audited', async () => {
      const bundle = await attest('app.bin', 'p.json', 'release.key', 'prov.bundle');
      const pushed = await cli([
        'push',
        'attestation',
        'prov.bundle',
        '--product',
        'demo',
        '--release',
        '1.0.0',
      ]);
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.match(
        pushed.stdout,
        /^stored {2}prov\.bundle → demo 1\.0\.0 sha256:[0-9a-f]{64}: https:\/\/slsa\.dev\/provenance\/v1 by builder https:\/\/ci\.example\/jenkins, signed by key web release key, log index \d+$/m,
      );
      const list = await call(srv, 'GET', `${path}/attestations`, { token: viewer });
      assert.equal(list.status, 200, list.text);
      assert.equal(list.json.items.length, 1);
      const a = list.json.items[0];
      assert.equal(a.artifact, artifact);
      assert.equal(a.bundleDigest, sha256(bundle));
      assert.deepEqual(srv.services.blobs.get(a.bundleDigest), bundle);
      assert.deepEqual(a.signer.kind, 'key');
      assert.deepEqual(a.provenance, {
        builderId: 'https://ci.example/jenkins',
        buildType: 'https://ci.example/buildtypes/make/v1',
        externalParameters: true,
        source: {
          uri: 'git+https://git.example/acme/app',
          digest: `gitCommit:${'a'.repeat(40)}`,
          ref: 'refs/tags/v1.0.0',
        },
        dependencies: 3,
        pinned: 2,
      });
      assert.equal(a.loggedBy, 'bundle');
      const audit = await call(srv, 'GET', '/api/v1/audit?action=release.attest', {
        token: admin,
      });
      assert.equal(audit.json.items.length, 1);
      assert.equal(audit.json.items[0].person, 'wes');
      const again = await pushBundle(bundle);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.created, false);
    });

    it('assessment: L1 from an untrusted builder; L2 once the team trusts it; a key caps at L2', async () => {
      const l1 = await call(srv, 'GET', `${path}/slsa`, { token: viewer });
      assert.equal(l1.status, 200, l1.text);
      assert.equal(l1.json.level, 1);
      assert.deepEqual(
        l1.json.gaps.map((g: { code: string }) => g.code),
        ['SLSA_BUILDER_UNTRUSTED'],
      );
      assert.deepEqual(l1.json.dependencies, { total: 3, pinned: 2, ratio: 2 / 3 });
      const denied = await call(srv, 'PUT', '/api/v1/teams/web/slsa', {
        token: web,
        body: { builders: [] },
      });
      assert.equal(denied.status, 403, denied.text);
      const bad = await call(srv, 'PUT', '/api/v1/teams/web/slsa', {
        token: admin,
        body: { builders: [{ builderId: 'https://ci.example/jenkins', level: 4 }] },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(errorCode(bad), 'SLSA_SETTINGS_INVALID');
      const set = await call(srv, 'PUT', '/api/v1/teams/web/slsa', {
        token: admin,
        body: {
          builders: [{ builderId: 'https://ci.example/jenkins', key: 'web release key', level: 3 }],
          supplierLevel: 2,
        },
      });
      assert.equal(set.status, 200, set.text);
      const l2 = await cli(['slsa', 'assess', 'demo@1.0.0', '--require', 'L2'], viewer);
      assert.equal(l2.code, 0, l2.stderr);
      assert.match(l2.stdout, /SLSA Build L2/);
      assert.match(l2.stdout, /builder https:\/\/ci\.example\/jenkins is trusted up to L3/);
      assert.match(l2.stdout, /gaps to L3:\n {2}- SLSA_KEY_SIGNED: /);
      assert.match(l2.stdout, /resolved dependencies: 2\/3 pinned by digest \(66\.7 %\)/);
      assert.match(l2.stdout, /reproducible: unknown/);
      const l3 = await cli(['slsa', 'assess', 'demo@1.0.0', '--require', 'L3'], viewer);
      assert.equal(l3.code, 1);
      const metrics = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(metrics.text, /^custody_releases_slsa_level\{level="2"\} 1$/m);
      assert.match(metrics.text, /^custody_resolved_dependencies\{state="pinned"\} 2$/m);
      assert.match(metrics.text, /^custody_resolved_dependencies\{state="floating"\} 1$/m);
    });

    it('refuses another subject, another team, a viewer and garbage, changing nothing', async () => {
      const other = await attest('other.bin', 'p.json', 'release.key', 'other.bundle');
      const opsSigned = await attest('app.bin', 'p.json', 'ops.key', 'ops.bundle');
      writeFileSync(join(dir, 'broken.json'), JSON.stringify({ buildDefinition: 'x' }));
      const broken = await attest('app.bin', 'broken.json', 'release.key', 'broken.bundle');
      const message = await cli(['sign', 'app.bin', '--key', 'release.key', '-o', 'msg.bundle']);
      assert.equal(message.code, 0, message.stderr);
      const was = await snapshot(srv.services);

      const mismatch = await pushBundle(other);
      assert.equal(mismatch.status, 422, mismatch.text);
      assert.equal(errorCode(mismatch), 'ATTESTATION_SUBJECT_MISMATCH');
      const viaCli = await cli([
        'push',
        'attestation',
        'other.bundle',
        '--product',
        'demo',
        '--release',
        '1.0.0',
      ]);
      assert.equal(viaCli.code, 1);
      assert.match(viaCli.stderr, /ATTESTATION_SUBJECT_MISMATCH/);

      const notAdmitted = await pushBundle(opsSigned);
      assert.equal(notAdmitted.status, 422, notAdmitted.text);
      assert.equal(errorCode(notAdmitted), 'ATTESTATION_SIGNER_NOT_ADMITTED');
      // Another team's publisher does not see web's release at all.
      const otherTeam = await pushBundle(file('prov.bundle'), ops);
      assert.equal(otherTeam.status, 404, otherTeam.text);
      const asViewer = await pushBundle(file('prov.bundle'), viewer);
      assert.equal(asViewer.status, 403, asViewer.text);
      const garbage = await pushBundle('{"mediaType":');
      assert.equal(garbage.status, 400, garbage.text);
      const malformed = await pushBundle(broken);
      assert.equal(malformed.status, 400, malformed.text);
      assert.equal(errorCode(malformed), 'ATTESTATION_STATEMENT_INVALID');
      const msg = await pushBundle(file('msg.bundle'));
      assert.equal(msg.status, 422, msg.text);
      assert.equal(errorCode(msg), 'ATTESTATION_BUNDLE_UNVERIFIED');
      const noRelease = await call(srv, 'POST', '/api/v1/products/demo/releases/9.9/attestations', {
        token: web,
        body: file('prov.bundle'),
        contentType: 'application/json',
      });
      assert.equal(noRelease.status, 404, noRelease.text);

      assert.deepEqual(await snapshot(srv.services), was);
    });
  });
}

/**
 * L3: provenance signed keylessly by a builder identity the team trusts at L3 (in production a
 * reusable workflow such as slsa-github-generator's; here the dev OIDC issuer's subject stands in
 * for it), against the in-process CA and log.
 */
describe('release attestations: keyless L3 (sqlite)', () => {
  let srv: TestServer;
  let dir: string;
  const WORKFLOW = 'https://ci.example/acme/app/.github/workflows/build.yml@refs/tags/v1.0.0';
  const BUILDER = 'https://ci.example/acme/isolated-builder@v1';

  before(async () => {
    srv = await startServer('sqlite', { keyless: true });
    dir = mkdtempSync(join(tmpdir(), 'custody-attestations-l3-'));
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a keyless signature by an isolated builder trusted at L3 reaches L3; the same builder trusted at L2 stays L2', async () => {
    const admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
    assert.equal(
      (await call(srv, 'POST', '/api/v1/teams', { token: admin, body: { name: 'web' } })).status,
      201,
    );
    const web = await tokenFor(srv.services, 'publisher', ['web'], 'wes');
    const issuer = `${srv.base.replace(/:\d+$/, ':0')}/dev-oidc`;
    const set = await call(srv, 'PUT', '/api/v1/teams/web/signing-identities', {
      token: admin,
      body: { identities: [{ issuer, subject: 'https://ci\\.example/.*' }] },
    });
    assert.equal(set.status, 200, set.text);
    writeFileSync(join(dir, 'sbom.json'), (await sbomFixtures()).demo);
    writeFileSync(join(dir, 'app.bin'), 'the release binary\n');
    writeFileSync(join(dir, 'p.json'), JSON.stringify(provenancePredicate({ builderId: BUILDER })));
    const cli = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await run(argv, {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: { CUSTODY_URL: srv.base, CUSTODY_TOKEN: web, CUSTODY_DEV_OIDC_SUBJECT: WORKFLOW },
        cwd: dir,
      });
      return { code, stdout, stderr };
    };
    const artifact = sha256(readFileSync(join(dir, 'app.bin')));
    const pushed = await cli(
      ['push', 'sbom', 'sbom.json', '--product', 'demo', '--release', '1.0.0'].concat([
        '--artifact',
        artifact,
      ]),
    );
    assert.equal(pushed.code, 0, pushed.stderr);
    const a = await cli(
      ['attest', 'app.bin', '--type', 'slsaprovenance1', '--predicate', 'p.json'].concat([
        '-o',
        'k.bundle',
      ]),
    );
    assert.equal(a.code, 0, a.stderr);
    const p = await cli([
      'push',
      'attestation',
      'k.bundle',
      '--product',
      'demo',
      '--release',
      '1.0.0',
      '--json',
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(JSON.parse(p.stdout).attestations[0].signer, {
      kind: 'identity',
      identity: WORKFLOW,
      issuer,
    });
    const trust = (level: number) =>
      call(srv, 'PUT', '/api/v1/teams/web/slsa', {
        token: admin,
        body: {
          builders: [
            {
              builderId: 'https://ci.example/acme/isolated-builder@*',
              identity: 'https://ci.example/acme/app/.github/workflows/build.yml@refs/tags/*',
              issuer,
              level,
            },
          ],
        },
      });
    assert.equal((await trust(2)).status, 200);
    const l2 = await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0/slsa', { token: web });
    assert.equal(l2.json.level, 2, l2.text);
    assert.deepEqual(
      l2.json.gaps.map((g: { code: string }) => g.code),
      ['SLSA_BUILDER_NOT_ISOLATED'],
    );
    assert.equal((await trust(3)).status, 200);
    const l3 = await call(srv, 'GET', '/api/v1/products/demo/releases/1.0.0/slsa', { token: web });
    assert.equal(l3.json.level, 3, l3.text);
    assert.deepEqual(l3.json.gaps, []);
  });
});
