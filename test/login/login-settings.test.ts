import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadLoginSettings } from '../../src/config/index.js';
import { CoreError } from '../../src/core/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

describe('loadLoginSettings', () => {
  it('has no OIDC login and an 8 h session by default', () => {
    assert.deepEqual(loadLoginSettings({}), { oidc: undefined, sessionTtlSeconds: 8 * 3600 });
  });

  it('reads a provider and a session lifetime', () => {
    const s = loadLoginSettings({
      CUSTODY_LOGIN_OIDC_ISSUER: 'https://accounts.example.com/',
      CUSTODY_LOGIN_OIDC_CLIENT_ID: 'custody',
      CUSTODY_LOGIN_OIDC_CLIENT_SECRET: 's3cret',
      CUSTODY_LOGIN_SESSION_TTL: '30m',
    });
    assert.deepEqual(s.oidc, {
      issuer: 'https://accounts.example.com',
      clientId: 'custody',
      clientSecret: 's3cret',
    });
    assert.equal(s.sessionTtlSeconds, 1800);
    assert.equal(
      loadLoginSettings({
        CUSTODY_LOGIN_OIDC_ISSUER: 'http://127.0.0.1:9000/oidc',
        CUSTODY_LOGIN_OIDC_CLIENT_ID: 'c',
      }).oidc?.clientSecret,
      undefined,
    );
  });

  it('reports every bad key in one error', () => {
    const e = expectCustodyError(
      () =>
        loadLoginSettings({
          CUSTODY_LOGIN_OIDC_ISSUER: 'http://accounts.example.com',
          CUSTODY_LOGIN_SESSION_TTL: '3w',
        }),
      CoreError,
      'USAGE',
    );
    const problems = e.details?.['problems'] as string[];
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(e.message, /CUSTODY_LOGIN_OIDC_ISSUER must be an https/);
    assert.match(e.message, /needs CUSTODY_LOGIN_OIDC_CLIENT_ID/);
    assert.match(e.message, /CUSTODY_LOGIN_SESSION_TTL/);
    expectCustodyError(
      () => loadLoginSettings({ CUSTODY_LOGIN_OIDC_CLIENT_ID: 'c' }),
      CoreError,
      'USAGE',
    );
    expectCustodyError(
      () => loadLoginSettings({ CUSTODY_LOGIN_SESSION_TTL: '1m' }),
      CoreError,
      'USAGE',
    );
  });
});
