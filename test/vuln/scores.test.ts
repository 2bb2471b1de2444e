import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { osvRecordFromJson } from '../../src/formats/index.js';
import {
  computeCvss,
  parseEpssCsv,
  parseKevCatalogue,
  severityOf,
  VulnError,
} from '../../src/vuln/index.js';
import { REPO_ROOT, readConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/vuln');

describe('computeCvss', () => {
  // Base scores from FIRST's calculators (v3.1 spec §7 examples, v4.0 calculator).
  const known: [string, number, string][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10, 'critical'],
    ['CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.5, 'high'],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', 3.3, 'low'],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'medium'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'none'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'critical'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'critical'],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.8, 'medium'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, 'high'],
  ];
  for (const [vector, score, rating] of known)
    it(`${vector} → ${score} ${rating}`, () => {
      const s = computeCvss(vector);
      assert.equal(s.baseScore, score);
      assert.equal(s.rating, rating);
    });

  const bad = [
    '',
    '9.8',
    'CVSS:3.1/AV:N', // base metrics missing: the library alone scores this 0
    'CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N',
    'CVSS:5.0/AV:N',
  ];
  for (const v of bad)
    it(`refuses "${v}"`, () => {
      expectCustodyError(() => computeCvss(v), VulnError, 'VULN_CVSS_INVALID');
    });

  it('scores every CVSS vector in the OSV data', async () => {
    const { readdirSync } = await import('node:fs');
    let n = 0;
    for (const d of ['npm', 'crates-io', 'pypi', 'go', 'distro']) {
      const dir = join(REPO_ROOT, '../shared/conformance/osv', d);
      for (const f of readdirSync(dir)) {
        const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
          severity?: { type: string; score: string }[];
        };
        for (const s of r.severity ?? [])
          if (s.type.startsWith('CVSS_')) {
            computeCvss(s.score);
            n++;
          }
      }
    }
    assert.equal(n, 725);
  });
});

describe('severityOf', () => {
  const rec = (extra: Record<string, unknown>, aff: Record<string, unknown> = {}) =>
    osvRecordFromJson(
      {
        id: 'GHSA-1111-2222-3333',
        modified: '2024-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'npm', name: 'x' }, ...aff }],
        ...extra,
      },
      'r',
    );
  it('prefers CVSS v4 over v3', () => {
    const s = severityOf(
      rec({
        severity: [
          { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
          {
            type: 'CVSS_V4',
            score: 'CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N',
          },
        ],
      }),
      [0],
    );
    assert.deepEqual([s.score, s.rating, s.source], [4.8, 'medium', 'CVSS_V4']);
  });
  it("uses a package's own severity over none at the top", () => {
    const s = severityOf(rec({}, { severity: [{ type: 'Ubuntu', score: 'high' }] }), [0]);
    assert.deepEqual([s.score, s.rating, s.source], [null, 'high', 'Ubuntu']);
  });
  it("falls back to database_specific (GHSA's MODERATE is medium)", () => {
    const s = severityOf(rec({ database_specific: { severity: 'MODERATE' } }), [0]);
    assert.deepEqual([s.score, s.rating, s.source], [null, 'medium', 'database_specific']);
  });
  it('says unknown when nothing rates it', () => {
    assert.equal(severityOf(rec({}), [0]).rating, 'unknown');
  });
});

describe('parseKevCatalogue', () => {
  it('reads the real catalogue, valid against its schema', () => {
    const kev = parseKevCatalogue(
      readConformance('advisories', 'kev', 'known_exploited_vulnerabilities.json'),
      'kev',
    );
    assert.equal(kev.catalogVersion, '2025.08.25');
    assert.equal(kev.vulnerabilities.length, 1404);
    assert.equal(kev.count, 1404);
    assert.equal(kev.byCve.get('CVE-2021-44228')?.product, 'Log4j2');
  });
  const base = () => ({
    catalogVersion: '1',
    dateReleased: '2025-08-25T17:04:19.9796Z',
    count: 1,
    vulnerabilities: [
      {
        cveID: 'CVE-2021-44228',
        vendorProject: 'Apache',
        product: 'Log4j2',
        vulnerabilityName: 'x',
        dateAdded: '2021-12-10',
        shortDescription: 'x',
        requiredAction: 'x',
        dueDate: '2021-12-24',
      },
    ],
  });
  const bad: [string, (k: ReturnType<typeof base>) => unknown][] = [
    ['not JSON', () => '{'],
    ['no catalogVersion', (k) => ({ ...k, catalogVersion: undefined })],
    ['count not an integer', (k) => ({ ...k, count: 1.5 })],
    ['dateReleased not a date-time', (k) => ({ ...k, dateReleased: 'Monday' })],
    [
      'a cveID out of pattern',
      (k) => ({ ...k, vulnerabilities: [{ ...k.vulnerabilities[0], cveID: 'CVE-21-1' }] }),
    ],
    [
      'an entry without requiredAction',
      (k) => ({ ...k, vulnerabilities: [{ ...k.vulnerabilities[0], requiredAction: undefined }] }),
    ],
    [
      'a dueDate that is no date',
      (k) => ({ ...k, vulnerabilities: [{ ...k.vulnerabilities[0], dueDate: '2021-02-30' }] }),
    ],
    [
      'a CWE out of pattern',
      (k) => ({ ...k, vulnerabilities: [{ ...k.vulnerabilities[0], cwes: ['79'] }] }),
    ],
  ];
  for (const [name, make] of bad)
    it(`refuses ${name}`, () => {
      const v = make(base());
      expectCustodyError(
        () => parseKevCatalogue(typeof v === 'string' ? v : JSON.stringify(v), 'kev'),
        VulnError,
        'VULN_KEV_INVALID',
      );
    });
});

describe('parseEpssCsv', () => {
  it('reads the model line, the header and the rows', () => {
    const e = parseEpssCsv(readFileSync(join(FIXTURES, 'epss-small.csv')), 'epss');
    assert.equal(e.modelVersion, 'v2025.03.14');
    assert.equal(e.scoreDate, '2025-08-25T12:55:00Z');
    assert.deepEqual(e.byCve.get('CVE-2021-44228'), { epss: 0.94358, percentile: 0.9996 });
    assert.equal(e.byCve.size, 3);
  });
  it('reads a file without the comment line, with CRLF line ends', () => {
    const e = parseEpssCsv(readFileSync(join(FIXTURES, 'epss-no-comment.csv')), 'epss');
    assert.equal(e.modelVersion, undefined);
    assert.equal(e.byCve.size, 1);
  });
  for (const f of ['header', 'range', 'duplicate', 'columns', 'cve'])
    it(`refuses epss-bad-${f}.csv`, () => {
      expectCustodyError(
        () => parseEpssCsv(readFileSync(join(FIXTURES, `epss-bad-${f}.csv`)), f),
        VulnError,
        'VULN_EPSS_INVALID',
      );
    });
});
