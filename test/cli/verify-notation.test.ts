import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { parseEnvelope } from '../../src/sign/notation/index.js';
import { conformancePath } from '../helpers/conformance.js';

// `custody verify-notation` over notation-go's real JWS envelope and its OCI layout's manifest.
const SIG = conformancePath('notation', 'go', 'internal', 'testdata', 'jws_signature.sig');
const DIGEST = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';

async function cli(cwd: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('custody verify-notation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'notation-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const leaf = parseEnvelope('application/jose+json', readFileSync(SIG))
    .certificateChain[0] as Uint8Array;
  mkdirSync(join(dir, 'ts', 'x509', 'ca', 'alpine'), { recursive: true });
  writeFileSync(join(dir, 'ts', 'x509', 'ca', 'alpine', 'alpine.der'), leaf);
  writeFileSync(
    join(dir, 'trustpolicy.json'),
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'layout',
          registryScopes: ['local/oci-layout'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:alpine'],
          trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary, CN=alpine'],
        },
      ],
    }),
  );
  const args = (digest: string) => [
    'verify-notation',
    digest,
    '--signature',
    SIG,
    '--trust-policy',
    'trustpolicy.json',
    '--trust-store',
    'ts',
    '--reference',
    `local/oci-layout@${digest}`,
  ];

  it('exits 0 for the signed manifest', async () => {
    const r = await cli(dir, args(DIGEST));
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /Verified OK: sha256:19dbd2e4.*signed by CN=alpine,O=Notary,L=Seattle,ST=WA,C=US \(notary\.x509, policy "layout", level strict\)/,
    );
    const j = await cli(dir, [...args(DIGEST), '--json']);
    assert.equal(JSON.parse(j.stdout).verified, true);
  });

  it('exits 1 for another digest, naming the failed validation', async () => {
    const r = await cli(dir, args(`sha256:${'2'.repeat(64)}`));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /integrity failed: the signature is for sha256:19dbd2e4/);
  });

  it('exits 1 for a signed annotation it lacks, 2 for unreadable input', async () => {
    assert.equal((await cli(dir, [...args(DIGEST), '--metadata', 'buildId=1'])).code, 1);
    assert.equal((await cli(dir, [...args(DIGEST), '--metadata', 'nokey'])).code, 2);
    const missing = await cli(dir, [
      'verify-notation',
      DIGEST,
      '--signature',
      'nope.sig',
      '--trust-policy',
      'trustpolicy.json',
      '--trust-store',
      'ts',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /SIGN_INPUT_UNREADABLE/);
    const noPolicy = await cli(dir, [
      'verify-notation',
      DIGEST,
      '--signature',
      SIG,
      '--trust-policy',
      'trustpolicy.json',
      '--trust-store',
      'ts',
    ]);
    assert.equal(noPolicy.code, 2);
    assert.match(noPolicy.stderr, /SIGN_NOTATION_POLICY_NOT_FOUND/);
  });
});
