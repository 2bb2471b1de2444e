import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FALLBACK_MARK } from '../../src/admission/types.js';
import { run } from '../../src/cli/main.js';
import { MEDIA, writeOciLayout } from '../../src/oci/index.js';
import { buildImageBlobs } from '../helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { call, startServer, type TestServer } from '../helpers/server.js';
import { createToken, ecKey, SKIP, type TestToken } from '../pkcs11/softhsm.js';

/**
 * Image signatures through outages, in the real docker-registry: keyless down → the SoftHSM key
 * signs with FALLBACK_MARK in the simple-signing payload's `optional`; log down → the `.sig`
 * layer has no cosign bundle annotation and the referrer's bundle no entry, until `custody log
 * upload` annotates the layer in place and pushes the complete bundle as a new referrer; then
 * `custody oci verify --key --require-tlog` accepts both stored forms.
 */

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('custody sign <image> --fallback-key --log-later, custody log upload', {
  skip: SKIP,
}, () => {
  let reg: TestRegistry;
  let srv: TestServer;
  let token: TestToken;
  let dir: string;
  let down: string;
  let image: string;
  let uri: string;
  let env: Record<string, string>;
  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      cwd: dir,
    };
    return { code: await run(argv, io as never), out, err };
  };
  const manifest = async (ref: string) => {
    const [repo, tag] = ref.split(':') as [string, string];
    const r = await fetch(`http://${reg.host}/v2/${repo}/manifests/${tag}`, {
      headers: { accept: MEDIA.ociManifest },
    });
    return (await r.json()) as {
      layers: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
  };
  const blob = async (repo: string, digest: string) =>
    new Uint8Array(
      await (await fetch(`http://${reg.host}/v2/${repo}/blobs/${digest}`)).arrayBuffer(),
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-log-later-image-'));
    reg = await startRegistry();
    srv = await startServer('sqlite', { keyless: true, tlog: { ratePerClient: 0 } });
    down = await closedPort();
    token = createToken('image-fallback');
    const key = ecKey();
    token.importKey(key.privateKey, { label: 'fallback', id: '02' });
    uri = token.uri('object=fallback');
    writeFileSync(join(dir, 'hsm.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    const tlog = (await call(srv, 'GET', '/api/v1/tlog')).json.trustedRootTlog;
    writeFileSync(
      join(dir, 'root.json'),
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [tlog],
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: [],
      }),
    );
    env = {
      HOME: dir,
      CUSTODY_DEV_OIDC_SUBJECT: 'releaser@example.com',
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
    image = `${reg.host}/acme/app:1`;
    assert.equal((await cli('oci', 'push', 'layout', image)).code, 0);
  });
  after(async () => {
    await srv.close();
    await reg.stop();
    token.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keyless and log both down: HSM-signed, marked in the payload, spooled; upload completes both stored forms', async () => {
    const s = await cli(
      'sign',
      image,
      '--fallback-key',
      uri,
      '--ca-url',
      down,
      '--url',
      down,
      '--log-later',
      '--spool',
      'spool',
      '-o',
      'image.json',
    );
    assert.equal(s.code, 0, s.err);
    assert.match(s.err, /FALLBACK key/);
    assert.match(s.err, /NOT logged yet.*2 entries spooled/);
    assert.equal(readdirSync(join(dir, 'spool')).length, 2);
    const digest = /@(sha256:[0-9a-f]{64})/.exec(s.err)?.[1] as string;
    const sigTag = `acme/app:${digest.replace(':', '-')}.sig`;
    const before = await manifest(sigTag);
    assert.equal(before.layers.length, 1);
    const layer = before.layers[0] as { digest: string; annotations: Record<string, string> };
    assert.equal(layer.annotations['dev.sigstore.cosign/bundle'], undefined, 'not logged yet');
    const payload = JSON.parse(new TextDecoder().decode(await blob('acme/app', layer.digest)));
    assert.equal(payload.critical.image['docker-manifest-digest'], digest);
    assert.equal(payload.optional[FALLBACK_MARK].from, 'keyless');

    const verify = () =>
      cli(
        'oci',
        'verify',
        image,
        '--key',
        'hsm.pub',
        '--trusted-root',
        'root.json',
        '--require-tlog',
        '--json',
      );
    const refused = await verify();
    assert.equal(refused.code, 1, refused.out + refused.err);

    const u = await cli('log', 'upload', '--spool', 'spool', '--url', srv.base, '--json');
    assert.equal(u.code, 0, u.err);
    assert.equal(readdirSync(join(dir, 'spool')).length, 0);
    const after = await manifest(sigTag);
    assert.equal(after.layers.length, 1, 'the layer is completed in place, not added');
    assert.equal(after.layers[0]?.digest, layer.digest);
    assert.ok(after.layers[0]?.annotations?.['dev.sigstore.cosign/bundle']);

    const v = await verify();
    assert.equal(v.code, 0, v.out + v.err);
    const pieces = (
      JSON.parse(v.out) as {
        pieces: Array<{ kind: string; source: string; verdict: { status: string } }>;
      }
    ).pieces;
    const verified = pieces
      .filter((p) => p.kind === 'signature' && p.verdict.status === 'verified')
      .map((p) => p.source)
      .sort();
    assert.deepEqual([...new Set(verified)], ['cosign-tag', 'referrer']);
    const bundle = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8'));
    assert.ok(bundle.dsseEnvelope, 'the referrer bundle (spooled, completed in the registry)');
    assert.equal(bundle.verificationMaterial.tlogEntries.length, 1, '-o is completed too');
  });

  it('attest <image> through the same outage: marked subject, spooled referrer, completed by upload', async () => {
    writeFileSync(
      join(dir, 'predicate.json'),
      JSON.stringify({ buildType: 'https://example.com/b' }),
    );
    const { attestImageResilient } = await import('../../src/app/sign/resilient-sign.js');
    const { parseImageReference } = await import('../../src/oci/index.js');
    const out = await attestImageResilient(
      parseImageReference(image),
      {
        keyless: {
          caUrl: down,
          idToken: async () => {
            throw new TypeError('fetch failed');
          },
        },
        env: {},
        url: down,
        log: { retries: 0 },
        predicateFile: join(dir, 'predicate.json'),
        predicateType: 'https://example.com/predicate/v1',
      },
      env,
      { fallbackKey: uri, logLater: { spoolDir: join(dir, 'spool-att') } },
    );
    assert.equal(out.fallback?.from, 'keyless');
    assert.equal(out.spooled.length, 1);
    const sub = out.statement.subject[0] as { annotations?: Record<string, { from: string }> };
    assert.equal(sub.annotations?.[FALLBACK_MARK]?.from, 'keyless');
    const u = await cli('log', 'upload', '--spool', 'spool-att', '--url', srv.base);
    assert.equal(u.code, 0, u.err);
    assert.match(u.err, /completed .*acme\/app@sha256:/);
    const v = await cli(
      'oci',
      'verify',
      image,
      '--key',
      'hsm.pub',
      '--trusted-root',
      'root.json',
      '--require-tlog',
      '--json',
    );
    assert.equal(v.code, 0, v.out + v.err);
    const pieces = (
      JSON.parse(v.out) as {
        pieces: Array<{ kind: string; predicateType?: string; verdict: { status: string } }>;
      }
    ).pieces;
    assert.ok(
      pieces.some((p) => p.kind !== 'signature' && p.verdict.status === 'verified'),
      JSON.stringify(pieces.map((p) => [p.kind, p.verdict.status])),
    );
  });
});
