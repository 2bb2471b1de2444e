import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyVerdict,
  judgeSignatures,
  ruleArea,
  type SignatureRules,
  type VerifiedSignature,
} from '../../src/admission/classify.js';
import { ADMISSION_REASONS } from '../../src/admission/types.js';

const ISSUER = 'https://oidc.example';
const whole = (p: string, v: string) => new RegExp(`^(?:${p})$`, 'u').test(v);

function cert(
  identity: string,
  issuer = ISSUER,
  more: Partial<VerifiedSignature> = {},
): VerifiedSignature {
  return {
    identity,
    issuer,
    key: null,
    keyRole: null,
    fallbackMarked: false,
    emergency: false,
    logged: true,
    ...more,
  };
}

function keySig(role: 'primary' | 'fallback', marked: boolean): VerifiedSignature {
  return {
    identity: null,
    issuer: null,
    key: `${role}-key`,
    keyRole: role,
    fallbackMarked: marked,
    emergency: false,
    logged: true,
  };
}

const RULES: SignatureRules = {
  identities: [
    { subject: 'ci@example.com', issuer: ISSUER },
    { subjectRegexp: 'https://ci\\.example/.*' },
  ],
  expectedIssuer: ISSUER,
  acceptFallback: false,
};

describe('judgeSignatures: which verified signatures count for a namespace', () => {
  const table: Array<{
    name: string;
    found: number;
    sigs: VerifiedSignature[];
    rules?: Partial<SignatureRules>;
    problem: string | undefined;
    counted: number;
    fallback?: boolean;
  }> = [
    { name: 'nothing found', found: 0, sigs: [], problem: 'unsigned', counted: 0 },
    { name: 'found but none verified', found: 2, sigs: [], problem: 'unsigned', counted: 0 },
    {
      name: 'trusted identity, expected issuer',
      found: 1,
      sigs: [cert('ci@example.com')],
      problem: undefined,
      counted: 1,
    },
    {
      name: 'regexp identity',
      found: 1,
      sigs: [cert('https://ci.example/build@v1')],
      problem: undefined,
      counted: 1,
    },
    {
      name: 'regexp matches whole values only',
      found: 1,
      sigs: [cert('evil/https://ci.example/x')],
      problem: 'identity',
      counted: 0,
    },
    {
      name: 'stranger',
      found: 1,
      sigs: [cert('mallory@example.com')],
      problem: 'identity',
      counted: 0,
    },
    {
      name: 'trusted subject, other issuer',
      found: 1,
      sigs: [cert('ci@example.com', 'https://other')],
      problem: 'issuer-drift',
      counted: 0,
    },
    {
      name: 'identity entry without issuer, issuer not the expected',
      found: 1,
      sigs: [cert('https://ci.example/build@v1', 'https://other')],
      problem: 'issuer-drift',
      counted: 0,
    },
    {
      name: 'drift is reported over a stranger',
      found: 2,
      sigs: [cert('mallory@example.com'), cert('ci@example.com', 'https://other')],
      problem: 'issuer-drift',
      counted: 0,
    },
    {
      name: 'one trusted among strangers counts',
      found: 2,
      sigs: [cert('mallory@example.com'), cert('ci@example.com')],
      problem: undefined,
      counted: 1,
    },
    {
      name: 'primary key',
      found: 1,
      sigs: [keySig('primary', false)],
      problem: undefined,
      counted: 1,
    },
    {
      name: 'fallback key, marked, not accepted',
      found: 1,
      sigs: [keySig('fallback', true)],
      problem: 'identity',
      counted: 0,
    },
    {
      name: 'fallback key, marked, accepted',
      found: 1,
      sigs: [keySig('fallback', true)],
      rules: { acceptFallback: true },
      problem: undefined,
      counted: 1,
      fallback: true,
    },
    {
      name: 'fallback key, unmarked, accepted namespace still refuses',
      found: 1,
      sigs: [keySig('fallback', false)],
      rules: { acceptFallback: true },
      problem: 'identity',
      counted: 0,
    },
    {
      name: 'a primary key marking its payload is a fallback signature',
      found: 1,
      sigs: [keySig('primary', true)],
      problem: 'identity',
      counted: 0,
    },
    {
      name: 'primary and fallback: not a fallback verdict',
      found: 2,
      sigs: [keySig('primary', false), keySig('fallback', true)],
      rules: { acceptFallback: true },
      problem: undefined,
      counted: 2,
      fallback: false,
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const j = judgeSignatures(t.found, t.sigs, { ...RULES, ...t.rules }, whole);
      assert.equal(j.problem, t.problem, j.detail);
      assert.equal(j.counted.length, t.counted);
      if (t.fallback !== undefined) assert.equal(j.fallback, t.fallback);
      assert.ok(j.detail.length > 0);
    });
  }

  it('an emergency certificate counts on its subject (its issuer is the emergency issuer), and says so', () => {
    const em = cert('ci@example.com', 'https://custody.example/emergency', { emergency: true });
    const j = judgeSignatures(1, [em], RULES, whole);
    assert.equal(j.problem, undefined);
    assert.equal(j.emergency, true);
    const other = cert('mallory@example.com', 'https://custody.example/emergency', {
      emergency: true,
    });
    assert.equal(judgeSignatures(1, [other], RULES, whole).problem, 'identity');
  });

  it('unlogged and emergency are about every counted signature', () => {
    const a = judgeSignatures(1, [cert('ci@example.com', ISSUER, { logged: false })], RULES, whole);
    assert.equal(a.unlogged, true);
    const b = judgeSignatures(
      2,
      [cert('ci@example.com', ISSUER, { logged: false }), cert('ci@example.com')],
      RULES,
      whole,
    );
    assert.equal(b.unlogged, false);
    const c = judgeSignatures(
      1,
      [cert('ci@example.com', ISSUER, { emergency: true })],
      RULES,
      whole,
    );
    assert.equal(c.emergency, true);
  });
});

