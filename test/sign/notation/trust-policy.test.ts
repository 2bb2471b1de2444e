import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSubsetDn,
  LEVELS,
  NotationError,
  parseDn,
  parseTrustPolicy,
  selectTrustPolicy,
  verificationLevel,
} from '../../../src/sign/notation/index.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

// notation-go verifier/trustpolicy/oci_test.go and trustpolicy_test.go, as values here.
const base = () => ({
  name: 'test-statement-name',
  registryScopes: ['registry.acme-rockets.io/software/net-monitor'],
  signatureVerification: { level: 'strict' } as Record<string, unknown>,
  trustStores: ['ca:valid-trust-store', 'signingAuthority:valid-trust-store'],
  trustedIdentities: [
    'x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Root',
  ] as string[],
});
const doc = (...statements: unknown[]) =>
  JSON.stringify({ version: '1.0', trustPolicies: statements });
const invalid = (json: string, reason: RegExp) => {
  const e = expectCustodyError(
    () => parseTrustPolicy(json),
    NotationError,
    'SIGN_NOTATION_POLICY_INVALID',
  );
  assert.match(e.message, reason);
};

describe('parseTrustPolicy (TestValidateInvalidPolicyDocument)', () => {
  it('accepts the base document', () => {
    assert.equal(parseTrustPolicy(doc(base())).trustPolicies[0]?.name, 'test-statement-name');
  });
  const cases: [string, () => string, RegExp][] = [
    ['not JSON', () => '{', /not JSON/],
    [
      'unsupported version',
      () => JSON.stringify({ version: 'invalid', trustPolicies: [base()] }),
      /version "invalid" is not supported/,
    ],
    [
      'zero statements',
      () => JSON.stringify({ version: '1.0', trustPolicies: [] }),
      /no trust policy statements/,
    ],
    ['statement without a name', () => doc({ ...base(), name: '' }), /has no name/],
    [
      'zero registry scopes',
      () => doc({ ...base(), registryScopes: [] }),
      /has no registry scopes/,
    ],
    [
      'the same scope twice',
      () => doc(base(), { ...base(), name: 'two' }),
      /is in more than one statement/,
    ],
    [
      'wildcard with other scopes',
      () =>
        doc({ ...base(), registryScopes: ['*', 'registry.acme-rockets.io/software/net-monitor'] }),
      /wildcard scope must stand alone/,
    ],
    [
      'invalid level',
      () => doc({ ...base(), signatureVerification: { level: 'invalid' } }),
      /level "invalid"/,
    ],
    [
      'invalid verifyTimestamp',
      () =>
        doc({ ...base(), signatureVerification: { level: 'strict', verifyTimestamp: 'invalid' } }),
      /verifyTimestamp must be/,
    ],
    [
      'no trust stores',
      () => doc({ ...base(), trustStores: [] }),
      /needs both trust stores and trusted identities/,
    ],
    [
      'no identities',
      () => doc({ ...base(), trustedIdentities: [] }),
      /needs both trust stores and trusted identities/,
    ],
    [
      'skip with stores',
      () => doc({ ...base(), signatureVerification: { level: 'skip' } }),
      /skips verification but names trust stores/,
    ],
    ['empty identity', () => doc({ ...base(), trustedIdentities: [''] }), /empty trusted identity/],
    [
      'identity without separator',
      () => doc({ ...base(), trustedIdentities: ['x509.subject'] }),
      /has no prefix/,
    ],
    [
      'identity without value',
      () => doc({ ...base(), trustedIdentities: ['x509.subject:'] }),
      /has no value/,
    ],
    ['store without separator', () => doc({ ...base(), trustStores: ['ca'] }), /not <type>:<name>/],
    [
      'unsupported store type',
      () => doc({ ...base(), trustStores: ['invalid:test-trust-store'] }),
      /unsupported trust store type "invalid"/,
    ],
    ['empty store name', () => doc({ ...base(), trustStores: ['ca:'] }), /trust store name ""/],
    [
      'wildcard identity with others',
      () => doc({ ...base(), trustedIdentities: ['*', 'test-identity'] }),
      /wildcard identity must stand alone/,
    ],
    [
      'two statements with one name',
      () =>
        doc(base(), {
          ...base(),
          registryScopes: ['registry.acme-rockets.io/software/legacy/metrics'],
        }),
      /two statements are named/,
    ],
    [
      'overlapping identities',
      () =>
        doc({
          ...base(),
          trustedIdentities: [
            'x509.subject: C=US, ST=WA, O=wabbit-network.io, OU=org1',
            'x509.subject: C=US, ST=WA, O=wabbit-network.io',
          ],
        }),
      /overlap/,
    ],
    [
      'identity without C, ST and O',
      () => doc({ ...base(), trustedIdentities: ['x509.subject: CN=only'] }),
      /lacks C/,
    ],
    [
      'multi-valued RDN',
      () => doc({ ...base(), trustedIdentities: ['x509.subject: C=US+ST=WA, O=x'] }),
      /multi-valued/,
    ],
    [
      'override of integrity',
      () =>
        doc({
          ...base(),
          signatureVerification: { level: 'strict', override: { integrity: 'log' } },
        }),
      /integrity cannot be overridden/,
    ],
    [
      'skipping authenticity',
      () =>
        doc({
          ...base(),
          signatureVerification: { level: 'strict', override: { authenticity: 'skip' } },
        }),
      /authenticity cannot be skipped/,
    ],
    [
      'customising skip',
      () =>
        doc({
          ...base(),
          trustStores: [],
          trustedIdentities: [],
          signatureVerification: { level: 'skip', override: { revocation: 'log' } },
        }),
      /level skip cannot be customised/,
    ],
    [
      'unknown override',
      () =>
        doc({ ...base(), signatureVerification: { level: 'strict', override: { other: 'log' } } }),
      /unknown validation "other"/,
    ],
  ];
  for (const [name, json, reason] of cases) it(`refuses ${name}`, () => invalid(json(), reason));

  it('accepts skip without trust stores or identities', () => {
    assert.equal(
      parseTrustPolicy(
        doc({
          ...base(),
          trustStores: [],
          trustedIdentities: [],
          signatureVerification: { level: 'skip' },
        }),
      ).trustPolicies.length,
      1,
    );
  });

  it('caps the document size', () => {
    expectCustodyError(
      () => parseTrustPolicy(' '.repeat(1024 * 1024 + 1)),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
    );
  });
});

