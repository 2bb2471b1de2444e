import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertProvenanceStatement,
  ProvenanceBuildError,
  provenancePredicateProblems,
  resourceDescriptorProblems,
  statementProblems,
} from '../../../src/formats/index.js';
import { listConformance, readConformance } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/**
 * The checks run on a statement before it is signed, against in-toto's own test vectors (Go and
 * Python reference implementations: statement, ResourceDescriptor, SLSA Provenance v1 predicate)
 * and the recorded real SLSA v1 statements.
 */

interface Vector {
  source: string;
  name: string;
  kind: 'statement' | 'resourceDescriptor' | 'slsaProvenanceV1Predicate';
  json: string;
  expect: string;
}

// Which problem each reference error means: the start of the JSON path it is about, or a phrase.
const MEANS: Readonly<Record<string, string>> = {
  ErrInvalidStatementType: '_type',
  ErrSubjectRequired: 'subject:',
  ErrRDRequiredField: 'needs at least one of name, uri or digest',
  ErrDigestRequired: 'a subject needs a digest',
  ErrPredicateTypeRequired: 'predicateType',
  ErrPredicateRequired: 'predicate:',
  ErrInvalidDigestEncoding: 'not lower-case hex',
  ErrIncorrectDigestLength: 'bytes, not',
  ErrBuildDefinitionRequired: 'predicate.buildDefinition',
  ErrBuildTypeRequired: 'buildDefinition.buildType',
  ErrExternalParamsRequired: 'buildDefinition.externalParameters',
  ErrRunDetailsRequired: 'predicate.runDetails',
  ErrBuilderRequired: 'runDetails.builder',
  ErrBuilderIdRequired: 'builder.id',
};

function problemsOf(v: Vector): string[] {
  const value: unknown = JSON.parse(v.json);
  switch (v.kind) {
    case 'statement':
      return statementProblems(value, { legacyType: true });
    case 'resourceDescriptor':
      return resourceDescriptorProblems(value, 'rd');
    case 'slsaProvenanceV1Predicate':
      return provenancePredicateProblems(value);
  }
}

describe('in-toto attestation vectors (statement, ResourceDescriptor, SLSA v1 predicate)', () => {
  const vectors = JSON.parse(
    new TextDecoder().decode(
      readConformance('slsa', 'vectors', 'in-toto-attestation', 'vectors.json'),
    ),
  ) as Vector[];

  it('has the suite’s cases', () => assert.ok(vectors.length >= 36, `${vectors.length} cases`));

  for (const v of vectors) {
    it(`${v.kind} ${v.name} → ${v.expect}`, () => {
      const problems = problemsOf(v);
      if (v.expect.startsWith('valid')) {
        assert.deepEqual(problems, []);
        return;
      }
      assert.ok(problems.length > 0, 'accepted');
      const err = /^(Err\w+)/.exec(v.expect)?.[1];
      if (err !== undefined) {
        const means = MEANS[err];
        assert.ok(means, `no meaning for ${err}`);
        assert.ok(
          problems.some((p) => p.includes(means)),
          `${err}: expected a problem about "${means}", got ${problems.join(' | ')}`,
        );
      }
    });
  }
});

describe('recorded SLSA v1 statements pass what Custody checks before signing', () => {
  const files = listConformance('slsa', 'vectors', 'decoded-statements').filter((f) =>
    f.startsWith('slsa-v1_statement-v1_'),
  );
  it('finds them', () => assert.ok(files.length >= 3, files.join(', ')));
  // Google Cloud Build writes `byproducts: [{}]`, an empty ResourceDescriptor that in-toto's
  // reference validator refuses too (ErrRDRequiredField): Custody would not sign it as it is.
  const REFUSED: Readonly<Record<string, string>> = {
    'slsa-v1_statement-v1_gcb.json': 'predicate.runDetails.byproducts[0]: needs at least one',
  };
  for (const f of files) {
    it(f, () => {
      const { statement } = JSON.parse(
        new TextDecoder().decode(readConformance('slsa', 'vectors', 'decoded-statements', f)),
      );
      const why = REFUSED[f];
      if (why === undefined) return assertProvenanceStatement(statement);
      const e = expectCustodyError(
        () => assertProvenanceStatement(statement),
        ProvenanceBuildError,
        'PROVENANCE_STATEMENT_INVALID',
      );
      assert.deepEqual(
        ((e.details?.['problems'] ?? []) as string[]).map((p) => p.startsWith(why)),
        [true],
      );
    });
  }
});

describe('assertProvenanceStatement', () => {
  const good = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app.tgz', digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: { buildType: 'urn:x', externalParameters: {} },
      runDetails: { builder: { id: 'urn:b' }, metadata: { startedOn: '2026-01-01T00:00:00Z' } },
    },
  };

  it('lists every problem of a broken statement', () => {
    assertProvenanceStatement(good);
    const bad = structuredClone(good);
    Object.assign(bad, {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
    });
    bad.predicate.runDetails.metadata.startedOn = '2026-01-01 00:00';
    Object.assign(bad.predicate.buildDefinition, {
      resolvedDependencies: [{ digest: { gitCommit: 'xyz' } }],
    });
    const e = expectCustodyError(
      () => assertProvenanceStatement(bad),
      ProvenanceBuildError,
      'PROVENANCE_STATEMENT_INVALID',
    );
    const problems = e.details?.['problems'] as string[];
    assert.equal(problems.length, 4, e.message);
  });

  it('refuses fields the protobuf messages do not have (protobuf JSON readers would)', () => {
    const p = structuredClone(good.predicate);
    Object.assign(p.buildDefinition, { buildtype: 'typo' });
    Object.assign(p.runDetails.builder, { name: 'x' });
    assert.deepEqual(provenancePredicateProblems(p), [
      'predicate.buildDefinition.buildtype: not a field of predicate.buildDefinition',
      'predicate.runDetails.builder.name: not a field of predicate.runDetails.builder',
    ]);
    assert.deepEqual(resourceDescriptorProblems({ uri: 'u', sha256: 'x' }, 'rd'), [
      'rd.sha256: not a field of rd',
    ]);
  });

  it('arbitrary JSON: problems or none, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        statementProblems(v);
        provenancePredicateProblems(v);
        resourceDescriptorProblems(v, 'rd');
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        const s = { ...good, predicate: { ...good.predicate, buildDefinition: v } };
        assert.equal(
          provenancePredicateProblems(s.predicate).length > 0,
          !isGoodBuildDefinition(v),
        );
      }),
    );
  });
});

function isGoodBuildDefinition(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    provenancePredicateProblems({
      buildDefinition: v,
      runDetails: { builder: { id: 'urn:b' } },
    }).length === 0
  );
}
