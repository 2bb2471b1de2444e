import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { publicGoodTrustedRoot } from '../../../src/fs/trusted-root-files.js';
import { verifyBundle } from '../../../src/sign/verify/index.js';
import { conformancePath } from '../../helpers/conformance.js';

/**
 * Nine production bundles from the public Sigstore instance (sigstore-js's test data: v0.1, v0.2
 * and v0.3, DSSE and in-toto, with and without inclusion proofs, one with the full chain), verified
 * offline with the public-good trusted root Custody ships and the signer's identity policy.
 */
const DIR = conformancePath('sigstore', 'real-bundles');
const POLICY = { identity: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' };

describe('real public-good bundles verify offline with the shipped trusted root', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.sigstore'))
    .sort();
  const trust = publicGoodTrustedRoot();

  it('the folder holds the nine bundles', () => assert.equal(files.length, 9));

  for (const file of files) {
    it(file, () => {
      const json = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
      const v = verifyBundle(json, undefined, POLICY, trust);
      assert.equal(v.signer.identity, POLICY.identity);
      assert.equal(v.signer.issuer, POLICY.issuer);
      assert.ok(v.dsse, 'a DSSE bundle gives its payload');
      assert.ok(v.times.length > 0);
      assert.throws(
        () => verifyBundle(json, undefined, { ...POLICY, identity: 'mallory@example.com' }, trust),
        {
          code: 'SIGN_IDENTITY_MISMATCH',
        },
      );
    });
  }
});
