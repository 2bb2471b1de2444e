import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';

/** Run the CLI in-process with captured streams. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const RECENT = String(Math.floor(Date.now() / 1000) - 3600);
const DEMO = join(REPO_ROOT, 'examples/demo-app');
const DEMO11 = join(REPO_ROOT, 'examples/demo-app-1.1');

async function generated(dir: string, name: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'custody-cli-')), name);
  // Reproducible but recent, so the freshness check does not mark the SBOM old.
  const r = await cli(['sbom', 'generate', dir, '-o', out], { SOURCE_DATE_EPOCH: RECENT });
  assert.equal(r.code, 0, r.stderr);
  return out;
}

describe('custody sbom (CLI, in-process)', () => {
  it('--help exits 0 and lists the sbom commands', async () => {
    const r = await cli(['sbom', '--help']);
    assert.equal(r.code, 0);
    for (const c of ['generate', 'validate', 'score', 'check', 'align', 'diff', 'convert']) {
      assert.match(r.stdout, new RegExp(c));
    }
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    assert.equal((await cli(['sbom', 'generate', DEMO, '--no-such-flag'])).code, 2);
    assert.equal((await cli(['sbom', 'generate', DEMO, '--format', 'xml'])).code, 2);
  });

  it('generate writes the output file only, atomically', async () => {
    const out = await generated(DEMO, 'demo.cdx.json');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { components: unknown[] };
    assert.equal(doc.components.length, 75);
    assert.deepEqual(readdirSync(join(out, '..')), ['demo.cdx.json']);
  });

  it('generate to stdout when no -o is given', async () => {
    const r = await cli(['sbom', 'generate', DEMO, '--format', 'spdx-json']);
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as { spdxVersion: string }).spdxVersion, 'SPDX-2.3');
  });

  it('a missing input is exit 2 with a coded message, and no output file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'custody-cli-')), 'x.json');
    const r = await cli(['sbom', 'generate', '/no/such/dir', '-o', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /FILE_NOT_FOUND/);
    assert.equal(existsSync(out), false);
  });

  it('validate: 0 for valid, 1 for invalid (with JSON pointers), 2 for unreadable', async () => {
    assert.equal(
      (await cli(['sbom', 'validate', conformancePath('cyclonedx/1.6/valid-bom-1.6.json')])).code,
      0,
    );
    const bad = await cli([
      'sbom',
      'validate',
      conformancePath('cyclonedx/1.6/invalid-hash-sha256-1.6.json'),
      '--json',
    ]);
    assert.equal(bad.code, 1);
    const body = JSON.parse(bad.stdout) as { valid: boolean; errors: { pointer: string }[] };
    assert.equal(body.valid, false);
    assert.ok(body.errors.some((e) => e.pointer.startsWith('/components/0/hashes')));
    const dir = mkdtempSync(join(tmpdir(), 'custody-cli-'));
    writeFileSync(join(dir, 'junk.json'), '{"not":"an sbom"}');
    const junk = await cli(['sbom', 'validate', join(dir, 'junk.json')]);
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /SBOM_FORMAT_UNKNOWN/);
  });

  it('score prints the breakdown; --json is machine-readable', async () => {
    const sbom = await generated(DEMO, 'a.json');
    const r = await cli(['sbom', 'score', sbom, '--json']);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout) as { score: number; categories: unknown[] };
    assert.ok(report.score >= 9, `score ${report.score}`);
    assert.ok(report.categories.length >= 5);
  });

  it('check: passes the default gate on a complete SBOM, exit 1 listing failures under a stricter policy', async () => {
    const sbom = await generated(DEMO, 'a.json');
    assert.equal((await cli(['sbom', 'check', sbom])).code, 0);
    const dir = mkdtempSync(join(tmpdir(), 'custody-cli-'));
    const policy = join(dir, 'gate.yaml');
    writeFileSync(policy, 'minScore: 9.9\nrequire: [identification.cpe]\ndenyLicenses: [MIT]\n');
    const r = await cli(['sbom', 'check', sbom, '--policy', policy]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /identification\.cpe/);
    assert.match(r.stdout, /lodash/);
  });

  it('check: a real npm lockfile passes the default gate with warnings listed apart (exit 0)', async () => {
    // x-tag's v1 lockfile: 374 packages only ever bundled (npm records no hash), no licences.
    const sbom = await generated(
      conformancePath('lockfiles/npm/cdxgen__x-tag.package-lock.v1.json'),
      'x-tag.json',
    );
    const r = await cli(['sbom', 'check', sbom]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^Quality gate: passed with 2 warnings$/m);
    assert.match(r.stdout, /^Warnings \(flagged for follow-up; they do not fail the gate\):$/m);
    assert.match(r.stdout, /^! integrity\.hash: 374 components to follow up/m);
    assert.match(r.stdout, /^! licensing\.valid-spdx: 571 components to follow up/m);
    assert.doesNotMatch(r.stdout, /^✗/m);
    const json = await cli(['sbom', 'check', sbom, '--json']);
    assert.equal(json.code, 0);
    const body = JSON.parse(json.stdout) as {
      passed: boolean;
      failures: unknown[];
      warnings: { check: string }[];
    };
    assert.deepEqual(
      [body.passed, body.failures.length, body.warnings.map((w) => w.check)],
      [true, 0, ['integrity.hash', 'licensing.valid-spdx']],
    );
    // The same SBOM under the README's gate.yaml: the strong-hash check blocks.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const yaml = /```yaml\n# gate\.yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const policy = join(mkdtempSync(join(tmpdir(), 'custody-cli-')), 'gate.yaml');
    writeFileSync(policy, yaml);
    const strict = await cli(['sbom', 'check', sbom, '--policy', policy]);
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stdout, /^✗ integrity\.strong-hash:/m);
    assert.match(strict.stdout, /^! licensing\.valid-spdx:/m);
  });

  it('validate: a duplicate bom-ref and a control character are exit 1 with their pointers; a bad purl warns', async () => {
    const sbom = await generated(DEMO, 'v.json');
    const doc = JSON.parse(readFileSync(sbom, 'utf8')) as {
      components: Record<string, unknown>[];
    };
    const [a, b, c] = doc.components;
    assert.ok(a && b && c);
    b['bom-ref'] = a['bom-ref'];
    c['name'] = 'x\u202Ey';
    const bad = join(mkdtempSync(join(tmpdir(), 'custody-cli-')), 'bad.json');
    writeFileSync(bad, JSON.stringify(doc));
    const r = await cli(['sbom', 'validate', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /INVALID, 2 error\(s\)/);
    assert.match(
      r.stdout,
      /^ {2}\/components\/1\/bom-ref: bom-ref .* is already used by \/components\/0.* \[uniqueBomRef\]$/m,
    );
    assert.match(r.stdout, /^ {2}\/components\/2\/name: .*U\+202E.* \[controlCharacter\]$/m);
    delete b['bom-ref'];
    c['name'] = 'y';
    c['purl'] = 'npm/y@1';
    writeFileSync(bad, JSON.stringify(doc));
    const w = await cli(['sbom', 'validate', bad]);
    assert.equal(w.code, 0, w.stdout);
    assert.match(
      w.stdout,
      /: valid\n1 warning\(s\):\n {2}warning \/components\/2\/purl: "npm\/y@1" is not a valid package URL/,
    );
  });

  it('check: a malformed policy is exit 2 with SBOM_POLICY_INVALID', async () => {
    const sbom = await generated(DEMO, 'a.json');
    const dir = mkdtempSync(join(tmpdir(), 'custody-cli-'));
    writeFileSync(join(dir, 'gate.yaml'), 'minScore: lots\nbogus: 1\n');
    const r = await cli(['sbom', 'check', sbom, '--policy', join(dir, 'gate.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SBOM_POLICY_INVALID/);
  });

  it('align: 0 when SBOM and lockfile agree, 1 on omissions and shadows', async () => {
    const sbom = await generated(DEMO, 'a.json');
    assert.equal((await cli(['sbom', 'align', sbom, DEMO])).code, 0);
    const r = await cli(['sbom', 'align', sbom, DEMO11, '--json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as {
      omissions: { identity: string }[];
      versionMismatches: unknown[];
    };
    assert.ok(report.omissions.some((o) => o.identity === 'npm/chalk'));
    assert.equal(report.versionMismatches.length, 1);
  });

  it('diff: reports the upgrade and additions; --json is stable', async () => {
    const a = await generated(DEMO, 'a.json');
    const b = await generated(DEMO11, 'b.json');
    const r = await cli(['sbom', 'diff', a, b, '--json']);
    assert.equal(r.code, 0);
    const d = JSON.parse(r.stdout) as {
      summary: { added: number; upgraded: number; hashChanged: number };
    };
    assert.deepEqual([d.summary.added, d.summary.upgraded, d.summary.hashChanged], [6, 1, 0]);
    const text = await cli(['sbom', 'diff', a, b]);
    assert.match(text.stdout, /lodash 4\.17\.20 → 4\.17\.21/);
  });

  it('diff --fail-on-hash-change exits 1 when bytes changed at the same version', async () => {
    const a = await generated(DEMO, 'a.json');
    const doc = JSON.parse(readFileSync(a, 'utf8')) as {
      components: { name: string; hashes?: { content: string }[] }[];
    };
    const lodash = doc.components.find((c) => c.name === 'lodash');
    const h = lodash?.hashes?.[0];
    assert.ok(h);
    h.content = `${h.content.startsWith('0') ? '1' : '0'}${h.content.slice(1)}`;
    const b = join(mkdtempSync(join(tmpdir(), 'custody-cli-')), 'b.json');
    writeFileSync(b, JSON.stringify(doc));
    const r = await cli(['sbom', 'diff', a, b, '--fail-on-hash-change']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /lodash/);
  });

  it('convert: CycloneDX → SPDX → CycloneDX keeps every component, losses on stderr', async () => {
    const a = await generated(DEMO, 'a.json');
    const dir = mkdtempSync(join(tmpdir(), 'custody-cli-'));
    const spdx = join(dir, 'a.spdx.json');
    const r1 = await cli(['sbom', 'convert', a, '--to', 'spdx-json', '-o', spdx]);
    assert.equal(r1.code, 0);
    assert.match(r1.stderr, /properties/);
    assert.equal((await cli(['sbom', 'validate', spdx])).code, 0);
    const back = await cli(['sbom', 'convert', spdx, '--to', 'cyclonedx-json']);
    assert.equal(back.code, 0);
    const doc = JSON.parse(back.stdout) as { components: { purl: string }[] };
    const orig = JSON.parse(readFileSync(a, 'utf8')) as { components: { purl: string }[] };
    assert.deepEqual(
      doc.components.map((c) => c.purl).sort(),
      orig.components.map((c) => c.purl).sort(),
    );
  });

  it('demo runs end to end', async () => {
    const out = mkdtempSync(join(tmpdir(), 'custody-demo-'));
    const r = await cli(['demo', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /6\. diff/);
    assert.ok(existsSync(join(out, 'demo-app-1.0.0.spdx.json')));
  });
});
