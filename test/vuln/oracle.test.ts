import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isCustodyError } from '../../src/core/index.js';
import { type OsvRecord, parseOsvRecord } from '../../src/formats/index.js';
import { compileAffected } from '../../src/vuln/index.js';
import { conformancePath } from '../helpers/conformance.js';

/**
 * The oracle over every OSV record in ../shared/conformance/osv (the data directories and the
 * schema's tool test data): each version a record lists in `versions` is affected by the record,
 * and no range's `fixed` version is, unless the record lists it. Cases are counted from the data;
 * none is skipped. The exceptions are listed below, each with its reason, and the test fails if
 * that list is not exactly what happens.
 */
const OSV = conformancePath('osv');

function records(): OsvRecord[] {
  const out: OsvRecord[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.json') && !p.includes('/schema/validation/') && n !== 'ecosystems.json')
        try {
          out.push(parseOsvRecord(readFileSync(p), p));
        } catch (e) {
          // Not OSV records (GHSA API inputs of the converter tests, the linter's no-introduced
          // case): test/formats/osv.test.ts checks that exactly those are refused.
          if (!isCustodyError(e)) throw e;
        }
    }
  };
  walk(OSV);
  return out;
}

/**
 * Fixed versions that are not PEP 440 versions: the range's bound cannot be read, so the range
 * is indeterminate (reported, never a finding): the fixed version is not affected, but nor is
 * it positively "not affected".
 */
const FIXED_UNREADABLE = ['PYSEC-2019-125 steam 2019-09-12', 'PYSEC-2021-371 binderhub 0.2.0-n653'];

describe('OSV oracle over all of ../shared/conformance/osv', () => {
  const all = records();

  it('every listed version is affected; no fixed version is, unless listed', () => {
    let listed = 0;
    let listedPass = 0;
    let fixed = 0;
    let fixedPass = 0;
    const failures: string[] = [];
    const indeterminate: string[] = [];
    for (const r of all)
      for (const a of r.affected) {
        const c = compileAffected(a);
        for (const v of a.versions) {
          listed++;
          const got = c.evaluate(v);
          if (got.kind === 'affected') listedPass++;
          else failures.push(`${r.id} ${a.package?.name} ${v} listed but ${got.kind}`);
        }
        for (const range of a.ranges) {
          if (range.type === 'GIT') continue;
          for (const e of range.events) {
            if (e.kind !== 'fixed' || a.versions.includes(e.version)) continue;
            fixed++;
            const got = c.evaluate(e.version);
            if (got.kind === 'not-affected') fixedPass++;
            else if (got.kind === 'indeterminate')
              indeterminate.push(`${r.id} ${a.package?.name} ${e.version}`);
            else failures.push(`${r.id} ${a.package?.name} fixed ${e.version} is ${got.kind}`);
          }
        }
      }
    assert.deepEqual(failures, []);
    assert.deepEqual(indeterminate, FIXED_UNREADABLE);
    // Counted from the data (see the report in README "Vulnerabilities").
    assert.equal(listed, 141_967);
    assert.equal(listedPass, 141_967);
    assert.equal(fixed, 11_472);
    assert.equal(fixedPass, 11_470);
  });

  it('the ranges alone agree with the versions lists, but for legacy versions and three records', () => {
    // Stricter than the brief: the versions list is ignored, so each listed version must fall
    // inside the entry's SEMVER/ECOSYSTEM ranges by the ecosystem's own ordering.
    let cases = 0;
    let pass = 0;
    const unparseable: string[] = [];
    const outside = new Set<string>();
    for (const r of all)
      for (const a of r.affected) {
        if (!a.ranges.some((x) => x.type !== 'GIT')) continue;
        const c = compileAffected(a);
        for (const v of a.versions) {
          cases++;
          const got = c.evaluate(v, { rangesOnly: true });
          if (got.kind === 'affected') pass++;
          else if (got.kind === 'unparseable-version') unparseable.push(v);
          else outside.add(`${r.id} ${v}`);
        }
      }
    assert.equal(cases, 141_961);
    assert.equal(pass, 141_844);
    // Legacy PyPI versions (`2.0.0-final`, `0.1-bulbasaur`): not PEP 440, so never compared.
    assert.equal(unparseable.length, 108);
    // Records whose own versions list says more than their ranges: osv.dev's list also holds
    // django's 3.2/4.2 pre-releases (below the range's `introduced: 3.2` in PEP 440), gevent's
    // fixed 23.9.0 (from the GIT range), and wagtail 2.11.6, which the record's overlapping
    // events both open and fix.
    assert.deepEqual([...outside].sort(), [
      'PYSEC-2021-114 2.11.6',
      'PYSEC-2023-177 23.9.0',
      'PYSEC-2023-177 23.9.0.post1',
      'PYSEC-2023-61 3.2a1',
      'PYSEC-2023-61 3.2b1',
      'PYSEC-2023-61 3.2rc1',
      'PYSEC-2023-61 4.2a1',
      'PYSEC-2023-61 4.2b1',
      'PYSEC-2023-61 4.2rc1',
    ]);
  });
});
