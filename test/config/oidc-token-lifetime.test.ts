import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_OIDC_MAX_TOKEN_LIFETIME_SECONDS,
  loadServeConfig,
} from '../../src/config/index.js';
import { CoreError } from '../../src/core/errors.js';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../../src/sign/oidc/index.js';

describe('CUSTODY_OIDC_MAX_TOKEN_LIFETIME', () => {
  it('defaults to 10 minutes, the same default as the token check', () => {
    assert.equal(loadServeConfig({}, {}).oidcMaxTokenLifetimeSeconds, 600);
    assert.equal(DEFAULT_OIDC_MAX_TOKEN_LIFETIME_SECONDS, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
  });

  it('takes whole seconds from 1 to 86400 and refuses anything else', () => {
    const load = (v: string) =>
      loadServeConfig({}, { CUSTODY_OIDC_MAX_TOKEN_LIFETIME: v }).oidcMaxTokenLifetimeSeconds;
    assert.equal(load('3600'), 3600);
    assert.equal(load(' 300 '), 300);
    for (const bad of ['0', '-5', '1.5', '10m', '86401', 'abc']) {
      assert.throws(
        () => load(bad),
        (e: unknown) => e instanceof CoreError && /CUSTODY_OIDC_MAX_TOKEN_LIFETIME/.test(e.message),
        bad,
      );
    }
  });
});
