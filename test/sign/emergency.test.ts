import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  emergencyAdmission,
  parseEmergencyIdentity,
  parseEmergencyMark,
  SignError,
} from '../../src/sign/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

describe('parseEmergencyIdentity', () => {
  it('takes an email address or a URI with a host', () => {
    assert.deepEqual(parseEmergencyIdentity('releaser@example.com'), {
      kind: 'email',
      email: 'releaser@example.com',
    });
    for (const uri of [
      'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main',
      'spiffe://example.org/ns/ci/sa/release',
    ])
      assert.deepEqual(parseEmergencyIdentity(uri), { kind: 'uri', uri });
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'releaser',
      'releaser@localhost',
      '@example.com',
      'a..b@example.com',
      'releaser@example.com ',
      'releaser@exa mple.com',
      'mailto:releaser@example.com',
      'urn:example:thing',
      'javascript:alert(1)',
      'https://',
      'https://user:pw@example.com/x',
      'https://example.com/\u202ex',
      'https://example.com/\nx',
      `https://example.com/${'a'.repeat(600)}`,
    ])
      expectCustodyError(() => parseEmergencyIdentity(bad), SignError, 'SIGN_IDENTITY_INVALID');
  });
});

describe('emergencyAdmission', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ format: 'pem', type: 'spki' })
    .toString();
  const list = [
    { publicKey: key, name: 'release key' },
    {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'https://github\\.com/acme/.*',
    },
    { issuer: 'https://accounts.example.com', subject: 'releaser@example\\.com' },
  ];

  it('admits an identity whose subject pattern matches it whole, whatever the entry’s issuer', () => {
    assert.equal(
      emergencyAdmission(list, 'https://github.com/acme/web/x.yml@refs/heads/main')?.issuer,
      'https://token.actions.githubusercontent.com',
    );
    assert.equal(
      emergencyAdmission(list, 'releaser@example.com')?.issuer,
      'https://accounts.example.com',
    );
  });

  it('admits nothing else (partial matches, key entries, an empty list)', () => {
    assert.equal(
      emergencyAdmission(list, 'https://evil.example/https://github.com/acme/x'),
      undefined,
    );
    assert.equal(emergencyAdmission(list, 'releaser@example.com.evil'), undefined);
    assert.equal(emergencyAdmission(list, 'xreleaser@example.com'), undefined);
    assert.equal(emergencyAdmission([{ publicKey: key }], 'releaser@example.com'), undefined);
    assert.equal(emergencyAdmission([], 'releaser@example.com'), undefined);
  });
});

describe('parseEmergencyMark', () => {
  it('reads what the CA writes, and marks even an unreadable value as an emergency', () => {
    assert.deepEqual(
      parseEmergencyMark('{"approver":"bob","requester":"alice","reason":"r","request":"7"}'),
      { approver: 'bob', requester: 'alice', reason: 'r', request: '7' },
    );
    assert.deepEqual(parseEmergencyMark('not json'), {
      approver: '(unreadable)',
      reason: '(unreadable)',
    });
  });
});
