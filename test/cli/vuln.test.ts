import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { matchSbomFile } from '../../src/app/vuln/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';

async function cli(argv: string[], tty = false) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty },
    env: {},
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const OSV_EXAMPLES = join(REPO_ROOT, 'examples/osv');
const KEV = conformancePath('advisories/kev/known_exploited_vulnerabilities.json');
const EPSS = join(REPO_ROOT, 'test/fixtures/vuln/epss-small.csv');

interface Report {
  findings: {
    purl: string;
    id: string;
    aliases: string[];
    severity: { score: number | null; rating: string };
    fixed: string | null;
    kev?: unknown;
    epss?: { cve: string; score: number } | null;
    vex: { status: string };
  }[];
  refused: { code: string }[];
  stats: { unsuppressed: number; components: number };
}

describe('custody vuln match', () => {
  let work: string;
  let demo10: string;
  let demo11: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'custody-vuln-'));
    demo10 = join(work, 'demo-1.0.cdx.json');
    demo11 = join(work, 'demo-1.1.cdx.json');
    assert.equal((await cli(['sbom', 'generate', 'examples/demo-app', '-o', demo10])).code, 0);
    assert.equal((await cli(['sbom', 'generate', 'examples/demo-app-1.1', '-o', demo11])).code, 0);
  });

  it('exits 1 with the finding as a table when an unsettled finding remains', async () => {
    const r = await cli(['vuln', 'match', demo10, '--osv', OSV_EXAMPLES]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^SEVERITY +PACKAGE +ADVISORY +FIXED +VEX$/m);
    assert.match(
      r.stdout,
      /high 7\.2 +pkg:npm\/lodash@4\.17\.20 +GHSA-35jh-r3h4-6jhm \(CVE-2021-23337\) +4\.17\.21 +none/,
    );
  });

  it('exits 0 when nothing is found (the release with lodash 4.17.21)', async () => {
    const r = await cli(['vuln', 'match', demo11, '--osv', OSV_EXAMPLES]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0 finding\(s\)/m);
  });

  it('--json prints {"findings":[…]} with purl, id, aliases, severity, fixed, kev, epss and vex', async () => {
    const r = await cli([
      'vuln',
      'match',
      demo10,
      '--osv',
      OSV_EXAMPLES,
      '--json',
      '--kev',
      KEV,
      '--epss',
      EPSS,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.findings.length, 1);
    const f = report.findings[0];
    assert.deepEqual(
      {
        purl: f?.purl,
        id: f?.id,
        aliases: f?.aliases,
        score: f?.severity.score,
        rating: f?.severity.rating,
        fixed: f?.fixed,
        kev: f?.kev,
        epss: f?.epss?.score,
        vex: f?.vex,
      },
      {
        purl: 'pkg:npm/lodash@4.17.20',
        id: 'GHSA-35jh-r3h4-6jhm',
        aliases: ['CVE-2021-23337'],
        score: 7.2,
        rating: 'high',
        fixed: '4.17.21',
        kev: null,
        epss: 0.01345,
        vex: { status: 'none' },
      },
    );
  });

  it('marks a KEV-listed CVE (the real catalogue) on a real advisory', async () => {
    // log4j-core 2.14.1 against a record of our own naming the KEV-listed CVE-2021-44228.
    const dir = join(work, 'log4j');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'rec.json'),
      JSON.stringify({
        id: 'x_TEST-LOG4J',
        modified: '2024-01-01T00:00:00Z',
        aliases: ['CVE-2021-44228'],
        affected: [
          {
            package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }] },
            ],
          },
        ],
      }),
    );
    const sbom = join(work, 'log4j.cdx.json');
    writeFileSync(
      sbom,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [
          {
            type: 'library',
            group: 'org.apache.logging.log4j',
            name: 'log4j-core',
            version: '2.14.1',
            purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
          },
        ],
      }),
    );
    const r = await cli(['vuln', 'match', sbom, '--osv', dir, '--kev', KEV, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const f = (JSON.parse(r.stdout) as Report).findings[0];
    assert.deepEqual(f?.kev, {
      cve: 'CVE-2021-44228',
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: 'Known',
    });
    assert.equal(f?.fixed, '2.15.0');
  });

  it('exits 2 when an advisory record is refused, naming its code; --skip-invalid exits by the findings', async () => {
    const dir = join(work, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ id: 'GHSA-x', affected: 'all' }));
    writeFileSync(join(dir, 'broken.json'), '{');
    const r = await cli(['vuln', 'match', demo10, '--osv', dir, OSV_EXAMPLES, '--json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /OSV_RECORD_INVALID: 2 advisory file\(s\) or record\(s\) refused/);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.refused.map((x) => x.code).sort(), ['OSV_PARSE', 'OSV_RECORD_INVALID']);
    assert.equal(report.findings.length, 1);
    assert.equal(
      (await cli(['vuln', 'match', demo10, '--osv', dir, OSV_EXAMPLES, '--skip-invalid'])).code,
      1,
    );
  });

  it('exits 2 on bad input: no advisories, a missing path, a malformed EPSS file or KEV catalogue, no --osv', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const cases: [string[], RegExp][] = [
      [['vuln', 'match', demo10, '--osv', empty], /VULN_NO_ADVISORIES/],
      [['vuln', 'match', demo10, '--osv', join(work, 'nope')], /FILE_NOT_FOUND/],
      [
        [
          'vuln',
          'match',
          demo10,
          '--osv',
          OSV_EXAMPLES,
          '--epss',
          join(REPO_ROOT, 'test/fixtures/vuln/epss-bad-range.csv'),
        ],
        /VULN_EPSS_INVALID/,
      ],
      [['vuln', 'match', demo10, '--osv', OSV_EXAMPLES, '--kev', EPSS], /VULN_KEV_INVALID/],
      [['vuln', 'match', join(work, 'missing.json'), '--osv', OSV_EXAMPLES], /FILE_NOT_FOUND/],
      [['vuln', 'match', demo10], /--osv/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message);
    }
  });

  it('shows a progress bar on stderr when it is a terminal, and none otherwise', async () => {
    const osv = conformancePath('osv/npm');
    const tty = await cli(['vuln', 'match', demo10, '--osv', osv], true);
    assert.match(tty.stderr, /reading advisories \[#+\] 129\/129/);
    const pipe = await cli(['vuln', 'match', demo10, '--osv', osv]);
    assert.equal(pipe.stderr, '');
    assert.equal(pipe.code, 1);
  });

  it('takes VEX statuses through its lookup: not_affected and fixed settle a finding, affected does not', () => {
    const seen: [string, readonly string[]][] = [];
    for (const [status, unsuppressed] of [
      ['not_affected', 0],
      ['fixed', 0],
      ['affected', 1],
      ['under_investigation', 1],
    ] as const) {
      const report = matchSbomFile(demo10, {
        osv: [OSV_EXAMPLES],
        vex: (purl, ids) => {
          seen.push([purl, ids]);
          return ids.includes('CVE-2021-23337') ? status : undefined;
        },
      });
      assert.equal(report.findings[0]?.vex.status, status);
      assert.equal(report.stats.unsuppressed, unsuppressed, status);
    }
    assert.deepEqual(seen[0], [
      'pkg:npm/lodash@4.17.20',
      ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'],
    ]);
  });
});
