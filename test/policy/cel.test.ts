import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compilePolicy,
  DEFAULT_CEL_LIMITS,
  emptyEvidence,
  evaluatePolicy,
  PolicyError,
  parsePolicy,
} from '../../src/policy/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { ARTIFACT, goodEvidence } from './good-evidence.js';

function policyOf(...expressions: string[]): string {
  return JSON.stringify({
    name: 't',
    version: 1,
    rules: expressions.map((expression, i) => ({ name: `r${i}`, expression })),
  });
}

function compile(...expressions: string[]) {
  return compilePolicy(parsePolicy(policyOf(...expressions), 't.json'));
}

function run(expression: string, evidence = goodEvidence()) {
  return evaluatePolicy(compile(expression), evidence).results[0];
}

describe('policy documents', () => {
  it('reads YAML with deny and warn rules, `severity` as a synonym of level', () => {
    const doc = parsePolicy(
      'name: gates\nversion: 2\nparams: {min: 7}\nrules:\n  - name: a\n    expression: "true"\n    message: m\n  - name: b\n    expression: "false"\n    severity: warn\n',
      'p.yaml',
    );
    assert.equal(doc.version, '2');
    assert.deepEqual(
      doc.rules.map((r) => r.level),
      ['deny', 'warn'],
    );
    assert.match(doc.digest, /^sha256:[0-9a-f]{64}$/);
  });

  it('collects every problem of a malformed document as POLICY_INVALID', () => {
    const e = expectCustodyError(
      () =>
        parsePolicy(
          JSON.stringify({
            name: 'bad name!',
            extra: 1,
            rules: [{ name: 'a' }, { name: 'a', expression: 'true', level: 'block' }],
          }),
          'p.json',
        ),
      PolicyError,
      'POLICY_INVALID',
    );
    const problems = e.details?.['problems'] as string[];
    assert.ok(problems.length >= 5, problems.join('\n'));
    expectCustodyError(() => parsePolicy('rules: [', 'p.yaml'), PolicyError, 'POLICY_INVALID');
    expectCustodyError(() => parsePolicy('[1, 2]', 'p.yaml'), PolicyError, 'POLICY_INVALID');
  });

  it('refuses a source over 64 KiB and a rule over 16 KiB with POLICY_TOO_LARGE', () => {
    const big = `# ${'x'.repeat(DEFAULT_CEL_LIMITS.maxPolicyBytes)}\n${policyOf('true')}`;
    expectCustodyError(() => parsePolicy(big, 'big.yaml'), PolicyError, 'POLICY_TOO_LARGE');
    const longRule = `true || ${Array.from({ length: 3000 }, () => 'false').join(' || ')}`;
    assert.ok(longRule.length > 16 * 1024);
    expectCustodyError(() => compile(longRule), PolicyError, 'POLICY_TOO_LARGE');
  });
});

describe('compiling rules', () => {
  it('refuses a syntax error, an unknown variable and a non-boolean rule as POLICY_COMPILE_FAILED', () => {
    for (const bad of ['evidence.sbom.present &&', 'nope == 1', '1 + 1', '"a" + 1 == "b"']) {
      const e = expectCustodyError(() => compile(bad), PolicyError, 'POLICY_COMPILE_FAILED');
      assert.equal(e.details?.['rule'], 'r0');
    }
  });

  it('refuses nesting beyond cel-js parse limits (depth, nodes) as POLICY_TOO_COSTLY', () => {
    const deep = `${'('.repeat(80)}true${')'.repeat(80)}`;
    expectCustodyError(() => compile(deep), PolicyError, 'POLICY_TOO_COSTLY');
    const wide = Array.from({ length: 800 }, (_, i) => `${i % 10}>0`).join('&&');
    expectCustodyError(() => compile(wide), PolicyError, 'POLICY_TOO_COSTLY');
  });

  it('refuses comprehensions nested three deep', () => {
    const e = expectCustodyError(
      () => compile('[1].all(a, [1].all(b, [1].all(c, a + b + c > 0)))'),
      PolicyError,
      'POLICY_TOO_COSTLY',
    );
    assert.equal(e.details?.['limit'], 'comprehension-nesting');
    compile('[1].all(a, [1].all(b, a + b > 0))');
  });
});

