import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultNamespaceConfig, validateNamespaceConfig } from '../../src/admission/namespaces.js';

describe('namespace configuration', () => {
  it('is secure by default: enforce, the built-in policy, digests required', () => {
    assert.deepEqual(defaultNamespaceConfig('prod', 'web'), {
      cluster: 'prod',
      namespace: 'web',
      mode: 'enforce',
      policy: { kind: 'admission-default' },
      identities: [],
      requireDigest: true,
      highRisk: false,
      acceptFallback: false,
      version: 0,
    });
    assert.equal(defaultNamespaceConfig('prod', 'web', 'audit').mode, 'audit');
  });

  it('keeps the secure defaults for what a configuration leaves out', () => {
    const c = validateNamespaceConfig('*', 'web', { mode: 'warn', team: 'shop' });
    assert.equal(c.requireDigest, true);
    assert.equal(c.acceptFallback, false);
    assert.deepEqual(c.policy, { kind: 'admission-default' });
    assert.equal(c.team, 'shop');
  });

  it('accepts identities with linear-time regular expressions and an https issuer', () => {
    const c = validateNamespaceConfig('prod', 'web', {
      mode: 'enforce',
      identities: [
        {
          issuer: 'https://token.actions.githubusercontent.com',
          subjectRegexp: '^https://github\\.com/acme/.*$',
        },
      ],
      expectedIssuer: 'https://token.actions.githubusercontent.com',
      policy: { kind: 'stored', team: 'shop', name: 'prod-gate', version: 2 },
    });
    assert.equal(c.identities.length, 1);
    assert.equal(c.policy.kind, 'stored');
  });

  const bad: [string, Parameters<typeof validateNamespaceConfig>[2], string?, string?][] = [
    ['a mode outside the list', { mode: 'permissive' }],
    [
      'an unsafe regexp',
      { mode: 'enforce', identities: [{ issuer: 'https://x', subjectRegexp: '(a+)+$' }] },
    ],
    [
      'a regexp that does not compile',
      { mode: 'enforce', identities: [{ issuer: 'https://x', subjectRegexp: '(a' }] },
    ],
    ['an empty subject', { mode: 'enforce', identities: [{ issuer: 'https://x', subject: ' ' }] }],
    ['an identity without subject', { mode: 'enforce', identities: [{ issuer: 'https://x' }] }],
    [
      'both issuer and issuerRegexp',
      { mode: 'enforce', identities: [{ issuer: 'https://x', issuerRegexp: 'x', subject: 's' }] },
    ],
    ['an http issuer', { mode: 'enforce', expectedIssuer: 'http://issuer.example' }],
    ['a non-URL issuer', { mode: 'enforce', expectedIssuer: 'issuer' }],
    [
      'a stored policy without name',
      { mode: 'enforce', policy: { kind: 'stored', team: 'shop', name: '' } },
    ],
    ['an unknown policy kind', { mode: 'enforce', policy: { kind: 'rego' } as never }],
    ['a non-boolean flag', { mode: 'enforce', requireDigest: 'no' as never }],
    ['a bad namespace', { mode: 'enforce' }, '*', 'Web_1'],
    ['a bad cluster', { mode: 'enforce' }, 'Prod Cluster', 'web'],
  ];
  for (const [what, input, cluster = 'prod', ns = 'web'] of bad)
    it(`refuses ${what}`, () => {
      assert.throws(() => validateNamespaceConfig(cluster, ns, input), {
        code: 'ADMISSION_NAMESPACE_INVALID',
      });
    });

  it('takes a loopback http issuer (a dev issuer on the same machine)', () => {
    const c = validateNamespaceConfig('*', 'web', {
      mode: 'enforce',
      expectedIssuer: 'http://127.0.0.1:8080/dev-oidc',
    });
    assert.equal(c.expectedIssuer, 'http://127.0.0.1:8080/dev-oidc');
  });
});
