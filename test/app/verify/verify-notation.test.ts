import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyNotationFile } from '../../../src/app/verify/verify-notation.js';
import { NotationError, SignError } from '../../../src/sign/index.js';
import { parseEnvelope } from '../../../src/sign/notation/index.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';

// notation-go's real COSE envelope over its OCI layout's manifest, verified from files laid out
// as notation keeps them: trustpolicy.json and truststore/x509/ca/<store>/.
const SIG = conformancePath('notation', 'go', 'internal', 'testdata', 'cose_signature.sig');
const DIGEST = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';

describe('verifyNotationFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'notation-app-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const leaf = parseEnvelope('application/cose', readFileSync(SIG))
    .certificateChain[0] as Uint8Array;
  mkdirSync(join(dir, 'truststore', 'x509', 'ca', 'alpine'), { recursive: true });
  writeFileSync(join(dir, 'truststore', 'x509', 'ca', 'alpine', 'alpine.der'), leaf);
  const policy = (level: string) =>
    writeFileSync(
      join(dir, 'trustpolicy.json'),
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: 'all',
            registryScopes: ['*'],
            signatureVerification: { level },
            trustStores: ['ca:alpine'],
            trustedIdentities: ['*'],
          },
        ],
      }),
    );
  const request = {
    envelopePath: SIG,
    artifactDigest: DIGEST,
    trustPolicyPath: 'trustpolicy.json',
    trustStoreDir: 'truststore',
    cwd: dir,
    now: new Date('2026-12-03T12:00:00Z'),
  };

  it('verifies the envelope against the digest (media type from the first byte)', async () => {
    policy('strict');
    const { verification } = await verifyNotationFile(request);
    assert.equal(verification.verified, true, JSON.stringify(verification.results));
    assert.equal(verification.policy, 'all');
    assert.equal(verification.signer, 'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US');
  });

  it('answers "not verified" for another digest, at any level', async () => {
    policy('audit');
    const other = `sha256:${'0'.repeat(64)}`;
    const { verification } = await verifyNotationFile({ ...request, artifactDigest: other });
    assert.equal(verification.verified, false);
    assert.deepEqual(
      verification.results.filter((r) => !r.ok).map((r) => r.validation),
      ['integrity'],
    );
  });

  it('refuses unreadable input with coded errors', async () => {
    policy('strict');
    await expectCustodyErrorAsync(
      () => verifyNotationFile({ ...request, envelopePath: 'missing.sig' }),
      SignError,
      'SIGN_INPUT_UNREADABLE',
    );
    writeFileSync(join(dir, 'bad.json'), '{"version":"2.0"}');
    await expectCustodyErrorAsync(
      () => verifyNotationFile({ ...request, trustPolicyPath: 'bad.json' }),
      NotationError,
      'SIGN_NOTATION_POLICY_INVALID',
    );
    symlinkSync(join(dir, 'trustpolicy.json'), join(dir, 'linked.json'));
    await expectCustodyErrorAsync(
      () => verifyNotationFile({ ...request, trustPolicyPath: 'linked.json' }),
      SignError,
      'SIGN_INPUT_UNREADABLE',
    );
    await expectCustodyErrorAsync(
      () => verifyNotationFile({ ...request, mediaType: 'application/jose+json' }),
      NotationError,
      'SIGN_NOTATION_ENVELOPE_MALFORMED',
    );
  });
});
