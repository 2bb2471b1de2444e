import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  OsvError,
  type OsvRecord,
  osvRecordFromJson,
  parseOsvRecord,
} from '../../src/formats/index.js';
import { conformancePath, readConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const OSV = conformancePath('osv');
const DATA_DIRS = ['crates-io', 'distro', 'go', 'npm', 'pypi'];

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? jsonFiles(p) : n.endsWith('.json') ? [p] : [];
    });
}

const base = (): Record<string, unknown> => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2024-01-02T03:04:05Z',
  aliases: ['CVE-2024-0001'],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad', purl: 'pkg:npm/left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
      versions: ['1.0.0'],
    },
  ],
});

function refused(value: unknown, code: string, pointer?: string): void {
  const e = expectCustodyError(() => osvRecordFromJson(value, 'rec'), OsvError, code);
  if (pointer !== undefined) {
    const errors = (e.details?.['errors'] ?? []) as { pointer: string }[];
    assert.ok(
      errors.some((x) => x.pointer === pointer),
      `expected a problem at ${pointer}, got ${JSON.stringify(errors)}`,
    );
  }
}

describe('parseOsvRecord on the real OSV data', () => {
  it('reads every record of go, crates-io, npm, pypi and distro', () => {
    let n = 0;
    let warned = 0;
    for (const d of DATA_DIRS)
      for (const f of jsonFiles(join(OSV, d))) {
        const r = parseOsvRecord(readFileSync(f), f);
        assert.ok(r.id.length > 0 && r.modified.length > 0);
        n++;
        if (r.warnings.length > 0) warned++;
      }
    assert.equal(n, 8290);
    // The 7 PyPI records whose GIT range names a `….patch` file: kept, with a warning.
    assert.equal(warned, 7);
  });

  it('maps fields to the typed model', () => {
    const r = parseOsvRecord(readConformance('osv', 'distro', 'DSA-5474-1.json'), 'dsa');
    assert.equal(r.id, 'DSA-5474-1');
    const a = r.affected[0];
    assert.ok(a?.package?.ecosystem.startsWith('Debian'));
    assert.ok(a?.ranges.every((x) => x.events.every((e) => typeof e.version === 'string')));
  });

  it('refuses the schema tools inputs that are not OSV records, and the record without introduced', () => {
    const ghsa = jsonFiles(join(OSV, 'schema/tools/ghsa/testdata')).filter(
      (f) => !f.endsWith('.osv.json'),
    );
    assert.equal(ghsa.length, 11);
    for (const f of ghsa)
      expectCustodyError(() => parseOsvRecord(readFileSync(f), f), OsvError, 'OSV_RECORD_INVALID');
    for (const f of jsonFiles(join(OSV, 'schema/tools/ghsa/testdata')).filter((x) =>
      x.endsWith('.osv.json'),
    ))
      parseOsvRecord(readFileSync(f), f);
    const e = expectCustodyError(
      () =>
        parseOsvRecord(
          readConformance(
            'osv',
            'schema/tools/osv-linter/testdata/nointroduced-CVE-2023-41045.json',
          ),
          'x',
        ),
      OsvError,
      'OSV_RECORD_INVALID',
    );
    assert.match(e.message, /introduced/);
  });
});

