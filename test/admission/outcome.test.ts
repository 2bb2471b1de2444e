import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, withoutDigest } from '../../src/admission/outcome.js';
import type {
  ActiveException,
  ActiveOverride,
  ImageVerdict,
  NamespaceConfig,
} from '../../src/admission/types.js';

const AT = new Date('2026-12-04T12:00:00Z');
const IMG = `registry.test/acme/web:1.0@sha256:${'a'.repeat(64)}`;

function ns(p: Partial<NamespaceConfig> = {}): NamespaceConfig {
  return {
    cluster: '*',
    namespace: 'prod',
    mode: 'enforce',
    policy: { kind: 'admission-default' },
    identities: [],
    requireDigest: true,
    highRisk: false,
    acceptFallback: false,
    version: 1,
    ...p,
  };
}
const pass: ImageVerdict = { image: IMG, outcome: 'pass', message: 'verified', cached: false };
const unsigned: ImageVerdict = {
  image: IMG,
  outcome: 'fail',
  reason: 'unsigned',
  message: 'no signature found',
  policy: { name: 'admission-default', version: '1', digest: 'sha256:x' },
  cached: false,
};
const infra: ImageVerdict = {
  image: IMG,
  outcome: 'infra',
  reason: 'infrastructure',
  message: 'the registry did not answer',
  cached: false,
};
const exception = (p: Partial<ActiveException> = {}): ActiveException => ({
  id: 'EXC-42',
  namespace: 'prod',
  imagePattern: 'registry.test/acme/*',
  ticket: 'SEC-1',
  expiresAt: '2026-12-31T00:00:00.000Z',
  reasons: [],
  ...p,
});
// A glob of the simplest kind: enough to test how decide() uses the matcher it is given.
const matches = (pattern: string, image: string) =>
  new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(image);

function run(
  verdicts: ImageVerdict[],
  o: {
    ns?: NamespaceConfig;
    exceptions?: ActiveException[];
    override?: ActiveOverride;
    at?: Date;
  } = {},
) {
  return decide({
    subject: {
      uid: 'u1',
      api: 'admission-review',
      cluster: 'c1',
      namespace: 'prod',
      workload: 'Pod/web',
      operation: 'CREATE',
      dryRun: false,
    },
    verdicts,
    ns: o.ns ?? ns(),
    exceptions: o.exceptions ?? [],
    override: o.override,
    matches,
    at: o.at ?? AT,
  });
}

