import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { provenancePredicate } from '../helpers/provenance.js';
import {
  BACKENDS,
  call,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * `custody slsa rebuild-check` and `custody supplier import` as a user runs them against a served
 * instance: a deterministic rebuild matches; a nondeterministic one (with a changed lockfile) does
 * not, and the SBOM of the rebuilt tree is diffed with the release's; a vendor's binary with a
 * signed SBOM and provenance is taken in at the required level and refused below it.
 */
for (const backend of BACKENDS) {
  describe(`custody slsa rebuild-check and supplier import (${backend})`, () => {
    let srv: TestServer;
    let dir: string;
    let admin: string;
    let web: string;
    const BUILD = "printf 'app 1.0.0\\n' > app.bin";

    async function cli(argv: string[], token?: string) {
      let stdout = '';
      let stderr = '';
      const io: CliIO = {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: { CUSTODY_URL: srv.base, CUSTODY_TOKEN: token ?? web, PATH: process.env['PATH'] },
        cwd: dir,
      };
      const code = await run(argv, io);
      return { code, stdout, stderr };
    }
    const ok = async (argv: string[]) => {
      const r = await cli(argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      return r;
    };

    before(async () => {
      srv = await startServer(backend);
      dir = mkdtempSync(join(tmpdir(), 'custody-slsa-cli-'));
      admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
      assert.equal(
        (await call(srv, 'POST', '/api/v1/teams', { token: admin, body: { name: 'web' } })).status,
        201,
      );
      web = await tokenFor(srv.services, 'publisher', ['web'], 'wes');
      await ok(['keys', 'generate', '-o', 'release.key']);
      const set = await call(srv, 'PUT', '/api/v1/teams/web/signing-identities', {
        token: admin,
        body: {
          identities: [
            { publicKey: readFileSync(join(dir, 'release.pub'), 'utf8'), name: 'release' },
          ],
        },
      });
      assert.equal(set.status, 200, set.text);
      // The release: a checkout of the demo app, built by a deterministic command.
      cpSync(join(REPO_ROOT, 'examples/demo-app'), join(dir, 'proj'), { recursive: true });
      await ok(['sbom', 'generate', join(dir, 'proj'), '-o', join(dir, 'sbom.json')]);
      writeFileSync(join(dir, 'proj', 'app.bin'), 'app 1.0.0\n');
      await ok([
        'push',
        'sbom',
        'sbom.json',
        '--product',
        'shop',
        '--release',
        '1.0.0',
        '--artifact',
        sha256('app 1.0.0\n'),
      ]);
    });

    after(async () => {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a deterministic rebuild matches the released digest and is stored', async () => {
      const r = await ok([
        'slsa',
        'rebuild-check',
        'shop@1.0.0',
        '--artifact',
        'proj/app.bin',
        '--workdir',
        'proj',
        '--command',
        BUILD,
        '--output',
        'app.bin',
      ]);
      assert.match(r.stdout, /^reproducible {2}shop 1\.0\.0: expected sha256:/);
      const list = await call(srv, 'GET', '/api/v1/products/shop/releases/1.0.0/rebuild-checks', {
        token: web,
      });
      assert.equal(list.json.items.length, 1);
      assert.equal(list.json.items[0].matches, true);
      assert.equal(list.json.items[0].command, BUILD);
      assert.equal(list.json.items[0].sbomDiff, null);
      const a = await call(srv, 'GET', '/api/v1/products/shop/releases/1.0.0/slsa', { token: web });
      assert.equal(a.json.reproducible.verdict, 'reproducible');
    });

    it('a nondeterministic rebuild of a changed tree: not reproducible (exit 1), with the SBOM diff', async () => {
      // The tree has moved on (demo-app 1.1's lockfile) and the build stamps random bytes.
      for (const f of ['package.json', 'package-lock.json']) {
        cpSync(join(REPO_ROOT, 'examples/demo-app-1.1', f), join(dir, 'proj', f));
      }
      const r = await cli([
        'slsa',
        'rebuild-check',
        'shop@1.0.0',
        '--workdir',
        'proj',
        '--command',
        'head -c 16 /dev/urandom > app.bin',
        '--output',
        'app.bin',
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^NOT reproducible {2}shop 1\.0\.0/);
      assert.match(
        r.stdout,
        /SBOM diff \(release → rebuilt tree\): added \d+, removed \d+, upgraded [1-9]/,
      );
      const list = await call(srv, 'GET', '/api/v1/products/shop/releases/1.0.0/rebuild-checks', {
        token: web,
      });
      const last = list.json.items[1];
      assert.equal(last.matches, false);
      assert.ok(last.sbomDiff.summary.upgraded >= 1, JSON.stringify(last.sbomDiff));
      assert.ok(
        last.sbomDiff.upgraded.some((u: { to?: string }) => JSON.stringify(u).includes('4.17.21')),
        JSON.stringify(last.sbomDiff.upgraded),
      );
      const a = await cli(['slsa', 'assess', 'shop@1.0.0']);
      assert.match(a.stdout, /reproducible: not-reproducible/);
      const metrics = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(metrics.text, /^custody_rebuild_fidelity_ratio 0\.5$/m);
      assert.match(metrics.text, /^custody_rebuild_checks\{outcome="mismatch"\} 1$/m);
    });

    it('--sbom-command: the rebuilt tree described by the user’s own SBOM tool', async () => {
      await ok([
        'sbom',
        'generate',
        join(REPO_ROOT, 'examples/demo-app-1.1'),
        '-o',
        join(dir, 'tool-sbom.json'),
      ]);
      const r = await cli([
        'slsa',
        'rebuild-check',
        'shop@1.0.0',
        '--workdir',
        'proj',
        '--command',
        "printf 'other\\n' > app.bin",
        '--output',
        'app.bin',
        '--sbom-command',
        `cat ${JSON.stringify(join(dir, 'tool-sbom.json'))}`,
        '--json',
      ]);
      assert.equal(r.code, 1, r.stderr);
      const stored = JSON.parse(r.stdout);
      assert.equal(stored.matches, false);
      assert.ok(stored.sbomDiff.summary.upgraded >= 1, r.stdout);
      const failing = await cli([
        'slsa',
        'rebuild-check',
        'shop@1.0.0',
        '--workdir',
        'proj',
        '--command',
        "printf 'other\\n' > app.bin",
        '--output',
        'app.bin',
        '--sbom-command',
        'exit 1',
      ]);
      assert.equal(failing.code, 2);
      assert.match(failing.stderr, /The SBOM command failed/);
    });

    it('a rebuild command that fails is a usage error (exit 2), nothing stored', async () => {
      const was = await snapshot(srv.services);
      const r = await cli([
        'slsa',
        'rebuild-check',
        'shop@1.0.0',
        '--workdir',
        'proj',
        '--command',
        'exit 3',
        '--output',
        'app.bin',
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /The rebuild command failed \(exit 3\)/);
      assert.deepEqual(await snapshot(srv.services), was);
    });

    it('supplier import: refused below the required level (nothing stored), taken in at it', async () => {
      writeFileSync(join(dir, 'vendor.bin'), 'vendor library 2.0\n');
      await ok(['sbom', 'generate', join(dir, 'proj'), '-o', join(dir, 'vendor-sbom.json')]);
      await ok(['sign', 'vendor-sbom.json', '--key', 'release.key', '-o', 'vendor-sbom.bundle']);
      writeFileSync(
        join(dir, 'vp.json'),
        JSON.stringify(provenancePredicate({ builderId: 'https://vendor.example/builder' })),
      );
      await ok(
        ['attest', 'vendor.bin', '--type', 'slsaprovenance1', '--predicate', 'vp.json'].concat([
          '--key',
          'release.key',
          '-o',
          'vendor.prov',
        ]),
      );
      const intake = (extra: string[] = []) =>
        cli(
          ['supplier', 'import', 'vendor.bin', '--sbom', 'vendor-sbom.json'].concat(
            ['--sbom-bundle', 'vendor-sbom.bundle', '--provenance', 'vendor.prov'],
            ['--product', 'vendor-lib', '--release', '2.0', '--vendor', 'Acme'],
            extra,
          ),
        );
      const was = await snapshot(srv.services);
      const below = await intake(['--require-level', 'L2']);
      assert.equal(below.code, 1, below.stderr);
      assert.match(
        below.stderr,
        /SLSA_LEVEL_BELOW_REQUIRED: The vendor's provenance supports SLSA Build L1; L2 is required/,
      );
      // Provenance about another binary is refused too.
      writeFileSync(join(dir, 'other.bin'), 'not the vendor binary\n');
      const other = await cli(
        ['supplier', 'import', 'other.bin', '--sbom', 'vendor-sbom.json'].concat([
          '--provenance',
          'vendor.prov',
          '--product',
          'vendor-lib',
          '--release',
          '2.0',
        ]),
      );
      assert.equal(other.code, 1, other.stderr);
      assert.match(other.stderr, /ATTESTATION_SUBJECT_MISMATCH/);
      for (const body of ['not json', '[]', JSON.stringify({ product: 'vendor-lib' })]) {
        const bad = await call(srv, 'POST', '/api/v1/supplier-intakes', {
          token: web,
          body,
          contentType: 'application/json',
        });
        assert.equal(bad.status, 400, bad.text);
        assert.equal(bad.json.error.code, 'REQUEST_INVALID');
      }
      assert.deepEqual(await snapshot(srv.services), was);

      const set = await call(srv, 'PUT', '/api/v1/teams/web/slsa', {
        token: admin,
        body: {
          builders: [{ builderId: 'https://vendor.example/builder', key: 'release', level: 2 }],
          supplierLevel: 2,
        },
      });
      assert.equal(set.status, 200, set.text);
      const taken = await intake();
      assert.equal(taken.code, 0, taken.stderr);
      assert.match(
        taken.stdout,
        /^imported {2}vendor\.bin \(sha256:[0-9a-f]{64}\) as vendor-lib 2\.0 from Acme: SLSA Build L2 \(required L2\); SBOM \d+, signed$/m,
      );
      const product = await call(srv, 'GET', '/api/v1/products/vendor-lib', { token: web });
      assert.equal(product.json.supplier, true);
      const rel = await call(srv, 'GET', '/api/v1/products/vendor-lib/releases/2.0', {
        token: web,
      });
      assert.equal(rel.json.artifacts[0].digest, sha256('vendor library 2.0\n'));
      assert.equal(rel.json.artifacts[0].sboms[0].signed, true);
      // The evidence gauges are computed at most once a second (one scrape reads one snapshot).
      await new Promise((r) => setTimeout(r, 1100));
      const metrics = await call(srv, 'GET', '/metrics', { token: admin });
      assert.match(metrics.text, /^custody_supplier_products 1$/m);
      assert.match(metrics.text, /^custody_supplier_provenance_coverage_ratio 1$/m);
      const audit = await call(srv, 'GET', '/api/v1/audit?action=supplier.intake', {
        token: admin,
      });
      assert.equal(audit.json.items.length, 1);
    });
  });
}
