import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AdmissionTlsSettings } from '../../../src/config/index.js';
import { CoreError } from '../../../src/core/index.js';
import { createLogger } from '../../../src/log/logger.js';
import {
  type AdmissionListener,
  startAdmissionListener,
} from '../../../src/server/admission/listener.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { RecordingFace } from './recording-face.js';

const REQUEST = readFileSync(
  conformancePath('admission', 'example-request-pod-create.json'),
  'utf8',
);

interface Pki {
  dir: string;
  serverCert: string;
  serverKey: string;
  clientCa: string;
  /** Signed by clientCa. */
  client: { cert: string; key: string };
  /** Self-signed: looks like a client certificate, verified by nobody. */
  rogue: { cert: string; key: string };
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Certificates made for the test with openssl: a server certificate for 127.0.0.1, a client CA and two clients. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'custody-admission-tls-'));
  const p = (n: string) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('server.key'),
    '-out',
    p('server.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  );
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=custody test cluster CA',
  );
  openssl(
    'req',
    ...ec,
    '-keyout',
    p('client.key'),
    '-out',
    p('client.csr'),
    '-subj',
    '/CN=system:apiserver',
  );
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    p('client.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('client.pem'),
    '-days',
    '1',
    '-extfile',
    p('client.ext'),
  );
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('rogue.key'),
    '-out',
    p('rogue.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=system:apiserver',
  );
  return {
    dir,
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCa: p('ca.pem'),
    client: { cert: p('client.pem'), key: p('client.key') },
    rogue: { cert: p('rogue.pem'), key: p('rogue.key') },
  };
}

function fingerprintOf(pemFile: string): string {
  return createHash('sha256')
    .update(new X509Certificate(readFileSync(pemFile)).raw)
    .digest('hex');
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are poked into freely
  json: any;
}

function post(
  l: AdmissionListener,
  pki: Pki,
  path: string,
  o: { client?: { cert: string; key: string }; token?: string; body?: string } = {},
): Promise<Reply> {
  const url = new URL(path, l.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca: readFileSync(pki.serverCert),
        ...(o.client ? { cert: readFileSync(o.client.cert), key: readFileSync(o.client.key) } : {}),
        headers: {
          'content-type': 'application/json',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body ?? REQUEST);
  });
}

function tls(pki: Pki, clientCa: boolean): AdmissionTlsSettings {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    certFile: pki.serverCert,
    keyFile: pki.serverKey,
    clientCaFile: clientCa ? pki.clientCa : undefined,
  };
}

const logger = createLogger(process.env['CUSTODY_TEST_LOG'] ?? 'silent');

describe('the admission TLS listener', () => {
  let pki: Pki;
  before(() => {
    pki = makePki();
  });

  describe('with a client CA (mutual TLS)', () => {
    let face: RecordingFace;
    let l: AdmissionListener;
    before(async () => {
      face = new RecordingFace([{ fingerprint: fingerprintOf(pki.client.cert), name: 'prod-eu' }]);
      l = await startAdmissionListener({ face, tls: tls(pki, true), logger });
    });
    after(async () => l.close());

    it('identifies a caller by a certificate the client CA verified', async () => {
      const a = await post(l, pki, '/admission/validate', { client: pki.client });
      assert.equal(a.status, 200);
      assert.equal(a.json.response.uid, '1299d386-525b-4032-98ae-1949f69f9cfc');
      assert.deepEqual(face.identified.at(-1), { certFingerprint: fingerprintOf(pki.client.cert) });
      assert.deepEqual(face.reviews.at(-1)?.who, {
        known: true,
        cluster: 'prod-eu',
        via: 'client-certificate',
      });
    });

    it('answers a caller with an unverified certificate, unidentified by it', async () => {
      const a = await post(l, pki, '/admission/validate', { client: pki.rogue });
      assert.equal(a.status, 200);
      assert.equal(a.json.response.allowed, false);
      assert.deepEqual(face.identified.at(-1), {});
      assert.deepEqual(face.reviews.at(-1)?.who, { known: false });
    });

    it('answers a caller without a certificate, and passes its bearer token on', async () => {
      const a = await post(l, pki, '/admission/validate', { token: 'kubeconfig-token' });
      assert.equal(a.status, 200);
      assert.deepEqual(face.identified.at(-1), { bearerToken: 'kubeconfig-token' });
      const b = await post(l, pki, '/admission/imagereview', {
        client: pki.client,
        body: JSON.stringify({
          apiVersion: 'imagepolicy.k8s.io/v1alpha1',
          kind: 'ImageReview',
          spec: { containers: [{ image: 'alpine' }], namespace: 'prod' },
        }),
      });
      assert.equal(b.status, 200);
      assert.equal(b.json.status.allowed, false);
      assert.deepEqual(face.imageReviews.at(-1)?.who, {
        known: true,
        cluster: 'prod-eu',
        via: 'client-certificate',
      });
    });

    it('serves only the webhook, and answers errors in the coded form', async () => {
      const a = await post(l, pki, '/api/v1/products');
      assert.equal(a.status, 404);
      assert.equal(a.json.error.code, 'NOT_FOUND');
      const b = await post(l, pki, '/admission/validate', { body: '{' });
      assert.equal(b.status, 400);
      assert.equal(b.json.error.code, 'JSON_PARSE');
      const c = await post(l, pki, '/admission/validate', { body: '{"apiVersion":"v1"}' });
      assert.equal(c.status, 400);
      assert.equal(c.json.error.code, 'ADMISSION_REVIEW_UNSUPPORTED');
    });
  });

  describe('without a client CA', () => {
    it('asks for no certificate, so none identifies', async () => {
      const face = new RecordingFace([
        { fingerprint: fingerprintOf(pki.client.cert), name: 'prod-eu' },
      ]);
      const l = await startAdmissionListener({ face, tls: tls(pki, false), logger });
      try {
        const a = await post(l, pki, '/admission/validate', { client: pki.client });
        assert.equal(a.status, 200);
        assert.deepEqual(face.identified.at(-1), {});
      } finally {
        await l.close();
      }
    });
  });

  it('refuses missing certificate files with a code naming the setting', async () => {
    const e = await expectCustodyErrorAsync(
      () =>
        startAdmissionListener({
          face: new RecordingFace(),
          tls: { ...tls(pki, true), keyFile: join(pki.dir, 'missing.key') },
          logger,
        }),
      CoreError,
      'FILE_NOT_FOUND',
    );
    assert.match(e.message, /CUSTODY_ADMISSION_TLS_KEY/);
  });
});
