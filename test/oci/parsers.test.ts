import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadOciSettings } from '../../src/config/index.js';
import { CustodyError } from '../../src/core/errors.js';
import {
  formatImageReference,
  manifestBytes,
  OciError,
  parseDockerConfig,
  parseImageReference,
  parseManifest,
  parseSimpleSigning,
  parseWwwAuthenticate,
  simpleSigningPayload,
} from '../../src/oci/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseImageReference (distribution reference grammar, Docker normalisation)', () => {
  const ok: Array<[string, string, string, (string | undefined)?, string?]> = [
    ['alpine', 'docker.io', 'library/alpine'],
    ['alpine:3.19', 'docker.io', 'library/alpine', '3.19'],
    ['index.docker.io/library/alpine', 'docker.io', 'library/alpine'],
    ['acme/app', 'docker.io', 'acme/app'],
    ['ghcr.io/acme/app:v1', 'ghcr.io', 'acme/app', 'v1'],
    [`ghcr.io/acme/app@${D}`, 'ghcr.io', 'acme/app', undefined, D],
    [`localhost:5000/a/b/c:t@${D}`, 'localhost:5000', 'a/b/c', 't', D],
    ['localhost/app', 'localhost', 'app'],
    ['127.0.0.1:5000/x_y.z--w:1', '127.0.0.1:5000', 'x_y.z--w', '1'],
    ['[::1]:5000/app', '[::1]:5000', 'app'],
    ['Registry/app', 'Registry', 'app'],
  ];
  for (const [text, registry, repository, tag, digest] of ok) {
    it(`reads ${text}`, () => {
      const r = parseImageReference(text);
      assert.deepEqual(r, {
        registry,
        repository,
        ...(tag !== undefined ? { tag } : {}),
        ...(digest !== undefined ? { digest } : {}),
      });
      assert.deepEqual(parseImageReference(formatImageReference(r)), r);
    });
  }
  const bad = [
    '',
    'ghcr.io/Acme/app',
    'ghcr.io/acme/app:',
    'ghcr.io/acme/app:-x',
    `ghcr.io/acme/app@sha512:${'a'.repeat(128)}`,
    'ghcr.io/acme/app@sha256:short',
    'ghcr.io//app',
    'ghcr.io/acme/app_',
    `${'a'.repeat(300)}/b`,
  ];
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text.slice(0, 40))}: OCI_REFERENCE_INVALID`, () => {
      expectCustodyError(() => parseImageReference(text), OciError, 'OCI_REFERENCE_INVALID');
    });
  }
  it('any string parses, or throws OCI_REFERENCE_INVALID; what parses formats back to itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9.:/@_-]{0,80}$/)), (s) => {
        try {
          const r = parseImageReference(s);
          assert.deepEqual(parseImageReference(formatImageReference(r)), r);
        } catch (e) {
          assert.ok(e instanceof OciError && e.code === 'OCI_REFERENCE_INVALID', String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseManifest', () => {
  const desc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D, size: 2 };
  it('reads an image manifest and an index, with subject and artifactType', () => {
    const m = parseManifest(
      manifestBytes({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'x/y',
        config: desc,
        layers: [desc],
        subject: desc,
      }),
    );
    assert.equal(m.kind, 'manifest');
    assert.equal(m.kind === 'manifest' && m.manifest.subject?.digest, D);
    const i = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [desc] })));
    assert.equal(i.kind, 'index');
  });
  it('refuses what is not one: OCI_MANIFEST_INVALID', () => {
    for (const text of [
      '<html>',
      '[]',
      '{"schemaVersion":1}',
      '{"schemaVersion":2,"config":{"digest":"x"}}',
      '{"schemaVersion":2,"mediaType":"text/plain","config":{}}',
    ])
      expectCustodyError(() => parseManifest(Buffer.from(text)), OciError, 'OCI_MANIFEST_INVALID');
    expectCustodyError(
      () => parseManifest(Buffer.alloc(4 * 1024 * 1024 + 1, 32)),
      OciError,
      'OCI_RESPONSE_TOO_LARGE',
    );
  });
  it('arbitrary bytes and JSON parse or throw an OciError, never a TypeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map((j) => Buffer.from(j)),
          fc.jsonValue().map((v) =>
            Buffer.from(
              JSON.stringify({
                schemaVersion: 2,
                config: v,
                layers: v,
                manifests: v,
                subject: v,
              }),
            ),
          ),
        ),
        (bytes) => {
          try {
            parseManifest(bytes);
          } catch (e) {
            assert.ok(e instanceof OciError, String(e));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('parseWwwAuthenticate', () => {
  it('reads the distribution token challenge and Basic', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:acme/app:pull,push"',
    );
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:acme/app:pull,push',
      },
    });
    assert.deepEqual(parseWwwAuthenticate('Basic realm="x"'), [
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    assert.deepEqual(parseWwwAuthenticate(null), []);
  });
  it('never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => void parseWwwAuthenticate(s)),
      { numRuns: 2000 },
    );
  });
});

describe('parseDockerConfig', () => {
  it('reads auth, username/password and registrytoken; Docker Hub keys count as docker.io', () => {
    const m = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': {
            auth: Buffer.from('u:p:with:colons').toString('base64'),
          },
          'ghcr.io': { username: 'a', password: 'b' },
          'reg.example:5000': { registrytoken: 't' },
        },
      }),
      'x',
    );
    assert.deepEqual(m.get('docker.io'), {
      kind: 'basic',
      username: 'u',
      password: 'p:with:colons',
    });
    assert.deepEqual(m.get('ghcr.io'), { kind: 'basic', username: 'a', password: 'b' });
    assert.deepEqual(m.get('reg.example:5000'), { kind: 'bearer', token: 't' });
  });
  it('arbitrary text reads or throws OCI_CREDENTIALS_INVALID', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ auths: { h: v } })),
        ),
        (s) => {
          try {
            parseDockerConfig(s, 'x');
          } catch (e) {
            assert.ok(e instanceof OciError && e.code === 'OCI_CREDENTIALS_INVALID', String(e));
          }
        },
      ),
    );
  });
});

describe('cosign simple signing', () => {
  it('writes the payload as cosign does and reads it back', () => {
    const p = simpleSigningPayload('ghcr.io/acme/app', D);
    assert.equal(
      Buffer.from(p).toString(),
      `{"critical":{"identity":{"docker-reference":"ghcr.io/acme/app"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":null}`,
    );
    assert.deepEqual(parseSimpleSigning(p), {
      digest: D,
      type: 'cosign container image signature',
      dockerReference: 'ghcr.io/acme/app',
    });
    // The spec's own example capitalises the key.
    assert.equal(
      parseSimpleSigning(
        Buffer.from(`{"critical":{"image":{"Docker-manifest-digest":"${D}"},"type":"t"}}`),
      )?.digest,
      D,
    );
  });
  it('arbitrary bytes read or give undefined', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array(),
          fc.json().map((j) => Buffer.from(j)),
        ),
        (b) => void parseSimpleSigning(b),
      ),
    );
  });
});

