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
  gatePolicyFromJSON,
  parseGatePolicy,
  scoreSbom,
} from '../../../src/sbom/quality/index.js';
import { REPO_ROOT } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';
import { comp, doc, goodDoc, NOW, omit } from './sbom-builder.js';

function gate(d: SbomDocument, policy: GatePolicy) {
  return evaluateGate(scoreSbom(d, { now: NOW, schemaValid: true }), d, policy);
}

function licensed(name: string, ...licenses: string[]): Component {
  return comp(name, '1.0.0', { licenses });
}

function refsByCheck(fs: readonly { check: string; components: { ref: string }[] }[]) {
  return Object.fromEntries(fs.map((f) => [f.check, f.components.map((c) => c.ref)]));
}

describe('evaluateGate', () => {
  describe('with the default policy', () => {
    it('passes a complete SBOM', () => {
      assert.deepEqual(gate(goodDoc(), DEFAULT_GATE_POLICY), {
        passed: true,
        failures: [],
        warnings: [],
      });
    });

    it('blocks on missing versions, identities and hashes the source records', () => {
      const noVersion = omit(comp('nover', '1.0.0'), 'version');
      const noHash = comp('nohash', '1.0.0', { hashes: [] });
      const noId = omit(comp('noid', '1.0.0'), 'purl');
      const badPurl = comp('badpurl', '1.0.0', { purl: 'npm:badpurl@1.0.0' });
      const result = gate(
        doc([comp('ok', '1.0.0'), noVersion, noHash, noId, badPurl]),
        DEFAULT_GATE_POLICY,
      );
      assert.equal(result.passed, false);
      assert.deepEqual(refsByCheck(result.failures), {
        'ntia.version': [noVersion.ref],
        'ntia.unique-id': [noId.ref, badPurl.ref],
        'integrity.source-hash': [noHash.ref],
      });
      assert.match(formatGateText(result), /^Quality gate: FAILED \(3 rules\)/);
    });

    it('blocks on schema errors, and when the schema was not checked', () => {
      const d = goodDoc();
      const invalid = evaluateGate(
        scoreSbom(d, { now: NOW, schemaValid: false }),
        d,
        DEFAULT_GATE_POLICY,
      );
      assert.deepEqual(
        invalid.failures.map((f) => f.check),
        ['structure.schema-valid'],
      );
      const unchecked = evaluateGate(scoreSbom(d, { now: NOW }), d, DEFAULT_GATE_POLICY);
      assert.equal(unchecked.passed, false);
    });

    it('warns about licences, hashes the source cannot have and invalid purls, and passes', () => {
      const bundled = comp('bundled', '1.0.0', {
        hashes: [],
        properties: { 'cdx:npm:package:bundled': 'true' },
      });
      const workspace = comp('ws', '0.0.0', {
        hashes: [],
        properties: { 'custody:npm:workspace': 'true' },
      });
      const dpkg = comp('libc6', '2.36-9', {
        hashes: [],
        properties: { 'custody:hash:unrecorded': 'dpkg' },
      });
      const noLicence = comp('nolic', '1.0.0', { licenses: [] });
      const noAssertion = comp('noassert', '1.0.0', { licenses: ['NOASSERTION'] });
      const freeText = comp('free', '1.0.0', { licenses: ['My Own Licence'] });
      const badPurl = comp('badpurl', '1.0.0', {
        purl: 'npm:badpurl@1.0.0',
        cpe: 'cpe:2.3:a:x:badpurl:1.0.0:*:*:*:*:*:*:*',
      });
      const result = gate(
        doc([
          comp('ok', '1.0.0'),
          bundled,
          workspace,
          dpkg,
          noLicence,
          noAssertion,
          freeText,
          badPurl,
        ]),
        DEFAULT_GATE_POLICY,
      );
      assert.equal(result.passed, true, JSON.stringify(result.failures));
      assert.deepEqual(result.failures, []);
      assert.deepEqual(refsByCheck(result.warnings), {
        'integrity.hash': [bundled.ref, workspace.ref, dpkg.ref],
        'licensing.valid-spdx': [noLicence.ref, noAssertion.ref, freeText.ref],
        'identification.valid-purl': [badPurl.ref],
      });
      const text = formatGateText(result);
      assert.match(text, /^Quality gate: passed with 3 warnings\n/);
      assert.match(text, /Warnings \(flagged for follow-up; they do not fail the gate\):/);
      assert.match(text, /! licensing\.valid-spdx: 3 components to follow up/);
    });
  });

  describe('tiers', () => {
    const noHash = comp('nohash', '1.0.0', { hashes: [] });
    const bundled = comp('bundled', '1.0.0', {
      hashes: [],
      properties: { 'cdx:npm:package:bundled': 'true' },
    });

    it('a policy without warn blocks on everything, bundled or not (as before tiers)', () => {
      const r = gate(doc([noHash, bundled]), { require: ['integrity.hash'] });
      assert.deepEqual(refsByCheck(r.failures), { 'integrity.hash': [noHash.ref, bundled.ref] });
      assert.deepEqual(r.warnings, []);
    });

    it('a warned check never fails the gate', () => {
      const r = gate(doc([noHash]), { require: [], warn: ['integrity.hash'] });
      assert.equal(r.passed, true);
      assert.deepEqual(refsByCheck(r.warnings), { 'integrity.hash': [noHash.ref] });
    });

    it('a gate rule listed in warn warns instead of blocking', () => {
      const d = doc([comp('gpl', '1.0.0', { licenses: ['GPL-3.0-only'] })]);
      const policy: GatePolicy = {
        require: [],
        denyLicenses: ['GPL-3.0-only'],
        maxAgeDays: 5,
        warn: ['gate.deny-licenses'],
      };
      const r = gate(d, policy);
      assert.deepEqual(
        r.failures.map((f) => f.check),
        ['gate.max-age'],
      );
      assert.deepEqual(
        r.warnings.map((f) => f.check),
        ['gate.deny-licenses'],
      );
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
    const d = goodDoc();
    const r = evaluateGate(scoreSbom(d, { now: NOW }), d, {
      require: ['ntia.author', 'structure.schema-valid'],
    });
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
    assert.deepEqual(p.warn, ['licensing.no-deprecated', 'gate.max-age']);
    assert.equal(p.followUpSlaDays, 14);
    assert.equal(gate(goodDoc(), p).passed, true);
    const bad = doc([comp('gpl', '1.0.0', { licenses: ['GPL-3.0-only'] })]);
    assert.deepEqual(
      gate(bad, p).failures.map((f) => f.check),
      ['gate.allow-licenses', 'gate.deny-licenses'],
    );
  });

  it('reads the warn tier and the follow-up SLA', () => {
    const p = parseGatePolicy(
      [
        'require: [ntia.version, integrity.source-hash]',
        'warn: [integrity.hash, licensing.valid-spdx, gate.deny-licenses]',
        'denyLicenses: [AGPL-3.0-only]',
        'followUpSlaDays: 14',
      ].join('\n'),
      'gate.yaml',
    );
    assert.deepEqual(p, {
      require: ['ntia.version', 'integrity.source-hash'],
      warn: ['integrity.hash', 'licensing.valid-spdx', 'gate.deny-licenses'],
      denyLicenses: ['AGPL-3.0-only'],
      followUpSlaDays: 14,
    });
  });

  it('refuses a check in both tiers, a warned rule that is off, and a bad SLA', () => {
    const e = expectCustodyError(
      () =>
        parseGatePolicy(
          'require: [integrity.hash]\nwarn: [integrity.hash, gate.max-age, nope]\nfollowUpSlaDays: 1.5\n',
          'gate.yaml',
        ),
      SbomError,
      'SBOM_POLICY_INVALID',
    );
    const { problems } = e.details as { problems: { path: string; message: string }[] };
    assert.deepEqual(
      problems.map((p) => p.path),
      ['followUpSlaDays', 'warn[0]', 'warn[1]', 'warn[2]'],
    );
    assert.match(problems[1]?.message ?? '', /also in require/);
    assert.match(problems[2]?.message ?? '', /set maxAgeDays/);
  });

  it("the README's gate.yaml parses as written", () => {
    const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const block = /```yaml\n# gate\.yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block, 'README.md has a ```yaml block starting with # gate.yaml');
    const p = parseGatePolicy(block, 'README.md gate.yaml');
    assert.ok(p.require.length > 0);
  });

  it('a stored policy from before tiers keeps its meaning', () => {
    const stored = JSON.stringify({ require: ['integrity.hash'], minScore: 5 });
    assert.deepEqual(gatePolicyFromJSON(stored), { require: ['integrity.hash'], minScore: 5 });
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
      'warn',
      'followUpSlaDays',
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
