import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { parseEvidence } from '../../src/policy/index.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { push, sbomFixtures, startServer, type TestServer, tokenFor } from '../helpers/server.js';
import { ARTIFACT, goodEvidence } from '../policy/good-evidence.js';

let dir: string;

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: dir,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

const GATES = `name: gates
version: 1
rules:
  - name: sbom-present
    expression: evidence.sbom.present
    message: no SBOM
  - name: no-critical
    expression: evidence.vulnerabilities.open.critical == 0
    message: open critical vulnerabilities
    level: warn
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'custody-policy-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('custody policy eval --evidence (local)', () => {
  it('prints PASS for every rule of the built-in pack on good evidence and exits 0', async () => {
    const ev = file('good.json', goodEvidence());
    const r = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      ev,
      '--artifact',
      ARTIFACT,
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(r.stdout.match(/^ {2}PASS /gm)?.length, 11, r.stdout);
    assert.match(r.stdout, /^ALLOWED: 11 passed/m);
  });

  it('exits 1 with FAIL and the message when a deny rule fails; --json prints the decision', async () => {
    const e = goodEvidence();
    e.sbom.signed = false;
    const ev = file('unsigned.json', e);
    const r = await cli(['policy', 'eval', '--policy', 'builtin', '--evidence', ev]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /FAIL {2}sbom-signed-attached: no signed SBOM/);
    assert.match(r.stdout, /^DENIED/m);
    const j = await cli(['policy', 'eval', '--policy', 'builtin', '--evidence', ev, '--json']);
    assert.equal(j.code, 1);
    const d = JSON.parse(j.stdout);
    assert.equal(d.allowed, false);
    assert.equal(d.artifact, ARTIFACT);
  });

  it('takes params, and a warn rule that fails does not deny', async () => {
    const ev = file('good2.json', goodEvidence());
    const strict = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      ev,
      '--param',
      'minQualityScore=9.5',
    ]);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /FAIL {2}sbom-quality/);
    const e = goodEvidence();
    e.vulnerabilities.open.critical = 2;
    const warn = await cli([
      'policy',
      'eval',
      '--policy',
      file('gates.yaml', GATES),
      '--evidence',
      file('crit.json', e),
    ]);
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stdout, /WARN {2}no-critical: open critical vulnerabilities/);
    assert.match(warn.stdout, /ALLOWED: 1 passed, 0 failed, 0 errors, 1 warnings/);
  });

  it('exits 2 on a policy that does not compile, is too costly, or on unusable input', async () => {
    const ev = file('good3.json', goodEvidence());
    const cases: [string[], RegExp][] = [
      [
        [
          '--policy',
          file('bad.yaml', GATES.replace('evidence.sbom.present', 'evidence.sbom.present &&')),
        ],
        /POLICY_COMPILE_FAILED/,
      ],
      [
        [
          '--policy',
          file('redos.yaml', GATES.replace('evidence.sbom.present', `'"a".matches("(a+)+$")'`)),
        ],
        /POLICY_TOO_COSTLY/,
      ],
      [['--policy', file('notapolicy.yaml', 'just: text\n')], /POLICY_INVALID/],
      [['--policy', join(dir, 'missing.yaml')], /FILE_NOT_FOUND/],
    ];
    for (const [args, code] of cases) {
      const r = await cli(['policy', 'eval', ...args, '--evidence', ev]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, code);
    }
    const badEvidence = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      file('bad.json', { schema: 'x' }),
    ]);
    assert.equal(badEvidence.code, 2);
    assert.match(badEvidence.stderr, /POLICY_EVIDENCE_INVALID/);
    const notJson = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      file('bad.txt', '{'),
    ]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /JSON_PARSE/);
    const other = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      ev,
      '--artifact',
      `sha256:${'00'.repeat(32)}`,
    ]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /is the evidence of/);
  });

  it('takes the artifact as a file, by its SHA-256', async () => {
    const art = file('app.tar', 'the artifact bytes');
    const e = goodEvidence();
    e.artifact.digest = `sha256:${createHash('sha256').update('the artifact bytes').digest('hex')}`;
    const ev = file('file-art.json', e);
    const r = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      ev,
      '--artifact',
      'app.tar',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`on ${e.artifact.digest}`));
    const other = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      file('good4.json', goodEvidence()),
      '--artifact',
      art,
    ]);
    assert.equal(other.code, 2);
    const missing = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--evidence',
      ev,
      '--artifact',
      'nope.tar',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /FILE_NOT_FOUND/);
  });

  it('runs as the built binary with the same exit codes', () => {
    const ev = file('bin.json', goodEvidence());
    const ok = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/custody.js'),
        'policy',
        'eval',
        '--policy',
        'builtin',
        '--evidence',
        ev,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(ok.status, 0, ok.stderr);
    const e = goodEvidence();
    e.commit.signed = false;
    const no = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/custody.js'),
        'policy',
        'eval',
        '--policy',
        'builtin',
        '--evidence',
        file('bin2.json', e),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(no.status, 1, no.stderr);
    assert.match(no.stdout, /FAIL {2}release-commit-signed/);
  });
});

describe('custody policy with a service', () => {
  let srv: TestServer;
  let publisher: string;
  let viewer: string;
  const artifact = `sha256:${'7a'.repeat(32)}`;
  before(async () => {
    srv = await startServer('sqlite');
    publisher = await tokenFor(srv.services, 'publisher', ['alpha']);
    viewer = await tokenFor(srv.services, 'viewer', ['alpha']);
    const a = await push(srv, publisher, (await sbomFixtures()).demo, {
      product: 'shop',
      release: '2.0.0',
      team: 'alpha',
      artifact,
    });
    assert.equal(a.status, 201, a.text);
  });
  after(() => srv.close());
  const svc = (token: string) => ['--url', srv.base, '--token', token];

  it('push stores versions, list and get read them', async () => {
    const f = file('gates-svc.yaml', GATES);
    const one = await cli(['policy', 'push', f, '--team', 'alpha', ...svc(publisher)]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^Stored alpha\/gates version 1 \(sha256:/);
    const same = await cli(['policy', 'push', f, '--team', 'alpha', ...svc(publisher)]);
    assert.match(same.stdout, /^Unchanged: alpha\/gates version 1/);
    const f2 = file('gates-svc2.yaml', GATES.replace('version: 1', 'version: 2'));
    const two = await cli(['policy', 'push', f2, '--team', 'alpha', ...svc(publisher)]);
    assert.match(two.stdout, /version 2/);
    const refused = await cli(['policy', 'push', f2, '--team', 'alpha', ...svc(viewer)]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /AUTH_FORBIDDEN/);

    const list = await cli(['policy', 'list', '--team', 'alpha', ...svc(viewer)]);
    assert.match(list.stdout, /^gates\tversion 2\t/m);
    const versions = await cli([
      'policy',
      'list',
      '--team',
      'alpha',
      '--name',
      'gates',
      '--json',
      ...svc(viewer),
    ]);
    assert.equal(JSON.parse(versions.stdout).items.length, 2);
    const get = await cli(['policy', 'get', 'alpha:gates@1', ...svc(viewer)]);
    assert.equal(get.stdout, GATES);
    const builtin = await cli(['policy', 'get', 'builtin']);
    assert.match(builtin.stdout, /^name: builtin$/m);
  });

  it('eval asks the service for the built-in pack, a stored policy and a file', async () => {
    const b = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--artifact',
      artifact,
      ...svc(viewer),
    ]);
    assert.equal(b.code, 1, b.stderr);
    assert.match(b.stdout, /FAIL {2}provenance-present/);
    const stored = await cli([
      'policy',
      'eval',
      '--policy',
      'alpha:gates',
      '--artifact',
      artifact,
      ...svc(viewer),
    ]);
    assert.equal(stored.code, 0, stored.stderr + stored.stdout);
    assert.match(stored.stdout, /Policy gates v2 on /);
    const local = await cli([
      'policy',
      'eval',
      '--policy',
      file('f.yaml', GATES.replace('evidence.sbom.present', 'evidence.sbom.signed')),
      '--artifact',
      artifact,
      ...svc(viewer),
    ]);
    assert.equal(local.code, 1);
    const unknown = await cli([
      'policy',
      'eval',
      '--policy',
      'builtin',
      '--artifact',
      `sha256:${'00'.repeat(32)}`,
      ...svc(viewer),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /INVENTORY_NOT_FOUND/);
  });

  it('show-evidence prints the document, which eval --evidence takes back', async () => {
    const r = await cli(['policy', 'show-evidence', '--artifact', artifact, ...svc(viewer)]);
    assert.equal(r.code, 0, r.stderr);
    const e = parseEvidence(JSON.parse(r.stdout), 'stdout');
    assert.equal(e.artifact.release, '2.0.0');
    const f = file('shown.json', r.stdout);
    const again = await cli([
      'policy',
      'eval',
      '--policy',
      'alpha:gates@1',
      '--evidence',
      f,
      '--artifact',
      artifact,
      ...svc(viewer),
    ]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
  });
});