describe('regular expressions', () => {
  it('refuses ReDoS-style patterns before they run', () => {
    for (const p of ['(a+)+$', '(a|aa)*b', '(a*)*', '(.*a){3}', '(x+x+)+y', '(\\w+\\s?)+$']) {
      const e = expectCustodyError(
        () => compile(`evidence.artifact.name.matches(${JSON.stringify(p)})`),
        PolicyError,
        'POLICY_TOO_COSTLY',
      );
      assert.match(e.message, /pattern/);
    }
  });

  it('runs matches() inside every macro and at the root on the checked matcher', () => {
    for (const e of [
      'evidence.artifact.name.matches("^ghcr")',
      'evidence.sbom.licenses.exists(l, l.matches("^MIT$"))',
      'evidence.sbom.licenses.exists_one(l, l.matches("^MIT$"))',
      'size(evidence.sbom.licenses.filter(l, l.matches("^[AB]"))) == 2',
      'evidence.sbom.licenses.map(l, l.matches("-")).exists(b, b)',
      'evidence.sbom.licenses.map(l, true, l.matches("^M")).exists(b, b)',
      'cel.bind(n, evidence.artifact.name, n.matches("acme"))',
      'has(evidence.artifact.name) && (evidence.artifact.name.matches("zzz") || true)',
    ])
      assert.equal(run(e)?.outcome, 'pass', e);
  });

  it('runs the polynomial killers the guard lets through in linear time (a*a*b over 4096 "a")', () => {
    const ev = goodEvidence();
    ev.artifact.name = 'a'.repeat(4096);
    const t = performance.now();
    assert.equal(run('evidence.artifact.name.matches("a*a*a*a*b")', ev)?.outcome, 'fail');
    assert.ok(performance.now() - t < 2000, `${performance.now() - t} ms`);
  });

  it('refuses back-references, look-arounds and patterns over the length cap', () => {
    for (const p of ['(a)\\1', '(?=a)a', 'a(?!b)', `^${'a'.repeat(300)}$`])
      expectCustodyError(
        () => compile(`"a".matches(${JSON.stringify(p)})`),
        PolicyError,
        'POLICY_TOO_COSTLY',
      );
  });

  it('refuses a pattern that is not a literal, and an invalid one', () => {
    const e = expectCustodyError(
      () => compile('evidence.artifact.name.matches(evidence.artifact.product)'),
      PolicyError,
      'POLICY_TOO_COSTLY',
    );
    assert.equal(e.details?.['limit'], 'regex-constant');
    expectCustodyError(() => compile('"a".matches("[a-")'), PolicyError, 'POLICY_COMPILE_FAILED');
  });

  it('runs safe patterns, and refuses a subject over the cap at evaluation', () => {
    assert.equal(
      run('evidence.artifact.name.matches("^ghcr\\\\.io/acme/[a-z-]+$")')?.outcome,
      'pass',
    );
    assert.equal(
      run('evidence.sbom.licenses.all(l, l.matches("^[A-Z][A-Za-z0-9.-]*$"))')?.outcome,
      'pass',
    );
    assert.equal(run('evidence.artifact.name.matches("^docker\\\\.io/")')?.outcome, 'fail');
    const ev = goodEvidence();
    ev.artifact.name = 'a'.repeat(4096);
    assert.equal(run('evidence.artifact.name.matches("^a+$")', ev)?.outcome, 'pass');
    const p = compile('(evidence.artifact.name + "b").matches("^a+$")');
    expectCustodyError(() => evaluatePolicy(p, ev), PolicyError, 'POLICY_TOO_COSTLY');
  });
});

describe('evaluation budget', () => {
  const list = `[${Array.from({ length: 500 }, (_, i) => i).join(',')}]`;

  it('refuses a huge comprehension (500 × 500 steps) as POLICY_TOO_COSTLY', () => {
    const p = compile(`${list}.all(x, ${list}.all(y, x + y >= 0))`);
    const e = expectCustodyError(
      () => evaluatePolicy(p, goodEvidence()),
      PolicyError,
      'POLICY_TOO_COSTLY',
    );
    assert.equal(e.details?.['limit'], 'rule-steps');
  });

  it('refuses values that double in size (a string of 10^6 characters from a few nodes)', () => {
    const bind = (v: string, of: string, body: string) => `cel.bind(${v}, ${of}, ${body})`;
    const x10 = (v: string) => Array.from({ length: 10 }, () => v).join(' + ');
    const src = bind(
      'a',
      '"xxxxxxxxxx"',
      bind(
        'b',
        x10('a'),
        bind(
          'c',
          x10('b'),
          bind('d', x10('c'), bind('e', x10('d'), bind('f', x10('e'), 'size(f) > 0'))),
        ),
      ),
    );
    expectCustodyError(
      () => evaluatePolicy(compile(src), goodEvidence()),
      PolicyError,
      'POLICY_TOO_COSTLY',
    );
  });

  it('keeps the budget spent when `||` would absorb the refusal', () => {
    const p = compile(`${list}.all(x, ${list}.all(y, x + y >= 0)) || true`);
    expectCustodyError(() => evaluatePolicy(p, goodEvidence()), PolicyError, 'POLICY_TOO_COSTLY');
  });

  it('lets realistic rules over the largest evidence (10 000 licences) run within budget', () => {
    const ev = goodEvidence();
    ev.sbom.licenses = Array.from({ length: 10_000 }, (_, i) => `LicenseRef-vendor-licence-${i}`);
    const d = evaluatePolicy(
      compile(
        'evidence.sbom.licenses.all(l, !l.matches("^(AGPL|SSPL|BUSL)-"))',
        '!evidence.sbom.licenses.exists(l, l in ["AGPL-3.0-only", "SSPL-1.0"])',
        'size(evidence.sbom.licenses.filter(l, l.startsWith("LicenseRef-"))) == 10000',
      ),
      ev,
    );
    assert.deepEqual(
      d.results.map((r) => r.outcome),
      ['pass', 'pass', 'pass'],
    );
    assert.ok(d.steps < 1_000_000, String(d.steps));
  });

  it('shares one budget across the rules of a policy', () => {
    const rule = `${list}.all(x, [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40].all(y, x + y >= 0))`;
    const eight = compile(...Array.from({ length: 8 }, () => rule));
    const one = evaluatePolicy(compile(rule), goodEvidence());
    assert.ok(one.steps > 130_000 && one.steps < 200_000, String(one.steps));
    const e = expectCustodyError(
      () => evaluatePolicy(eight, goodEvidence()),
      PolicyError,
      'POLICY_TOO_COSTLY',
    );
    assert.equal(e.details?.['limit'], 'policy-steps');
  });

  it('stops at the time budget with the clock it is given', () => {
    let t = 0;
    const p = compile(`${list}.all(x, [1,2,3,4,5,6,7,8,9,10].all(y, x + y >= 0))`);
    const e = expectCustodyError(
      () => evaluatePolicy(p, goodEvidence(), { now: () => (t += 600) }),
      PolicyError,
      'POLICY_TOO_COSTLY',
    );
    assert.equal(e.details?.['limit'], 'time');
  });
});