describe('loadOciSettings', () => {
  it('reads the allow-list, insecure list and credentials source', () => {
    const s = loadOciSettings({
      CUSTODY_OCI_REGISTRIES: 'ghcr.io, Registry.example:5000,index.docker.io',
      CUSTODY_OCI_INSECURE: 'registry.example:5000',
      CUSTODY_OCI_AUTH: '/etc/custody/config.json',
    });
    assert.deepEqual(s.registries, ['ghcr.io', 'registry.example:5000', 'docker.io']);
    assert.deepEqual(s.insecure, ['registry.example:5000']);
    assert.deepEqual(s.auth, { kind: 'file', path: '/etc/custody/config.json' });
    assert.deepEqual(loadOciSettings({ CUSTODY_OCI_AUTH: '{"auths":{}}' }).auth, {
      kind: 'inline',
      json: '{"auths":{}}',
    });
    assert.deepEqual(loadOciSettings({ DOCKER_CONFIG: '/home/ci/.docker/' }).auth, {
      kind: 'file',
      path: '/home/ci/.docker/config.json',
    });
    assert.deepEqual(loadOciSettings({}).registries, []);
  });
  it('refuses a registry list that is not host[:port]: USAGE', () => {
    const e = expectCustodyError(
      () => loadOciSettings({ CUSTODY_OCI_REGISTRIES: 'https://ghcr.io/' }),
      CustodyError,
      'USAGE',
    );
    assert.match(e.message, /CUSTODY_OCI_REGISTRIES/);
  });
});

describe('RegistryClient.baseUrl', () => {
  it('HTTPS everywhere but loopback and the registries configured insecure', async () => {
    const { RegistryClient } = await import('../../src/oci/index.js');
    const { HttpClient } = await import('../../src/net/http.js');
    const c = new RegistryClient({
      http: new HttpClient(),
      allowed: () => true,
      insecure: (r) => r === 'registry.lan:5000',
    });
    assert.equal(c.baseUrl('ghcr.io'), 'https://ghcr.io');
    assert.equal(c.baseUrl('docker.io'), 'https://registry-1.docker.io');
    assert.equal(c.baseUrl('registry.lan:5000'), 'http://registry.lan:5000');
    assert.equal(c.baseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(c.baseUrl('localhost:5000'), 'http://localhost:5000');
    assert.equal(c.baseUrl('[::1]:5000'), 'http://[::1]:5000');
    assert.equal(c.baseUrl('127.example.com'), 'https://127.example.com');
  });
});
