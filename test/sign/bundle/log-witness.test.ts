import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { InternalError, type Witness } from '@sigstore/sign';
import { custodyLogWitness, withRetries } from '../../../src/net/log-witness.js';
import { SignError } from '../../../src/sign/errors.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';

/** An error shaped as sigstore-js throws it for an HTTP answer. */
function httpFailure(status: number, message = 'nope'): InternalError {
  const cause = Object.assign(new Error(message), { statusCode: status });
  return new InternalError({
    code: 'TLOG_CREATE_ENTRY_ERROR',
    message: 'error creating tlog entry',
    cause,
  });
}

/** A witness that fails with `failures` in turn, then answers. */
function flaky(failures: unknown[]): Witness & { calls: number } {
  const w = {
    calls: 0,
    async testify() {
      const f = failures[w.calls++];
      if (f !== undefined) throw f;
      return { tlogEntries: [] };
    },
  };
  return w;
}

const CONTENT = { $case: 'messageSignature' } as Parameters<Witness['testify']>[0];
const MESSAGE = {
  $case: 'messageSignature',
  messageSignature: {
    messageDigest: { algorithm: 1, digest: Buffer.alloc(32) },
    signature: Buffer.alloc(64),
  },
} as Parameters<Witness['testify']>[0];
const PUBLIC_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  type: 'spki',
  format: 'pem',
}) as string;
const OPTS = { service: 'transparency log', url: 'http://log.example/api/v1/log/entries' };

describe('withRetries', () => {
  it('retries 5xx, 429, 408 and network errors with growing backoff, then succeeds', async () => {
    const network = new InternalError({
      code: 'TLOG_CREATE_ENTRY_ERROR',
      message: 'error creating tlog entry',
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const w = flaky([httpFailure(503), httpFailure(429), httpFailure(408), network]);
    const sleeps: number[] = [];
    const notices: string[] = [];
    await withRetries(w, {
      ...OPTS,
      retries: 4,
      backoffMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onRetry: (_n, _ms, reason) => notices.push(reason),
    }).testify(CONTENT, 'pem');
    assert.equal(w.calls, 5);
    assert.equal(sleeps.length, 4);
    // Jitter keeps each delay within [½, 1] of 100·2^k.
    sleeps.forEach((ms, k) => {
      assert.ok(ms >= 50 * 2 ** k && ms <= 100 * 2 ** k, `${ms} for retry ${k + 1}`);
    });
    assert.deepEqual(notices.slice(0, 3), ['HTTP 503 nope', 'HTTP 429 nope', 'HTTP 408 nope']);
    assert.match(notices[3] as string, /ECONNREFUSED/);
  });

  it('gives up after the retries, naming the service, URL, attempts and status', async () => {
    const w = flaky(Array.from({ length: 10 }, () => httpFailure(502, 'bad gateway')));
    const e = await expectCustodyErrorAsync(
      () => withRetries(w, { ...OPTS, retries: 2, sleep: async () => {} }).testify(CONTENT, 'pem'),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.equal(w.calls, 3);
    assert.match(
      e.message,
      /transparency log at http:\/\/log\.example.* after 3 attempts: HTTP 502/,
    );
    assert.deepEqual(e.details, { ...OPTS, attempts: 3, status: 502 });
  });

  it('does not retry a refusal (4xx): asking again would not change it', async () => {
    const w = flaky([httpFailure(400, 'unsupported key')]);
    const e = await expectCustodyErrorAsync(
      () =>
        withRetries(w, { ...OPTS, sleep: async () => assert.fail('slept') }).testify(
          CONTENT,
          'pem',
        ),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.equal(w.calls, 1);
    assert.match(e.message, /HTTP 400 unsupported key/);
    assert.equal(e.details?.['status'], 400);
  });

  it('does not retry errors that are not the service’s', async () => {
    const w = flaky([new TypeError('bug')]);
    await expectCustodyErrorAsync(
      () => withRetries(w, OPTS).testify(CONTENT, 'pem'),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.equal(w.calls, 1);
  });
});

describe('custodyLogWitness', () => {
  it('against a port nobody listens on: retried, then SIGN_SERVICE_FAILED naming the log', async () => {
    const port = await closedPort();
    const retries: number[] = [];
    const e = await expectCustodyErrorAsync(
      () =>
        custodyLogWitness({
          url: `http://127.0.0.1:${port}/`,
          retries: 2,
          backoffMs: 1,
          onRetry: (n) => retries.push(n),
        }).testify(MESSAGE, PUBLIC_PEM),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.deepEqual(retries, [1, 2], e.message);
    assert.equal(e.details?.['service'], 'transparency log');
    assert.equal(e.details?.['url'], `http://127.0.0.1:${port}/api/v1/log/entries`);
    assert.match(e.message, /after 3 attempts/);
  });
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
