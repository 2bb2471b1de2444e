import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { NamespaceConfig } from '../../../../src/admission/types.js';
import {
  type AdmissionEngine,
  createImageChecker,
  openAdmissionRegistry,
} from '../../../../src/app/admission/engine/index.js';
import { ADMISSION_CACHE_DEFAULTS, loadOciSettings } from '../../../../src/config/index.js';
import { freshServices, type TestServices } from '../../../helpers/store.js';

const NS: NamespaceConfig = {
  cluster: '*',
  namespace: 'shop',
  mode: 'enforce',
  policy: { kind: 'admission-default' },
  identities: [],
  requireDigest: true,
  highRisk: false,
  acceptFallback: false,
  version: 0,
};
const DIGEST = `sha256:${'e'.repeat(64)}`;

/** A loopback "registry" whose every answer the test chooses; it counts connections. */
async function fakeRegistry(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * What the engine answers when the input or the registry is bad: a coded refusal or `infra`,
 * never a pass and never a policy reason for an upstream's fault.
 */
describe('admission engine: bad input and bad upstreams', () => {
  let s: TestServices;
  let silent: Awaited<ReturnType<typeof fakeRegistry>>;
  let slow: Awaited<ReturnType<typeof fakeRegistry>>;
  let failing: Awaited<ReturnType<typeof fakeRegistry>>;
  let garbage: Awaited<ReturnType<typeof fakeRegistry>>;
  let missing: Awaited<ReturnType<typeof fakeRegistry>>;
  let engine: AdmissionEngine;
  const requests: string[] = [];

  before(async () => {
    s = await freshServices('sqlite');
    silent = await fakeRegistry((_q, r) => r.end());
    slow = await fakeRegistry(() => {
      // never answers
    });
    failing = await fakeRegistry((_q, r) => r.writeHead(503).end('down'));
    garbage = await fakeRegistry((_q, r) =>
      r.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
    );
    missing = await fakeRegistry((_q, r) => r.writeHead(404).end());
    const oci = loadOciSettings({
      CUSTODY_OCI_REGISTRIES: [slow.host, failing.host, garbage.host, missing.host].join(','),
    });
    engine = createImageChecker(s, {
      client: openAdmissionRegistry(
        oci,
        { upstreamTimeoutMs: 300, upstreamRetries: 1 },
        { onRequest: (_m, url) => requests.push(url) },
      ),
      trust: { roots: [], keys: [], rootsFingerprint: 'none' },
      defaultIdentities: [{ subject: 'ci@example.com' }],
      cache: ADMISSION_CACHE_DEFAULTS,
      generation: () => 0,
    });
  });

  after(async () => {
    for (const r of [silent, slow, failing, garbage, missing]) await r.stop();
    await s.close();
  });

  it('property: any string is refused or resolved, never passed, and nothing reaches an unconfigured registry', async () => {
    const before = requests.length;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string().map((x) => `${silent.host}/${x}`),
          fc.stringMatching(/^[a-z0-9./:@-]{0,80}$/),
          fc.constant(`${silent.host}/acme/app@${DIGEST}`),
        ),
        async (image) => {
          const v = await engine.check(image, NS, new Date());
          assert.notEqual(v.outcome, 'pass');
          assert.ok(
            ['request-invalid', 'registry-not-allowed', 'digest-required'].includes(v.reason ?? ''),
            `${JSON.stringify(image)} → ${v.reason}`,
          );
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(silent.connections(), 0);
    assert.equal(requests.length, before);
  });

  it('a registry that does not answer in time: infra within the time-out budget', async () => {
    const t0 = performance.now();
    const v = await engine.check(`${slow.host}/acme/app@${DIGEST}`, NS, new Date());
    const took = performance.now() - t0;
    assert.equal(v.outcome, 'infra');
    assert.equal(v.reason, 'infrastructure');
    assert.ok(took < 3_000, `took ${took} ms`);
  });

  it('a registry answering 5xx or garbage: infra, never a policy reason', async () => {
    for (const host of [failing.host, garbage.host]) {
      const v = await engine.check(`${host}/acme/app@${DIGEST}`, NS, new Date());
      assert.equal(v.outcome, 'infra', `${host}: ${v.message}`);
      assert.equal(v.reason, 'infrastructure');
    }
  });

  it('an image the registry does not have: refused as request-invalid, not infra', async () => {
    const v = await engine.check(`${missing.host}/acme/app@${DIGEST}`, NS, new Date());
    assert.equal(v.outcome, 'fail');
    assert.equal(v.reason, 'request-invalid');
    assert.match(v.message, /does not exist/);
    const tag = await engine.check(
      `${missing.host}/acme/app:1.0`,
      { ...NS, requireDigest: false },
      new Date(),
    );
    assert.equal(tag.reason, 'request-invalid');
  });
});
