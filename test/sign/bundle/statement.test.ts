import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SignError } from '../../../src/sign/errors.js';
import {
  assertAttestation,
  buildStatement,
  PREDICATE_TYPE_ALIASES,
  parsePredicate,
  parseStatement,
  resolvePredicateType,
  STATEMENT_V1_TYPE,
  statementToBytes,
  subjectFromBytes,
  subjectFromDigest,
} from '../../../src/sign/statement.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

const HEX = 'ab'.repeat(32);

describe('resolvePredicateType', () => {
  it('maps the aliases to their URIs', () => {
    assert.equal(resolvePredicateType('slsaprovenance1'), 'https://slsa.dev/provenance/v1');
    assert.equal(resolvePredicateType('cyclonedx'), 'https://cyclonedx.org/bom');
    assert.equal(resolvePredicateType('spdx'), 'https://spdx.dev/Document');
    assert.equal(resolvePredicateType('openvex'), 'https://openvex.dev/ns');
    assert.equal(Object.keys(PREDICATE_TYPE_ALIASES).length, 4);
  });

  it('passes any absolute URI through unchanged', () => {
    for (const u of [
      'https://example.com/predicate/v1',
      'https://in-toto.io/attestation/vulns/v0.2',
      'urn:example:predicate',
    ]) {
      assert.equal(resolvePredicateType(u), u);
    }
  });

  it('refuses unknown aliases and relative or spaced URIs', () => {
    for (const bad of ['slsa', 'SPDX', '', '/relative', 'https://ex ample.com', 'vuln']) {
      expectCustodyError(() => resolvePredicateType(bad), SignError, 'SIGN_STATEMENT_INVALID');
    }
  });
});

describe('subjects', () => {
  it('from bytes: SHA-256 of the content, with the name', () => {
    const s = subjectFromBytes('a.tgz', Buffer.from('hello'));
    assert.deepEqual(s, {
      name: 'a.tgz',
      digest: { sha256: createHash('sha256').update('hello').digest('hex') },
    });
  });

  it('from sha256:<hex>, lower-cased, named only when asked', () => {
    assert.deepEqual(subjectFromDigest(`sha256:${HEX.toUpperCase()}`), { digest: { sha256: HEX } });
    assert.deepEqual(subjectFromDigest(`sha256:${HEX}`, 'img'), {
      name: 'img',
      digest: { sha256: HEX },
    });
  });

  it('refuses digests that are not sha256 of 64 hex digits', () => {
    for (const bad of [
      HEX,
      `sha512:${HEX}`,
      `sha256:${HEX.slice(1)}`,
      `sha256:${HEX}0`,
      'sha256:',
    ]) {
      expectCustodyError(() => subjectFromDigest(bad), SignError, 'SIGN_STATEMENT_INVALID');
    }
  });
});

describe('parsePredicate', () => {
  it('takes a JSON object', () => {
    assert.deepEqual(parsePredicate(Buffer.from('{"a":[1]}'), 'p.json'), { a: [1] });
  });

  it('refuses JSON that is not an object, and non-JSON, naming the file', () => {
    for (const bad of ['[1]', '1', 'null', '"x"', '{', '']) {
      const e = expectCustodyError(
        () => parsePredicate(Buffer.from(bad), 'p.json'),
        SignError,
        'SIGN_STATEMENT_INVALID',
      );
      assert.match(e.message, /p\.json/);
    }
  });

  it('arbitrary bytes give an object or SIGN_STATEMENT_INVALID', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array(),
          fc.json().map((j) => Buffer.from(j)),
        ),
        (bytes) => {
          try {
            const v = parsePredicate(bytes, 'x');
            assert.equal(typeof v, 'object');
          } catch (e) {
            assert.ok(e instanceof SignError && e.code === 'SIGN_STATEMENT_INVALID', String(e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('buildStatement', () => {
  it('builds an in-toto Statement v1 that parses back the same', () => {
    const st = buildStatement({
      subjects: [subjectFromDigest(`sha256:${HEX}`, 'x')],
      predicateType: 'openvex',
      predicate: { statements: [] },
    });
    assert.equal(st._type, STATEMENT_V1_TYPE);
    assert.equal(st.predicateType, 'https://openvex.dev/ns');
    assert.deepEqual(parseStatement(statementToBytes(st)), st);
  });

  it('needs a subject and a valid predicate type', () => {
    expectCustodyError(
      () => buildStatement({ subjects: [], predicateType: 'spdx', predicate: {} }),
      SignError,
      'SIGN_STATEMENT_INVALID',
    );
    expectCustodyError(
      () =>
        buildStatement({
          subjects: [subjectFromDigest(`sha256:${HEX}`)],
          predicateType: 'nope',
          predicate: {},
        }),
      SignError,
      'SIGN_STATEMENT_INVALID',
    );
  });

  it('round-trips any JSON predicate and subject names', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (predicate, name) => {
        const st = buildStatement({
          subjects: [subjectFromBytes(name, Buffer.from(name))],
          predicateType: 'cyclonedx',
          predicate,
        });
        const back = parseStatement(statementToBytes(st));
        assert.deepEqual(back, JSON.parse(JSON.stringify(st)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseStatement', () => {
  it('collects every problem of a payload that is not a statement', () => {
    const e = expectCustodyError(
      () =>
        parseStatement(
          Buffer.from(
            JSON.stringify({
              _type: 'https://in-toto.io/Statement/v0.1',
              subject: [{ digest: 1 }],
            }),
          ),
        ),
      SignError,
      'SIGN_STATEMENT_INVALID',
    );
    assert.deepEqual(e.details?.['problems'], [
      '_type is not https://in-toto.io/Statement/v1',
      'predicateType is not a string',
      'subject[0].digest is not an object of strings',
    ]);
    for (const bad of ['[]', 'null', '{"_type":"https://in-toto.io/Statement/v1"}', 'x']) {
      expectCustodyError(
        () => parseStatement(Buffer.from(bad)),
        SignError,
        'SIGN_STATEMENT_INVALID',
      );
    }
  });
});

describe('assertAttestation', () => {
  const st = buildStatement({
    subjects: [subjectFromDigest(`sha256:${HEX}`, 'a'), subjectFromBytes('b', Buffer.from('b'))],
    predicateType: 'slsaprovenance1',
    predicate: {},
  });

  it('accepts the predicate type by alias or URI and any subject by digest', () => {
    assertAttestation(st, { predicateType: 'slsaprovenance1', sha256: HEX.toUpperCase() });
    assertAttestation(st, {
      predicateType: 'https://slsa.dev/provenance/v1',
      sha256: createHash('sha256').update('b').digest('hex'),
    });
    assertAttestation(st, {});
  });

  it('refuses another predicate type or an absent subject, with what was found', () => {
    const t = expectCustodyError(
      () => assertAttestation(st, { predicateType: 'spdx' }),
      SignError,
      'SIGN_ATTESTATION_MISMATCH',
    );
    assert.deepEqual(t.details, {
      expected: 'https://spdx.dev/Document',
      found: 'https://slsa.dev/provenance/v1',
    });
    const s = expectCustodyError(
      () => assertAttestation(st, { sha256: '00'.repeat(32) }),
      SignError,
      'SIGN_ATTESTATION_MISMATCH',
    );
    assert.equal((s.details as { found: string[] }).found.length, 2);
    expectCustodyError(
      () => assertAttestation(st, { predicateType: 'nope' }),
      SignError,
      'SIGN_STATEMENT_INVALID',
    );
  });
});
