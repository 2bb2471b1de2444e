import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InternalError } from '@sigstore/sign';
import {
  FALLBACK_MARK,
  keylessFailureKind,
  markedSimpleSigningPayload,
  markStatement,
} from '../../../src/app/sign/fallback-signer.js';
import { isLogOutage } from '../../../src/app/sign/log-later-witness.js';
import { NetError } from '../../../src/net/http.js';
import { parseSimpleSigning } from '../../../src/oci/index.js';
import { buildStatement, SignError } from '../../../src/sign/index.js';

const serviceFailed = (status: number | undefined, cause?: unknown) =>
  new SignError('SIGN_SERVICE_FAILED', 'failed', {
    cause,
    details: { service: 'certificate authority', ...(status !== undefined ? { status } : {}) },
  });

describe('what falls back and what does not', () => {
  it('infrastructure: no answer, time-out, 5xx, 429, 408, an open circuit', () => {
    for (const e of [
      serviceFailed(undefined, new TypeError('fetch failed')),
      serviceFailed(503),
      serviceFailed(502),
      serviceFailed(429),
      serviceFailed(408),
      serviceFailed(
        undefined,
        new InternalError({
          code: 'IDENTITY_TOKEN_READ_ERROR',
          message: 'x',
          cause: new NetError('NET_CIRCUIT_OPEN', 'open'),
        }),
      ),
      serviceFailed(
        undefined,
        new InternalError({
          code: 'IDENTITY_TOKEN_READ_ERROR',
          message: 'x',
          cause: new SignError('SIGN_SERVICE_FAILED', 'dev oidc', { details: { status: 500 } }),
        }),
      ),
    ])
      assert.equal(keylessFailureKind(e), 'infrastructure', String(e.cause));
  });

  it('refused: a 4xx answer, no token, a token that does not parse', () => {
    for (const e of [
      serviceFailed(401),
      serviceFailed(403),
      serviceFailed(400),
      serviceFailed(
        undefined,
        new InternalError({
          code: 'IDENTITY_TOKEN_READ_ERROR',
          message: 'x',
          cause: new SignError('SIGN_TOKEN_INVALID', 'no token'),
        }),
      ),
      serviceFailed(
        undefined,
        new InternalError({ code: 'IDENTITY_TOKEN_PARSE_ERROR', message: 'bad jwt' }),
      ),
    ])
      assert.equal(keylessFailureKind(e), 'refused', String(e.cause));
  });

  it('a log outage (deferrable) versus a log that refused', () => {
    const log = (status?: number) =>
      new SignError('SIGN_SERVICE_FAILED', 'x', {
        details: { service: 'transparency log', ...(status !== undefined ? { status } : {}) },
      });
    assert.equal(isLogOutage(log()), true);
    assert.equal(isLogOutage(log(503)), true);
    assert.equal(isLogOutage(log(400)), false);
    assert.equal(isLogOutage(serviceFailed(503)), false, 'the CA is not the log');
  });
});

describe('the fallback mark, inside what is signed', () => {
  const mark = { from: 'keyless' as const, reason: 'CA down', at: '2026-01-01T00:00:00.000Z' };
  it('simple signing: optional[FALLBACK_MARK]; still a valid cosign payload', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const bytes = markedSimpleSigningPayload('r.example/app', digest, mark);
    const doc = JSON.parse(new TextDecoder().decode(bytes));
    assert.deepEqual(doc.optional, { [FALLBACK_MARK]: mark });
    assert.equal(parseSimpleSigning(bytes)?.digest, digest);
    const plain = JSON.parse(
      new TextDecoder().decode(markedSimpleSigningPayload('r.example/app', digest, undefined)),
    );
    assert.equal(plain.optional, null);
  });

  it('statements: every subject annotated, predicate untouched', () => {
    const s = buildStatement({
      subjects: [
        { name: 'a', digest: { sha256: 'a'.repeat(64) } },
        { name: 'b', digest: { sha256: 'b'.repeat(64) } },
      ],
      predicateType: 'https://example.com/p/v1',
      predicate: { x: 1 },
    });
    const m = markStatement(s, mark);
    for (const sub of m.subject)
      assert.deepEqual((sub as { annotations?: unknown }).annotations, { [FALLBACK_MARK]: mark });
    assert.deepEqual(m.predicate, { x: 1 });
    assert.equal(markStatement(s, undefined), s);
  });
});