describe('registry scopes (TestValidRegistryScopes, TestInvalidRegistryScopes)', () => {
  for (const scope of [
    '*',
    'example.com/rep',
    'example.com:8080/rep/rep2',
    'example.com/rep/subrep/subsub',
    '10.10.10.10:8080/rep/rep2',
    'domain/rep',
    'domain:1234/rep',
  ])
    it(`accepts ${scope}`, () =>
      assert.ok(parseTrustPolicy(doc({ ...base(), registryScopes: [scope] }))));
  for (const scope of [
    '',
    '1:1',
    'a,b',
    'abcd',
    '1111',
    '1,2',
    'example.com/rep:tag',
    'example.com/rep/subrep/sub:latest',
    'example.com',
    'rep/rep2:latest',
    'repository',
    '10.10.10.10',
    '10.10.10.10:8080/rep/rep2:latest',
    'example.com/*',
  ])
    it(`refuses ${JSON.stringify(scope)}`, () =>
      invalid(doc({ ...base(), registryScopes: [scope] }), /registry scope/));
});

describe('selectTrustPolicy (TestApplicableTrustPolicy, TestInvalidArtifactUriValidations)', () => {
  const exact = {
    ...base(),
    name: 'exact',
    registryScopes: ['registry.wabbit-networks.io/software/unsigned/net-utils'],
  };
  const wildcard = {
    name: 'global',
    registryScopes: ['*'],
    signatureVerification: { level: 'skip' },
    trustStores: [],
    trustedIdentities: [],
  };
  it('prefers the exact scope, then the global one, else refuses', () => {
    assert.equal(
      selectTrustPolicy(
        parseTrustPolicy(doc(exact)),
        'registry.wabbit-networks.io/software/unsigned/net-utils@sha256:hash',
      ).name,
      'exact',
    );
    expectCustodyError(
      () => selectTrustPolicy(parseTrustPolicy(doc(exact)), 'non.existing.scope/repo@sha256:hash'),
      NotationError,
      'SIGN_NOTATION_POLICY_NOT_FOUND',
    );
    const both = parseTrustPolicy(doc(wildcard, exact));
    assert.equal(
      selectTrustPolicy(both, 'registry.wabbit-networks.io/software/unsigned/net-utils@sha256:hash')
        .name,
      'exact',
    );
    assert.equal(
      selectTrustPolicy(both, 'some.registry.that/has.no.policy@sha256:hash').name,
      'global',
    );
  });
  for (const uri of [
    '',
    'invaliduri',
    'domain.com/repository@sha256:',
    'domain.com/repository@sha256',
    'domain.com/repository@',
    'domain.com/repository',
    'domain.com/repositorysha256:digest',
    'domain.com/repositorysha256digest',
    'repository@sha256:digest',
  ])
    it(`refuses the reference ${JSON.stringify(uri)}`, () => {
      expectCustodyError(
        () => selectTrustPolicy(parseTrustPolicy(doc(wildcard)), uri),
        NotationError,
        'SIGN_NOTATION_REFERENCE_INVALID',
      );
    });
});