describe('ruleArea and classifyVerdict: the closed mapping', () => {
  it('reads the evidence fields a rule names', () => {
    assert.equal(ruleArea('size(evidence.signatures) > 0'), 'signature');
    assert.equal(ruleArea('evidence.provenance.all(p, p.level >= 2)'), 'provenance');
    assert.equal(ruleArea('evidence.slsa.level >= 3'), 'provenance');
    assert.equal(ruleArea('evidence.commit.signed'), 'provenance');
    assert.equal(ruleArea('evidence.sbom.quality.score >= 7.0'), 'sbom');
    assert.equal(ruleArea('evidence.vulnerabilities.open.critical == 0'), 'vulnerability');
    assert.equal(ruleArea('evidence.vex.unanswered.high == 0'), 'vulnerability');
    assert.equal(ruleArea('true'), 'provenance');
  });

  const ok = { emergency: false, counted: [cert('ci@example.com')] };
  const none = { problem: 'unsigned' as const, emergency: false, counted: [] };
  const rule = (name: string, expression: string) => ({ name, expression });
  const table: Array<{
    name: string;
    input: Parameters<typeof classifyVerdict>[0];
    reason?: string;
  }> = [
    { name: 'all passed', input: { signatures: ok, failedRules: [], sbomPresent: true } },
    {
      name: 'unsigned beats every rule',
      input: {
        signatures: none,
        failedRules: [
          rule('s', 'size(evidence.signatures) > 0'),
          rule('b', 'evidence.sbom.present'),
        ],
        sbomPresent: false,
      },
      reason: 'unsigned',
    },
    {
      name: 'identity',
      input: {
        signatures: { ...none, problem: 'identity' },
        failedRules: [rule('s', 'size(evidence.signatures) > 0')],
        sbomPresent: true,
      },
      reason: 'identity',
    },
    {
      name: 'issuer drift',
      input: {
        signatures: { ...none, problem: 'issuer-drift' },
        failedRules: [],
        sbomPresent: true,
      },
      reason: 'issuer-drift',
    },
    {
      name: 'signature rule failing with counted signatures: identity',
      input: {
        signatures: ok,
        failedRules: [rule('logged', 'evidence.signatures.all(s, s.logged)')],
        sbomPresent: true,
      },
      reason: 'identity',
    },
    {
      name: 'provenance',
      input: {
        signatures: ok,
        failedRules: [
          rule('p', 'size(evidence.provenance) > 0'),
          rule('q', 'evidence.sbom.quality.score >= 7.0'),
        ],
        sbomPresent: true,
      },
      reason: 'provenance',
    },
    {
      name: 'sbom missing',
      input: {
        signatures: ok,
        failedRules: [rule('b', 'evidence.sbom.present')],
        sbomPresent: false,
      },
      reason: 'sbom-missing',
    },
    {
      name: 'sbom gate (subject)',
      input: {
        signatures: ok,
        failedRules: [rule('m', 'evidence.sbom.present && evidence.sbom.subjectMatchesArtifact')],
        sbomPresent: true,
      },
      reason: 'sbom-gate',
    },
    {
      name: 'sbom gate before vulnerability',
      input: {
        signatures: ok,
        failedRules: [
          rule('v', 'evidence.vex.unanswered.critical == 0'),
          rule('l', 'evidence.sbom.licenses.size() == 0'),
        ],
        sbomPresent: true,
      },
      reason: 'sbom-gate',
    },
    {
      name: 'vulnerability',
      input: {
        signatures: ok,
        failedRules: [rule('v', 'evidence.vulnerabilities.kev == 0')],
        sbomPresent: true,
      },
      reason: 'vulnerability',
    },
    {
      name: 'emergency certificate when nothing else failed',
      input: { signatures: { ...ok, emergency: true }, failedRules: [], sbomPresent: true },
      reason: 'emergency-certificate',
    },
    {
      name: 'emergency certificate does not hide a policy failure',
      input: {
        signatures: { ...ok, emergency: true },
        failedRules: [rule('b', 'evidence.sbom.present')],
        sbomPresent: false,
      },
      reason: 'sbom-missing',
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const c = classifyVerdict(t.input);
      if (t.reason === undefined) assert.equal(c.outcome, 'pass');
      else {
        assert.equal(c.outcome, 'fail');
        assert.equal(c.outcome === 'fail' && c.reason, t.reason);
      }
    });
  }

  it('never answers infrastructure or a reason outside the closed list', () => {
    for (const t of table) {
      const c = classifyVerdict(t.input);
      if (c.outcome === 'fail') {
        assert.notEqual(c.reason, 'infrastructure');
        assert.ok((ADMISSION_REASONS as readonly string[]).includes(c.reason));
      }
    }
  });
});