describe('rule outcomes are values', () => {
  it('passes, fails, and errs with a reason (missing key, non-bool)', () => {
    assert.equal(run('evidence.sbom.quality.score >= 8.0')?.outcome, 'pass');
    assert.equal(run('evidence.sbom.quality.score >= 9')?.outcome, 'fail');
    const missing = run('evidence.sbom.nope == 1');
    assert.equal(missing?.outcome, 'error');
    assert.match(missing?.reason ?? '', /nope/);
    const notBool = run('evidence.artifact.name');
    assert.equal(notBool?.outcome, 'error');
    assert.match(notBool?.reason ?? '', /not a bool/);
  });

  it('denies when a deny rule fails or errs, allows when only a warn rule fails', () => {
    const doc = (level: string, expression: string) =>
      parsePolicy(
        JSON.stringify({ name: 't', version: 1, rules: [{ name: 'a', expression, level }] }),
        't',
      );
    assert.equal(evaluatePolicy(compilePolicy(doc('warn', 'false')), goodEvidence()).allowed, true);
    assert.equal(
      evaluatePolicy(compilePolicy(doc('deny', 'false')), goodEvidence()).allowed,
      false,
    );
    assert.equal(
      evaluatePolicy(compilePolicy(doc('deny', 'evidence.x')), goodEvidence()).allowed,
      false,
    );
    const d = evaluatePolicy(compilePolicy(doc('warn', 'false')), goodEvidence());
    assert.deepEqual(d.counts, { pass: 0, fail: 0, error: 0, warn: 1 });
    assert.equal(d.artifact, ARTIFACT);
  });

  it('refuses params nested too deep (in the policy and given at evaluation) as POLICY_INVALID', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 3000; i++) deep = [deep];
    const nested = `${'['.repeat(3000)}1${']'.repeat(3000)}`;
    const src = `{"name": "t", "version": 1, "params": {"deep": ${nested}}, "rules": [{"name": "a", "expression": "true"}]}`;
    expectCustodyError(() => parsePolicy(src, 't'), PolicyError, 'POLICY_INVALID');
    expectCustodyError(
      () => evaluatePolicy(compile('true'), goodEvidence(), { params: { deep } }),
      PolicyError,
      'POLICY_INVALID',
    );
  });

  it('reads ratios and scores as doubles even when whole, and params override the policy', () => {
    const ev = goodEvidence();
    ev.sbom.quality.score = 8;
    assert.equal(
      run(
        'evidence.sbom.quality.score == 8.0 && evidence.provenance[0].resolvedDependencies.ratio == 1.0',
        ev,
      )?.outcome,
      'pass',
    );
    assert.equal(run('evidence.sbom.components == 120')?.outcome, 'pass');
    const p = compilePolicy(
      parsePolicy(
        JSON.stringify({
          name: 't',
          version: 1,
          params: { min: 9 },
          rules: [{ name: 'a', expression: 'evidence.sbom.quality.score >= params.min' }],
        }),
        't',
      ),
    );
    assert.equal(evaluatePolicy(p, goodEvidence()).allowed, false);
    assert.equal(evaluatePolicy(p, goodEvidence(), { params: { min: 8 } }).allowed, true);
    assert.equal(evaluatePolicy(p, emptyEvidence(ARTIFACT), { params: { min: 8 } }).allowed, false);
  });
});
