import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCustodyError } from '../../../src/core/errors.js';
import { SbomError } from '../../../src/sbom/errors.js';
import type { Component, SbomDocument } from '../../../src/sbom/model.js';
import {
  DEFAULT_GATE_POLICY,
  evaluateGate,
  formatGateText,
  type GatePolicy,
  parseGatePolicy,
  scoreSbom,
} from '../../../src/sbom/quality/index.js';
import { REPO_ROOT } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';
import { comp, doc, goodDoc, NOW, omit } from './sbom-builder.js';

function gate(d: SbomDocument, policy: GatePolicy) {
  return evaluateGate(scoreSbom(d, { now: NOW }), d, policy);
}

function licensed(name: string, ...licenses: string[]): Component {
  return comp(name, '1.0.0', { licenses });
}

describe('evaluateGate', () => {
  describe('with the default policy', () => {
    it('passes a complete SBOM', () => {
      assert.deepEqual(gate(goodDoc(), DEFAULT_GATE_POLICY), { passed: true, failures: [] });
    });

    it('lists every component missing a version, a hash or a valid licence', () => {
      const noVersion = omit(comp('nover', '1.0.0'), 'version');
      const noHash = comp('nohash', '1.0.0', { hashes: [] });
      const noLicence = comp('nolic', '1.0.0', { licenses: [] });
      const noAssertion = comp('noassert', '1.0.0', { licenses: ['NOASSERTION'] });
      const freeText = comp('free', '1.0.0', { licenses: ['My Own Licence'] });
      const result = gate(
        doc([comp('ok', '1.0.0'), noVersion, noHash, noLicence, noAssertion, freeText]),
        DEFAULT_GATE_POLICY,
      );
      assert.equal(result.passed, false);
      const byCheck = Object.fromEntries(
        result.failures.map((f) => [f.check, f.components.map((c) => c.ref)]),
      );
      assert.deepEqual(byCheck, {
        'ntia.version': [noVersion.ref],
        'integrity.hash': [noHash.ref],
        'licensing.valid-spdx': [noLicence.ref, noAssertion.ref, freeText.ref],
      });
      assert.match(formatGateText(result), /^Quality gate: FAILED \(3 rules\)/);
    });
  });

  it('fails below minScore', () => {
    const d = doc([comp('x', '1.0.0', { hashes: [], licenses: [] })]);
    const r = gate(d, { require: [], minScore: 9.5 });
    assert.deepEqual(
      r.failures.map((f) => f.check),
      ['gate.min-score'],
    );
    assert.equal(gate(d, { require: [], minScore: 0 }).passed, true);
  });

  it('fails a required document check unless it is perfect, and one that was not run', () => {
    const r = gate(goodDoc(), { require: ['ntia.author', 'structure.schema-valid'] });
    assert.deepEqual(
      r.failures.map((f) => f.check),
      ['ntia.author', 'structure.schema-valid'],
    );
    assert.match(r.failures[1]?.message ?? '', /could not be made/);
  });

  describe('maxAgeDays', () => {
    it('passes a young SBOM and fails an old one', () => {
      assert.equal(gate(goodDoc(), { require: [], maxAgeDays: 30 }).passed, true);
      const r = gate(goodDoc(), { require: [], maxAgeDays: 5 });
      assert.match(r.failures[0]?.message ?? '', /9 days old; the policy allows 5/);
    });
    it('fails without a timestamp', () => {
      const { timestamp: _, ...d } = goodDoc();
      assert.equal(gate(d, { require: [], maxAgeDays: 30 }).failures[0]?.check, 'gate.max-age');
    });
  });

  describe('allowLicenses', () => {
    const policy: GatePolicy = { require: [], allowLicenses: ['MIT', 'Apache-2.0'] };
    it('an OR passes when either side is allowed', () => {
      assert.equal(gate(doc([licensed('a', 'MIT OR GPL-3.0-only')]), policy).passed, true);
    });
    it('an AND needs both sides', () => {
      const bad = licensed('a', 'MIT AND GPL-3.0-only');
      const r = gate(doc([bad, licensed('b', 'MIT AND Apache-2.0')]), policy);
      assert.equal(r.failures[0]?.check, 'gate.allow-licenses');
      assert.deepEqual(
        r.failures[0]?.components.map((c) => c.label),
        ['a@1.0.0 (MIT AND GPL-3.0-only)'],
      );
    });
    it('every listed licence must be allowed; none, NOASSERTION and free text fail', () => {
      const r = gate(
        doc([
          licensed('two', 'MIT', 'GPL-2.0-only'),
          licensed('none'),
          licensed('na', 'NOASSERTION'),
          licensed('txt', 'whatever'),
          licensed('case', 'mit'),
          licensed('exc', 'Apache-2.0 WITH LLVM-exception'),
        ]),
        policy,
      );
      assert.deepEqual(
        r.failures[0]?.components.map((c) => c.ref),
        ['pkg:npm/two@1.0.0', 'pkg:npm/none@1.0.0', 'pkg:npm/na@1.0.0', 'pkg:npm/txt@1.0.0'],
      );
    });
  });

  describe('denyLicenses', () => {
    const policy: GatePolicy = { require: [], denyLicenses: ['GPL-3.0-only', 'LicenseRef-Evil'] };
    it('an OR with an acceptable side passes; an AND with a denied side fails', () => {
      const r = gate(
        doc([
          licensed('or', 'MIT OR GPL-3.0-only'),
          licensed('and', 'MIT AND GPL-3.0-only'),
          licensed('plain', 'GPL-3.0-only'),
          licensed('ref', 'LicenseRef-Evil'),
          licensed('fine', 'MIT'),
          licensed('none'),
        ]),
        policy,
      );
      assert.equal(r.failures[0]?.check, 'gate.deny-licenses');
      assert.deepEqual(
        r.failures[0]?.components.map((c) => c.ref),
        ['pkg:npm/and@1.0.0', 'pkg:npm/plain@1.0.0', 'pkg:npm/ref@1.0.0'],
      );
    });
  });
});

