import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { preAuthEncoding } from '../../src/formats/dsse.js';
import {
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/**
 * What reaches the service outside a well-formed request: slow clients, oversized headers, bad
 * URLs, and the server's own failures. Every answer is `{error:{code,message}}`, raw sockets
 * included, and no client holds a connection open past the time-outs.
 */

interface RawAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the body is checked field by field
  json: any;
  text: string;
  /** When the server closed the connection, ms after connecting (undefined: it did not). */
  closedAfterMs: number | undefined;
}

/**
 * A client over a plain socket: sends `head`, then (when `trickle` is set) one more byte every
 * `trickle` ms until the server answers or closes, or `giveUpMs` pass.
 */
function rawRequest(
  base: string,
  head: string,
  o: { trickle?: number; giveUpMs?: number } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let closedAfterMs: number | undefined;
    const ticker =
      o.trickle === undefined
        ? undefined
        : setInterval(() => {
            if (socket.writable) socket.write(' ');
          }, o.trickle);
    const finish = () => {
      clearInterval(ticker);
      clearTimeout(giveUp);
      socket.destroy();
      const [top = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(top)?.[1] ?? 0);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status, json, text: received, closedAfterMs });
    };
    const giveUp = setTimeout(finish, o.giveUpMs ?? 5000);
    socket.on('data', (b: Buffer) => {
      received += b.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAfterMs = Date.now() - started;
      finish();
    });
    socket.write(head);
  });
}

function coded(a: { status: number; json: unknown; text: string }): string {
  return errorCode({ status: a.status, json: a.json, text: a.text, headers: new Headers() });
}

describe('time-outs against slow clients (a real socket)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer('sqlite', {
      timeouts: { requestMs: 600, uploadMs: 1200, connectionMs: 5000 },
    });
  });
  after(async () => srv?.close());

  for (const path of ['/api/v1/tlog/entries', '/api/v1/log/entries']) {
    it(`a slow unauthenticated body on POST ${path} is cut off with 408 REQUEST_TIMEOUT`, async () => {
      const a = await rawRequest(
        srv.base,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
        { trickle: 100 },
      );
      assert.equal(a.status, 408, a.text.slice(0, 300));
      assert.equal(coded(a), 'REQUEST_TIMEOUT');
      assert.match(a.text, /\r\nconnection: close\r\n/i);
      // The upload time-out (1.2 s) applies to log appends, which take envelopes as large as SBOMs.
      assert.ok(a.closedAfterMs !== undefined, 'the server left the connection open');
      assert.ok(a.closedAfterMs >= 1100 && a.closedAfterMs < 3500, `${a.closedAfterMs} ms`);
    });
  }

  it('a slow body on an ordinary route gets the shorter request time-out', async () => {
    const token = await tokenFor(srv.services, 'admin');
    const a = await rawRequest(
      srv.base,
      `POST /api/v1/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{`,
      { trickle: 100 },
    );
    assert.equal(a.status, 408, a.text.slice(0, 300));
    assert.equal(coded(a), 'REQUEST_TIMEOUT');
    assert.ok(a.closedAfterMs !== undefined && a.closedAfterMs < 1100, `${a.closedAfterMs} ms`);
  });

  it('headers that never finish are cut off by Node with a coded 408', async () => {
    const a = await rawRequest(srv.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', {
      trickle: 100,
    });
    assert.equal(a.status, 408, a.text.slice(0, 300));
    assert.equal(coded(a), 'REQUEST_TIMEOUT');
    assert.ok(a.closedAfterMs !== undefined, 'the server left the connection open');
  });

  it('a body that arrives in time is served as usual', async () => {
    const a = await call(srv, 'POST', '/api/v1/tlog/entries', { body: { kind: 'nothing' } });
    assert.equal(a.status, 400);
    assert.equal(errorCode(a), 'TLOG_ENTRY_MALFORMED');
  });
});

