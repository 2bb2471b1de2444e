/**
 * The SLSA readers take untrusted input: arbitrary bytes, arbitrary JSON and a valid statement with
 * any member replaced by an arbitrary value give a value or a coded SlsaError, never anything else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  parseDsseEnvelope,
  parseStatement,
  parseVerificationSummary,
  provenanceView,
  SlsaError,
  statementOfEnvelope,
} from '../../../src/formats/slsa/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests poke into JSON documents freely
type Loose = any;

function onlyCoded(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SlsaError, `untyped error: ${(e as Error)?.stack}`);
  }
}

const V1 = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {
    buildDefinition: {
      buildType: 'https://example.com/t',
      externalParameters: {
        workflow: { repository: 'https://github.com/o/r', ref: 'refs/heads/main' },
      },
      resolvedDependencies: [
        {
          uri: 'git+https://github.com/o/r@refs/heads/main',
          digest: { gitCommit: 'a'.repeat(40) },
        },
      ],
    },
    runDetails: { builder: { id: 'https://example.com/b' }, metadata: { invocationId: 'x' } },
  },
};

function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (v !== null && typeof v === 'object')
    return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}
const PATHS = paths(V1).filter((p) => p.length > 0);

describe('formats/slsa: properties', () => {
  it('arbitrary bytes and JSON give a value or a coded error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        onlyCoded(() => parseDsseEnvelope(b));
        onlyCoded(() => provenanceView(parseStatement(b)));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        onlyCoded(() => statementOfEnvelope(parseDsseEnvelope(v)));
        onlyCoded(() => provenanceView(parseStatement(v)));
        onlyCoded(() => parseVerificationSummary(parseStatement(v)));
      }),
      { numRuns: 300 },
    );
  });

  it('a statement with any member replaced gives a view or a coded error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const doc = structuredClone(V1) as Loose;
        let o = doc;
        for (const k of path.slice(0, -1)) o = o[k];
        o[path.at(-1) as string] = value;
        onlyCoded(() => {
          const v = provenanceView(parseStatement(doc));
          // What is read is what the statement says.
          assert.equal(v.subjects.length, doc.subject.length);
          assert.equal(typeof v.builderId, 'string');
        });
        // Through an envelope, as bytes, the same.
        const env = {
          payloadType: 'application/vnd.in-toto+json',
          payload: Buffer.from(JSON.stringify(doc)).toString('base64'),
          signatures: [{ sig: 'AA==' }],
        };
        onlyCoded(() =>
          provenanceView(statementOfEnvelope(parseDsseEnvelope(Buffer.from(JSON.stringify(env))))),
        );
      }),
      { numRuns: 500 },
    );
  });
});