describe("verification levels (the specification's table)", () => {
  it('matches the table row by row', () => {
    assert.deepEqual(LEVELS.strict, {
      integrity: 'enforce',
      authenticity: 'enforce',
      authenticTimestamp: 'enforce',
      expiry: 'enforce',
      revocation: 'enforce',
    });
    assert.deepEqual(LEVELS.permissive, {
      integrity: 'enforce',
      authenticity: 'enforce',
      authenticTimestamp: 'log',
      expiry: 'log',
      revocation: 'log',
    });
    assert.deepEqual(LEVELS.audit, {
      integrity: 'enforce',
      authenticity: 'log',
      authenticTimestamp: 'log',
      expiry: 'log',
      revocation: 'log',
    });
    assert.deepEqual(LEVELS.skip, {
      integrity: 'skip',
      authenticity: 'skip',
      authenticTimestamp: 'skip',
      expiry: 'skip',
      revocation: 'skip',
    });
  });
  it('applies overrides over the base level (custom level)', () => {
    const s = parseTrustPolicy(
      doc({
        ...base(),
        signatureVerification: { level: 'strict', override: { expiry: 'log', revocation: 'skip' } },
      }),
    ).trustPolicies[0];
    assert.ok(s);
    assert.deepEqual(verificationLevel(s), {
      name: 'custom',
      enforcement: { ...LEVELS.strict, expiry: 'log', revocation: 'skip' },
    });
    const audit = parseTrustPolicy(
      doc({
        ...base(),
        signatureVerification: { level: 'audit', override: { authenticity: 'enforce' } },
      }),
    ).trustPolicies[0];
    assert.ok(audit);
    assert.equal(verificationLevel(audit).enforcement.authenticity, 'enforce');
  });
});

describe('distinguished names (Trusted Identities Constraints)', () => {
  it('parses RFC 4514 with escapes, S as ST, and matches subsets', () => {
    const dn = parseDn('C=US, S=WA, O=Acme\\, Inc., CN=\\ padded\\ ');
    assert.ok(typeof dn !== 'string', String(dn));
    assert.equal(dn.get('ST'), 'WA');
    assert.equal(dn.get('O'), 'Acme, Inc.');
    assert.equal(dn.get('CN'), ' padded ');
    const subject = parseDn('C=US, ST=WA, L=Seattle, O=Acme\\, Inc., CN=\\ padded\\ ');
    assert.ok(typeof subject !== 'string');
    assert.ok(isSubsetDn(dn, subject));
    assert.ok(!isSubsetDn(subject, parseDn('C=US, ST=WA, O=x') as ReadonlyMap<string, string>));
  });
  for (const bad of [
    'C=US,ST=WA',
    'C=US,ST=WA,O=x,O=y',
    'C=bad=#identity,O=LOL,ST=LOL',
    'C=US,ST=WA,O',
    '=x,C=US,ST=WA,O=y',
  ])
    it(`refuses ${bad}`, () => assert.equal(typeof parseDn(bad), 'string'));
});
