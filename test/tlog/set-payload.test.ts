import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalize } from '../../src/core/index.js';
import { encodeBase64 } from '../../src/tlog/bytes.js';
import { setPayload } from '../../src/tlog/rekor.js';

/**
 * setPayload writes the RFC 8785 form of {body, integratedTime, logID, logIndex} by hand: it must
 * be byte for byte what the canonicalizer gives, for any body, log ID and index.
 */
describe('signed entry timestamp payload', () => {
  it('is the canonical JSON of its four fields', () => {
    let x = 12345;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x;
    };
    for (let i = 0; i < 500; i++) {
      const body = new Uint8Array(next() % 2000).map(() => next() % 256);
      const logID = new Uint8Array(32).map(() => next() % 256);
      const integratedTime = i === 0 ? 0 : next() * (i % 3 === 0 ? 1000 : 1);
      const logIndex = i === 1 ? Number.MAX_SAFE_INTEGER : next() % 10 ** (i % 12);
      const want = canonicalize({
        body: encodeBase64(body),
        integratedTime,
        logID: Buffer.from(logID).toString('hex'),
        logIndex,
      });
      const got = setPayload({ body: body.subarray(0), integratedTime, logID, logIndex });
      assert.equal(Buffer.from(got).toString('utf8'), want);
    }
  });

  it('reads a body that is a view into a larger buffer', () => {
    const big = Buffer.from('xxhello worldxx');
    const body = big.subarray(2, 13);
    const logID = new Uint8Array(Buffer.from('00ff'.repeat(16), 'hex'));
    assert.equal(
      Buffer.from(
        setPayload({ body, integratedTime: 1, logID: logID.subarray(1, 3), logIndex: 2 }),
      ).toString(),
      canonicalize({ body: encodeBase64(body), integratedTime: 1, logID: 'ff00', logIndex: 2 }),
    );
  });
});