describe('admission outcome: the mode decides what a failure leads to', () => {
  it('enforce denies an unsigned image and says what is missing', () => {
    const d = run([unsigned]);
    assert.equal(d.allowed, false);
    assert.equal(d.images[0]?.effect, 'deny');
    assert.match(d.message ?? '', /no signature found.*reason unsigned, mode=enforce/);
  });
  it('warn admits with a warning, audit admits (the annotation is the face’s)', () => {
    const w = run([unsigned], { ns: ns({ mode: 'warn' }) });
    assert.equal(w.allowed, true);
    assert.equal(w.images[0]?.effect, 'warn');
    assert.match(w.warnings[0] ?? '', /\(mode=warn, reason unsigned\): .*no signature found/);
    const a = run([unsigned], { ns: ns({ mode: 'audit' }) });
    assert.equal(a.allowed, true);
    assert.equal(a.images[0]?.effect, 'audit');
  });
  it('one denied image denies the workload; passes stay allowed', () => {
    const d = run([pass, unsigned]);
    assert.equal(d.allowed, false);
    assert.deepEqual(
      d.images.map((i) => i.effect),
      ['allow', 'deny'],
    );
  });
  it('an infrastructure failure keeps its reason and is never called a violation', () => {
    const d = run([infra]);
    assert.equal(d.allowed, false);
    assert.match(d.message ?? '', /could not be verified.*reason infrastructure/);
    assert.doesNotMatch(d.message ?? '', /denied:/);
    assert.equal(d.degraded, true);
  });
  it('a high-risk namespace fails closed on infrastructure in every mode and under an override', () => {
    for (const mode of ['enforce', 'warn', 'audit'] as const) {
      const d = run([infra], { ns: ns({ mode, highRisk: true }) });
      assert.equal(d.allowed, false, mode);
    }
    const o = run([infra], {
      ns: ns({ highRisk: true }),
      override: {
        id: 'OVR-1',
        namespaces: ['prod'],
        mode: 'audit',
        ticket: 'INC-9',
        expiresAt: '2026-12-05T00:00:00Z',
      },
      exceptions: [exception()],
    });
    assert.equal(o.allowed, false);
    // …but a violation in a high-risk namespace follows the mode as anywhere else.
    assert.equal(run([unsigned], { ns: ns({ mode: 'warn', highRisk: true }) }).allowed, true);
  });
  it('a degraded pass is admitted and says it will be re-verified', () => {
    const d = run([
      {
        ...pass,
        degraded: {
          upstream: 'registry',
          via: 'cached-material',
          verifiedAt: '2026-12-04T11:00:00Z',
          detail: 'x',
        },
      },
    ]);
    assert.equal(d.allowed, true);
    assert.equal(d.degraded, true);
    assert.match(d.warnings[0] ?? '', /degraded mode \(registry unavailable; cached-material/);
  });
});

describe('admission outcome: exceptions', () => {
  it('an active exception admits a covered failure and names itself', () => {
    const d = run([unsigned], { exceptions: [exception()] });
    assert.equal(d.allowed, true);
    assert.equal(d.images[0]?.effect, 'allow-by-exception');
    assert.equal(d.images[0]?.exceptionId, 'EXC-42');
    assert.match(d.warnings[0] ?? '', /exception EXC-42 \(expires 2026-12-31/);
  });
  it('stops applying by itself once expired', () => {
    const later = new Date('2027-01-01T00:00:00Z');
    assert.equal(run([unsigned], { exceptions: [exception()], at: later }).allowed, false);
  });
  it('covers only its namespace, its pattern and its reasons', () => {
    assert.equal(run([unsigned], { exceptions: [exception({ namespace: 'dev' })] }).allowed, false);
    assert.equal(
      run([unsigned], { exceptions: [exception({ imagePattern: 'registry.test/other/*' })] })
        .allowed,
      false,
    );
    assert.equal(
      run([unsigned], { exceptions: [exception({ reasons: ['sbom-missing'] })] }).allowed,
      false,
    );
    assert.equal(
      run([unsigned], { exceptions: [exception({ reasons: ['unsigned'] })] }).allowed,
      true,
    );
  });
  it('never waives a malformed request', () => {
    const bad: ImageVerdict = { ...unsigned, reason: 'request-invalid', message: 'not an image' };
    assert.equal(run([bad], { exceptions: [exception()] }).allowed, false);
  });
});

describe('admission outcome: emergency certificates and overrides', () => {
  const emergency: ImageVerdict = { ...pass, emergency: true };
  const override: ActiveOverride = {
    id: 'OVR-1',
    namespaces: ['prod'],
    mode: 'warn',
    ticket: 'INC-9',
    expiresAt: '2026-12-05T00:00:00Z',
  };
  it('an emergency signature is denied in enforce unless covered', () => {
    const d = run([emergency]);
    assert.equal(d.allowed, false);
    assert.match(d.message ?? '', /emergency certificate.*reason emergency-certificate/);
    assert.equal(run([emergency], { exceptions: [exception()] }).allowed, true);
    const o = run([emergency], { override: { ...override, mode: 'enforce' } });
    assert.equal(o.allowed, true);
    assert.match(o.warnings[0] ?? '', /mode override OVR-1/);
  });
  it('an override changes the mode and the decision names it', () => {
    const d = run([unsigned], { override });
    assert.equal(d.allowed, true);
    assert.equal(d.mode, 'warn');
    assert.equal(d.modeSource, 'override');
    assert.equal(d.overrideId, 'OVR-1');
  });
  it('the mode source tells the built-in default from a stored configuration', () => {
    assert.equal(run([pass], { ns: ns({ version: 0 }) }).modeSource, 'default');
    assert.equal(run([pass]).modeSource, 'namespace');
  });
});

describe('withoutDigest', () => {
  it('strips only the digest', () => {
    assert.equal(withoutDigest(IMG), 'registry.test/acme/web:1.0');
    assert.equal(withoutDigest('alpine'), 'alpine');
  });
});