describe('parseGatePolicy', () => {
  it('reads every key', () => {
    const p = parseGatePolicy(
      [
        'minScore: 7.5',
        'require: [integrity.strong-hash, ntia.supplier]',
        'allowLicenses: [mit, Apache-2.0, LicenseRef-Mine]',
        'denyLicenses:',
        '  - GPL-3.0-only',
        'maxAgeDays: 90',
      ].join('\n'),
      'gate.yaml',
    );
    assert.deepEqual(p, {
      minScore: 7.5,
      require: ['integrity.strong-hash', 'ntia.supplier'],
      allowLicenses: ['MIT', 'Apache-2.0', 'LicenseRef-Mine'],
      denyLicenses: ['GPL-3.0-only'],
      maxAgeDays: 90,
    });
  });

  it('reads the example policy and applies it', () => {
    const path = `${REPO_ROOT}/test/fixtures/sbom/quality/gate-strict.yaml`;
    const p = parseGatePolicy(readFileSync(path, 'utf8'), path);
    assert.equal(p.minScore, 8);
    assert.equal(p.require.length, 3);
    assert.equal(gate(goodDoc(), p).passed, true);
    const bad = doc([comp('gpl', '1.0.0', { licenses: ['GPL-3.0-only'] })]);
    assert.deepEqual(
      gate(bad, p).failures.map((f) => f.check),
      ['gate.allow-licenses', 'gate.deny-licenses'],
    );
  });

  it('an empty mapping enforces nothing', () => {
    assert.deepEqual(parseGatePolicy('{}', 'gate.yaml'), { require: [] });
  });

  it('lists every problem with its path', () => {
    const e = expectCustodyError(
      () =>
        parseGatePolicy(
          'minScore: 11\nrequire: [ntia.nope, 3]\nallowLicenses: [Not A Licence]\ncolour: blue\nmaxAgeDays: -1\n',
          'gate.yaml',
        ),
      SbomError,
      'SBOM_POLICY_INVALID',
    );
    assert.match(e.message, /^gate\.yaml: /);
    const { problems } = e.details as { problems: { path: string }[] };
    const paths = problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'allowLicenses[0]',
      'colour',
      'maxAgeDays',
      'minScore',
      'require[0]',
      'require[1]',
    ]);
  });

  for (const [desc, text] of [
    ['malformed YAML', 'minScore: [1, 2'],
    ['a list at the top', '- 1\n- 2'],
    ['an empty file', ''],
    ['a scalar', 'hello'],
    ['duplicate keys', 'minScore: 1\nminScore: 2'],
    ['a licence both allowed and denied', 'allowLicenses: [MIT]\ndenyLicenses: [MIT]'],
    ['require not a list', 'require: ntia.version'],
    [
      'alias bomb',
      'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    ],
  ] as const) {
    it(`rejects ${desc}`, () => {
      expectCustodyError(
        () => parseGatePolicy(text, 'gate.yaml'),
        SbomError,
        'SBOM_POLICY_INVALID',
      );
    });
  }

  it('never throws anything but SbomError (arbitrary text)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseGatePolicy(text, 'p.yaml');
        } catch (e) {
          assert.ok(isCustodyError(e, 'SBOM_POLICY_INVALID') && e instanceof SbomError, String(e));
        }
      }),
    );
  });

  it('never throws anything but SbomError (YAML-shaped values)', () => {
    const key = fc.constantFrom(
      'minScore',
      'require',
      'allowLicenses',
      'denyLicenses',
      'maxAgeDays',
      'x',
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })), (obj) => {
        try {
          parseGatePolicy(JSON.stringify(obj), 'p.yaml');
        } catch (e) {
          assert.ok(e instanceof SbomError && e.code === 'SBOM_POLICY_INVALID', String(e));
        }
      }),
    );
  });
});