describe('parseOsvRecord refusals', () => {
  it('accepts the base record', () => {
    const r: OsvRecord = osvRecordFromJson(base(), 'rec');
    assert.deepEqual(r.affected[0]?.ranges[0]?.events, [
      { kind: 'introduced', version: '0' },
      { kind: 'fixed', version: '1.3.0' },
    ]);
    assert.deepEqual(r.warnings, []);
  });

  const cases: [string, (r: Record<string, unknown>) => unknown, string, string?][] = [
    ['not JSON', () => '{', 'OSV_PARSE'],
    ['an array', () => [], 'OSV_PARSE'],
    ['no id', (r) => ({ ...r, id: undefined }), 'OSV_RECORD_INVALID', '/id'],
    ['no modified', (r) => ({ ...r, modified: undefined }), 'OSV_RECORD_INVALID', '/modified'],
    ['id of an unknown database', (r) => ({ ...r, id: 'ACME-1' }), 'OSV_RECORD_INVALID', '/id'],
    [
      'modified not UTC',
      (r) => ({ ...r, modified: '2024-01-02T03:04:05+01:00' }),
      'OSV_RECORD_INVALID',
      '/modified',
    ],
    [
      'modified 30 February',
      (r) => ({ ...r, modified: '2024-02-30T03:04:05Z' }),
      'OSV_RECORD_INVALID',
      '/modified',
    ],
    ['unknown top-level field', (r) => ({ ...r, cvss: 9 }), 'OSV_RECORD_INVALID', '/cvss'],
    ['aliases not strings', (r) => ({ ...r, aliases: [1] }), 'OSV_RECORD_INVALID', '/aliases/0'],
    [
      'unknown ecosystem',
      (r) => withAffected(r, { package: { ecosystem: 'Cobol', name: 'x' } }),
      'OSV_RECORD_INVALID',
      '/affected/0/package/ecosystem',
    ],
    [
      'ecosystem with empty suffix',
      (r) => withAffected(r, { package: { ecosystem: 'Debian:', name: 'x' } }),
      'OSV_RECORD_INVALID',
      '/affected/0/package/ecosystem',
    ],
    [
      'package without name',
      (r) => withAffected(r, { package: { ecosystem: 'npm' } }),
      'OSV_RECORD_INVALID',
      '/affected/0/package/name',
    ],
    [
      'range type unknown',
      (r) => withRange(r, { type: 'DATE', events: [{ introduced: '0' }] }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/type',
    ],
    [
      'events empty',
      (r) => withRange(r, { type: 'SEMVER', events: [] }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/events',
    ],
    [
      'no introduced',
      (r) => withRange(r, { type: 'SEMVER', events: [{ fixed: '1.0.0' }] }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/events',
    ],
    [
      'two keys in one event',
      (r) => withRange(r, { type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/events/0',
    ],
    [
      'fixed and last_affected',
      (r) =>
        withRange(r, {
          type: 'SEMVER',
          events: [{ introduced: '0' }, { fixed: '1.0.0' }, { last_affected: '0.9.0' }],
        }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/events',
    ],
    [
      'GIT without repo',
      (r) => withRange(r, { type: 'GIT', events: [{ introduced: '0' }] }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/repo',
    ],
    [
      'event version not a string',
      (r) => withRange(r, { type: 'SEMVER', events: [{ introduced: 0 }] }),
      'OSV_RECORD_INVALID',
      '/affected/0/ranges/0/events/0/introduced',
    ],
    [
      'control character in a version',
      (r) =>
        withAffected(r, { package: { ecosystem: 'npm', name: 'x' }, versions: ['1.0.0\u001b[2J'] }),
      'OSV_RECORD_INVALID',
      '/affected/0/versions/0',
    ],
    [
      'severity type unknown',
      (r) => ({ ...r, severity: [{ type: 'CVSS_V9', score: 'x' }] }),
      'OSV_RECORD_INVALID',
      '/severity/0/type',
    ],
    [
      'CVSS_V3 score that is no vector',
      (r) => ({ ...r, severity: [{ type: 'CVSS_V3', score: '9.8' }] }),
      'OSV_RECORD_INVALID',
      '/severity/0/score',
    ],
    [
      'CVSS_V4 vector missing a base metric',
      (r) => ({
        ...r,
        severity: [
          { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N' },
        ],
      }),
      'OSV_RECORD_INVALID',
      '/severity/0/score',
    ],
    [
      'both top-level and package severity',
      (r) => ({
        ...withAffected(r, {
          package: { ecosystem: 'npm', name: 'x' },
          severity: [{ type: 'Ubuntu', score: 'low' }],
        }),
        severity: [{ type: 'Ubuntu', score: 'high' }],
      }),
      'OSV_RECORD_INVALID',
      '/affected/0/severity',
    ],
    [
      'reference type unknown',
      (r) => ({ ...r, references: [{ type: 'BLOG', url: 'https://x.example' }] }),
      'OSV_RECORD_INVALID',
      '/references/0/type',
    ],
    [
      'reference url relative',
      (r) => ({ ...r, references: [{ type: 'WEB', url: 'not a url' }] }),
      'OSV_RECORD_INVALID',
      '/references/0/url',
    ],
    [
      'credit without name',
      (r) => ({ ...r, credits: [{ type: 'FINDER' }] }),
      'OSV_RECORD_INVALID',
      '/credits/0/name',
    ],
    [
      'database_specific not an object',
      (r) => ({ ...r, database_specific: [] }),
      'OSV_RECORD_INVALID',
      '/database_specific',
    ],
    ['too deep', (r) => ({ ...r, database_specific: nest(40) }), 'OSV_RECORD_TOO_DEEP'],
    [
      'a versions list over the limit',
      (r) =>
        withAffected(r, {
          package: { ecosystem: 'npm', name: 'x' },
          versions: Array.from({ length: 100_001 }, (_, i) => `1.0.${i}`),
        }),
      'OSV_RECORD_TOO_LARGE',
    ],
    [
      'an id over 1024 characters',
      (r) => ({ ...r, id: `GHSA-${'a'.repeat(1100)}` }),
      'OSV_RECORD_INVALID',
      '/id',
    ],
  ];
  for (const [name, make, code, pointer] of cases) {
    it(`refuses ${name} (${code})`, () => {
      const v = make(base());
      if (typeof v === 'string') expectCustodyError(() => parseOsvRecord(v, 'rec'), OsvError, code);
      else refused(JSON.parse(JSON.stringify(v)), code, pointer);
    });
  }

  it('refuses bytes over the size limit before parsing', () => {
    expectCustodyError(
      () => parseOsvRecord(JSON.stringify(base()), 'rec', { maxBytes: 10 }),
      OsvError,
      'OSV_RECORD_TOO_LARGE',
    );
  });

  it('collects every problem in one error', () => {
    const e = expectCustodyError(
      () => osvRecordFromJson({ modified: 'yesterday', aliases: 'CVE-1' }, 'rec'),
      OsvError,
      'OSV_RECORD_INVALID',
    );
    assert.equal(e.details?.['count'], 3);
  });
});

describe('parseOsvRecord under fuzzing (only OsvError escapes)', () => {
  const seed = readFileSync(join(OSV, 'npm', 'GHSA-35jh-r3h4-6jhm.json'), 'utf8');
  const mustBeTyped = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(
        e instanceof OsvError,
        `escaped ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
      );
    }
  };

  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) =>
        mustBeTyped(() => parseOsvRecord(b, 'fuzz')),
      ),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) =>
        mustBeTyped(() => osvRecordFromJson(v, 'fuzz')),
      ),
      { numRuns: 500 },
    );
  });

  it('a real record with one member replaced by an arbitrary value, anywhere', () => {
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(JSON.parse(seed), []);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 3 }), (i, value) => {
        const doc = JSON.parse(seed) as Record<string, unknown>;
        const path = paths[i] as (string | number)[];
        if (path.length === 0) return mustBeTyped(() => osvRecordFromJson(value, 'fuzz'));
        let target: Record<string | number, unknown> = doc;
        for (const k of path.slice(0, -1)) target = target[k] as Record<string | number, unknown>;
        target[path[path.length - 1] as string] = value;
        mustBeTyped(() => osvRecordFromJson(doc, 'fuzz'));
      }),
      { numRuns: 1000 },
    );
  });

  it('a real record cut at any byte', () => {
    fc.assert(
      fc.property(fc.nat(seed.length), (n) =>
        mustBeTyped(() => parseOsvRecord(seed.slice(0, n), 'fuzz')),
      ),
      { numRuns: 300 },
    );
  });
});

function withAffected(
  r: Record<string, unknown>,
  a: Record<string, unknown>,
): Record<string, unknown> {
  return { ...r, affected: [a] };
}

function withRange(
  r: Record<string, unknown>,
  range: Record<string, unknown>,
): Record<string, unknown> {
  return withAffected(r, { package: { ecosystem: 'npm', name: 'x' }, ranges: [range] });
}

function nest(n: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}
