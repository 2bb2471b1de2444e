import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { MEDIA, writeOciLayout } from '../../src/oci/index.js';
import { buildImageBlobs } from '../helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

const SUBJECT = 'releaser@example.com';

/**
 * Keyless image signing on one machine: `custody serve --dev-oidc` gives the identity token and
 * the certificate and logs the signature; the image is in docker-registry. `oci verify` checks
 * both stored forms (cosign's .sig with its certificate and log-entry annotations, and the
 * referrer's Sigstore bundle) against the service's trusted root and the identity policy.
 */
describe('custody sign <image> keylessly, custody oci verify with the identity', () => {
  let reg: TestRegistry;
  let served: Served;
  let dir: string;
  let issuer: string;
  let env: Record<string, string>;
  let image: string;

  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      cwd: dir,
    };
    return { code: await run(argv, io), out, err };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-oci-keyless-'));
    reg = await startRegistry();
    served = await serveProcess(join(dir, 'data'), { CUSTODY_TLOG_RATE: '0' }, [], ['--dev-oidc']);
    writeFileSync(
      join(dir, 'trusted_root.json'),
      await (await fetch(`${served.url}/api/v1/trusted-root`)).text(),
    );
    issuer = (
      (await (await fetch(`${served.url}/dev-oidc/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      }
    ).issuer;
    env = {
      CUSTODY_URL: served.url,
      CUSTODY_DEV_OIDC_SUBJECT: SUBJECT,
      CUSTODY_OCI_REGISTRIES: reg.host,
    };
    const built = await buildImageBlobs({
      layers: [{ files: [{ path: 'bin/app', content: 'app\n' }], gzip: true }],
    });
    writeOciLayout(join(dir, 'layout'), built.blobs.values(), [
      {
        mediaType: MEDIA.ociManifest,
        digest: built.manifestDigest,
        size: (built.blobs.get(built.manifestDigest) as Uint8Array).byteLength,
      },
    ]);
    image = `${reg.host}/acme/keyless:1`;
    assert.equal((await cli('oci', 'push', 'layout', image)).code, 0);
  });

  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs keylessly; both stored signatures verify with the identity; another identity is refused', async () => {
    const s = await cli('sign', image, '-o', 'image.sigstore.json');
    assert.equal(s.code, 0, s.err);
    assert.match(s.err, /logged at index \d+/);
    const policy = [
      '--certificate-identity',
      SUBJECT,
      '--certificate-oidc-issuer',
      issuer,
      '--trusted-root',
      'trusted_root.json',
    ];
    const v = await cli('oci', 'verify', image, ...policy, '--json');
    assert.equal(v.code, 0, v.err + v.out);
    const r = JSON.parse(v.out) as {
      pieces: Array<{
        kind: string;
        source: string;
        verdict: { status: string; signer?: { identity?: string; issuer?: string } };
      }>;
    };
    const sigs = r.pieces.filter((p) => p.kind === 'signature');
    assert.deepEqual(sigs.map((p) => `${p.source}/${p.verdict.status}`).sort(), [
      'cosign-tag/verified',
      'referrer/verified',
    ]);
    for (const p of sigs) {
      assert.equal(p.verdict.signer?.identity, SUBJECT);
      assert.equal(p.verdict.signer?.issuer, issuer);
    }
    const other = await cli(
      'oci',
      'verify',
      image,
      '--certificate-identity',
      'mallory@example.com',
      '--certificate-oidc-issuer',
      issuer,
      '--trusted-root',
      'trusted_root.json',
    );
    assert.equal(other.code, 1, other.out);
    assert.match(other.out, /SIGN_IDENTITY_MISMATCH/);
  });
});