for (const backend of BACKENDS) {
  describe(`answers outside a route's own handling are coded (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer(backend);
    });
    after(async () => srv?.close());

    it('headers over Node’s limit: 431 REQUEST_HEADERS_TOO_LARGE', async () => {
      const a = await rawRequest(
        srv.base,
        `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      assert.equal(a.status, 431, a.text.slice(0, 300));
      assert.equal(coded(a), 'REQUEST_HEADERS_TOO_LARGE');
    });

    it('malformed HTTP: 400 REQUEST_INVALID', async () => {
      const a = await rawRequest(srv.base, 'NOT HTTP AT ALL\r\n\r\n');
      assert.equal(a.status, 400, a.text.slice(0, 300));
      assert.equal(coded(a), 'REQUEST_INVALID');
    });

    it('a bad percent-encoding in a path parameter: 400 REQUEST_URL_INVALID', async () => {
      const a = await call(srv, 'GET', '/api/v1/tlog/entries/%E0%A4%A');
      assert.equal(a.status, 400, a.text);
      assert.equal(errorCode(a), 'REQUEST_URL_INVALID');
      assert.deepEqual(Object.keys(a.json), ['error']);
    });

    it('a path parameter over the router’s length: 414 REQUEST_URI_TOO_LONG', async () => {
      const a = await call(srv, 'GET', `/api/v1/tlog/entries/${'1'.repeat(200)}`);
      assert.equal(a.status, 414, a.text);
      assert.equal(errorCode(a), 'REQUEST_URI_TOO_LONG');
      assert.deepEqual(Object.keys(a.json), ['error']);
    });

    it('a stored blob that is gone is the server’s failure: 500 BLOB_MISSING', async () => {
      const admin = await tokenFor(srv.services, 'admin');
      await tokenFor(srv.services, 'viewer', ['alpha']); // creates the team
      const f = await sbomFixtures();
      const p = await push(srv, admin, f.demo, {
        product: 'blob-gone',
        release: '1.0.0',
        team: 'alpha',
      });
      assert.equal(p.status, 201, p.text);
      const digest = p.json.sbom.digest as string;
      const hex = digest.slice('sha256:'.length);
      unlinkSync(join(srv.services.blobs.root, 'sha256', hex.slice(0, 2), hex.slice(2)));
      const a = await call(srv, 'GET', `/api/v1/sboms/${p.json.sbom.id}/document`, {
        token: admin,
      });
      assert.equal(a.status, 500, a.text);
      assert.equal(errorCode(a), 'BLOB_MISSING');
      assert.ok(!a.text.includes(srv.services.dataDir), 'the answer names the data path');
    });

    it('/healthz says only ok and the database kind (no path, no version)', async () => {
      const a = await call(srv, 'GET', '/healthz');
      assert.equal(a.status, 200);
      assert.deepEqual(a.json, { status: 'ok', database: backend });
    });
  });
}

/** A DSSE entry, signed with a fresh P-256 key, whose payload is `size` bytes. */
function bigDsseEntry(size: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify({ _type: 'x', pad: 'x'.repeat(size) }));
  const sig = sign('sha256', preAuthEncoding(payloadType, payload), privateKey);
  return {
    kind: 'dsse',
    envelope: JSON.stringify({
      payloadType,
      payload: payload.toString('base64'),
      signatures: [{ keyid: '', sig: sig.toString('base64') }],
    }),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

for (const checkWorkers of [0, 1]) {
  describe(`log appends take envelopes up to the SBOM limit (entry checks on ${checkWorkers ? 'a worker' : 'the main thread'})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer('sqlite', {
        maxSbomBytes: 4 * 1024 * 1024,
        tlogLog: { checkWorkers },
      });
    });
    after(async () => srv?.close());

    it('a 2 MiB DSSE envelope is logged; its leaf keeps only hashes', async () => {
      const a = await call(srv, 'POST', '/api/v1/tlog/entries', { body: bigDsseEntry(2 << 20) });
      assert.equal(a.status, 201, a.text.slice(0, 300));
      const leaf = await call(
        srv,
        'GET',
        `/api/v1/tlog/entries/${a.json.index ?? a.json.logIndex}`,
      );
      assert.equal(leaf.status, 200, leaf.text.slice(0, 300));
      assert.ok(leaf.text.length < 64 * 1024, `${leaf.text.length} bytes`);
    });

    it('over the SBOM limit: 413 INPUT_TOO_LARGE', async () => {
      const a = await call(srv, 'POST', '/api/v1/tlog/entries', { body: bigDsseEntry(4 << 20) });
      assert.equal(a.status, 413);
      assert.equal(errorCode(a), 'INPUT_TOO_LARGE');
    });
  });
}
