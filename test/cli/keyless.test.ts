import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { run } from '../../src/cli/main.js';
import { parseTrustedRoot } from '../../src/sign/trusted-root.js';
import { verifyBundle } from '../../src/sign/verify/index.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

/**
 * The keyless flow on one machine, end to end: `custody serve --dev-oidc` → a dev ID token →
 * a 10-minute certificate from Custody's CA → a signature → an entry in Custody's log → offline
 * verification with the identity policy and the service's trusted root, by Custody and by
 * @sigstore/verify; and @sigstore/sign, pointed at Custody, signs what Custody verifies.
 */

const SUBJECT = 'releaser@example.com';

describe('keyless signing on one machine (dev OIDC → CA → log → offline verification)', () => {
  let dir: string;
  let served: Served;
  let issuer: string;
  let trustedRootFile: string;
  let env: Record<string, string>;

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env,
      cwd: dir,
    };
    const code = await run(argv, io as never);
    return { code, out: out.join(''), err: err.join('') };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-keyless-'));
    served = await serveProcess(join(dir, 'data'), { CUSTODY_TLOG_RATE: '0' }, [], ['--dev-oidc']);
    trustedRootFile = join(dir, 'trusted_root.json');
    writeFileSync(trustedRootFile, await (await fetch(`${served.url}/api/v1/trusted-root`)).text());
    issuer = (
      (await (await fetch(`${served.url}/dev-oidc/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      }
    ).issuer;
    env = { CUSTODY_URL: served.url, CUSTODY_DEV_OIDC_SUBJECT: SUBJECT };
    writeFileSync(join(dir, 'release.tar'), 'the release artifact\n');
  });

  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('custody sign (no key) → custody verify with the identity policy', async () => {
    const s = await cli('sign', 'release.tar', '-o', 'release.sigstore.json');
    assert.equal(s.code, 0, s.err);
    assert.match(s.err, /logged at index \d+/);
    const bundle = JSON.parse(readFileSync(join(dir, 'release.sigstore.json'), 'utf8'));
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.ok(
      bundle.verificationMaterial.certificate,
      'a v0.3 bundle carries the certificate alone',
    );

    const policy = ['--certificate-identity', SUBJECT, '--certificate-oidc-issuer', issuer];
    const v = await cli(
      'verify',
      'release.tar',
      '--bundle',
      'release.sigstore.json',
      ...policy,
      '--trusted-root',
      trustedRootFile,
      '--json',
    );
    assert.equal(v.code, 0, v.err);
    assert.equal(JSON.parse(v.out).signer.identity, SUBJECT);

    const wrong = await cli(
      'verify',
      'release.tar',
      '--bundle',
      'release.sigstore.json',
      '--certificate-identity',
      'mallory@example.com',
      '--certificate-oidc-issuer',
      issuer,
      '--trusted-root',
      trustedRootFile,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /SIGN_IDENTITY_MISMATCH/);
    writeFileSync(join(dir, 'other.tar'), 'another artifact\n');
    const tampered = await cli(
      'verify',
      'other.tar',
      '--bundle',
      'release.sigstore.json',
      ...policy,
      '--trusted-root',
      trustedRootFile,
    );
    assert.equal(tampered.code, 1);

    // @sigstore/verify, given Custody's trusted root, verifies Custody's keyless bundle.
    const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(trustedRootFile, 'utf8')));
    const verifier = new Verifier(toTrustMaterial(root), { ctlogThreshold: 0, tlogThreshold: 1 });
    const signer = verifier.verify(
      toSignedEntity(bundleFromJSON(bundle), readFileSync(join(dir, 'release.tar'))),
    );
    assert.equal(signer.identity?.subjectAlternativeName, SUBJECT);
  });

  it('@sigstore/sign with Custody as its Fulcio and Rekor signs; Custody verifies', async () => {
    const token = (
      (await (
        await fetch(`${served.url}/dev-oidc/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            subject: SUBJECT,
            claims: { email: SUBJECT, email_verified: true },
          }),
        })
      ).json()) as { id_token: string }
    ).id_token;
    const bundle = await new MessageSignatureBundleBuilder({
      signer: new FulcioSigner({
        fulcioBaseURL: served.url,
        identityProvider: { getToken: async () => token },
      }),
      witnesses: [new RekorWitness({ rekorBaseURL: served.url, retry: 0 })],
    }).create({ data: Buffer.from('signed by sigstore-js\n') });
    const { bundleToJSON } = await import('@sigstore/bundle');
    const trust = parseTrustedRoot(JSON.parse(readFileSync(trustedRootFile, 'utf8')));
    const v = verifyBundle(
      bundleToJSON(bundle),
      { data: Buffer.from('signed by sigstore-js\n') },
      { identity: SUBJECT, issuer },
      trust,
    );
    assert.equal(v.signer.identity, SUBJECT);
    assert.equal(v.signer.issuer, issuer);
    assert.throws(
      () =>
        verifyBundle(
          bundleToJSON(bundle),
          { data: Buffer.from('x') },
          { identity: SUBJECT, issuer },
          trust,
        ),
      { code: 'SIGN_ARTIFACT_MISMATCH' },
    );
  });
});
