/**
 * Reading in-toto statements and SLSA predicates: every envelope and bundle of the slsa-verifier
 * test data (read in place), the decoded examples, the spec's required fields, and limits.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  jsonLines,
  parseDsseEnvelope,
  parseSlsaProvenance,
  parseStatement,
  parseVerificationSummary,
  provenanceView,
  SlsaError,
  splitSourceRef,
  statementOfEnvelope,
} from '../../../src/formats/slsa/index.js';
import { conformancePath } from '../../helpers/conformance.js';

// biome-ignore lint/suspicious/noExplicitAny: tests poke into JSON documents freely
type Loose = any;

const ROOT = conformancePath('slsa');
const DATA = join(ROOT, 'slsa-verifier');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The DSSE envelopes a file holds: a legacy .jsonl line, a Sigstore bundle's, npm's list, GCB's. */
function envelopesOf(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  let docs: unknown[] = [];
  try {
    docs = [JSON.parse(text)];
  } catch {
    for (const l of jsonLines(Buffer.from(text))) {
      try {
        docs.push(JSON.parse(l));
      } catch {
        // Unit-test data made to be unreadable: not for this reader.
      }
    }
  }
  const out: unknown[] = [];
  for (const d of docs as Loose[]) {
    if (d?.payloadType !== undefined) out.push(d);
    else if (d?.dsseEnvelope !== undefined) out.push(d.dsseEnvelope);
    else if (Array.isArray(d?.attestations))
      for (const a of d.attestations) out.push(a.bundle.dsseEnvelope);
    else if (Array.isArray(d?.provenance_summary?.provenance))
      for (const p of d.provenance_summary.provenance)
        if (p?.envelope?.payload) out.push(p.envelope);
  }
  return out;
}

const FILES = walk(DATA).filter(
  (f) =>
    /\.(jsonl|sigstore|slsa|json)$/.test(f) && !f.includes('/blobs/') && !f.endsWith('index.json'),
);

describe('formats/slsa: the slsa-verifier test data', () => {
  it('reads every provenance and VSA statement in the data', () => {
    const versions = new Map<string, number>();
    let read = 0;
    for (const f of FILES) {
      for (const e of envelopesOf(f)) {
        let env: ReturnType<typeof parseDsseEnvelope>;
        try {
          env = parseDsseEnvelope(e, relative(DATA, f));
        } catch (err) {
          // Unit-test data made to be broken (empty or bad signatures, bad payloads): a coded error.
          assert.ok(err instanceof SlsaError, `${f}: ${(err as Error).message}`);
          continue;
        }
        if (env.payloadType !== 'application/vnd.in-toto+json') continue;
        let st: ReturnType<typeof statementOfEnvelope>;
        try {
          st = statementOfEnvelope(env);
        } catch (err) {
          assert.ok(err instanceof SlsaError, `${f}: ${(err as Error).message}`);
          continue;
        }
        if (st.predicateType.startsWith('https://slsa.dev/provenance/')) {
          const v = provenanceView(st);
          assert.ok(v.builderId.length > 0, f);
          versions.set(v.slsaVersion, (versions.get(v.slsaVersion) ?? 0) + 1);
          read++;
        } else if (st.predicateType === 'https://slsa.dev/verification_summary/v1') {
          assert.equal(parseVerificationSummary(st).verificationResult, 'PASSED');
          read++;
        }
      }
    }
    assert.ok(read > 300, `read ${read}`);
    for (const v of ['0.1', '0.2', '1']) assert.ok((versions.get(v) ?? 0) > 0, `no v${v}`);
  });

  it('gives the decoded examples their builder, build type and source', () => {
    const dir = join(ROOT, 'vectors', 'decoded-statements');
    const expect: Record<string, [string, string | undefined, string | undefined]> = {
      'slsa-v0.2_statement-v0.1_gha-go-builder.json': [
        'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v2.1.0',
        'git+https://github.com/slsa-framework/example-package',
        'refs/tags/v14.2',
      ],
      'slsa-v1_statement-v0.1_container-based-builder.json': [
        'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml@refs/tags/v2.1.0',
        'git+https://github.com/slsa-framework/example-package',
        'refs/tags/v14.2',
      ],
      'slsa-v1_statement-v1_github-attest_bcr-module.json': [
        'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1',
        'git+https://github.com/aspect-build/rules_lint',
        'refs/heads/publish-to-bcr',
      ],
      'slsa-v1_statement-v1_npm-github-actions.json': [
        'https://github.com/actions/runner/github-hosted',
        'git+https://github.com/ramonpetgrave64/gundam-visor',
        'refs/tags/v1.0.1',
      ],
      'slsa-v1_statement-v1_gcb.json': [
        'https://cloudbuild.googleapis.com/GoogleHostedWorker',
        'git+https://github.com/khalkie/gcb-prod-prov',
        'refs/heads/main',
      ],
      'slsa-v0.1_statement-v0.1_gcb.json': [
        'https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3',
        'https://github.com/laurentsimon/gcb-tests',
        undefined,
      ],
    };
    for (const [name, [builder, uri, ref]] of Object.entries(expect)) {
      const doc = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      const v = provenanceView(parseStatement(doc.statement));
      assert.equal(v.builderId, builder, name);
      assert.equal(v.source?.uri, uri, name);
      assert.equal(v.source?.ref, ref, name);
    }
    const bcr = JSON.parse(
      readFileSync(join(dir, 'slsa-v1_statement-v1_github-attest_bcr-module.json'), 'utf8'),
    );
    const view = provenanceView(parseStatement(bcr.statement));
    assert.deepEqual(view.source?.digest, {
      gitCommit: '8f70009fde0c94ade6ce2a054b94718c819126ec',
    });
    assert.equal(view.buildType, 'https://actions.github.io/buildtypes/workflow/v1');
  });
});

const V1 = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }],
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {
    buildDefinition: { buildType: 'https://example.com/t', externalParameters: {} },
    runDetails: { builder: { id: 'https://example.com/b' } },
  },
};

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof SlsaError, String(e));
    return e.code;
  }
}

describe('formats/slsa: the required fields of the specs', () => {
  it('accepts a minimal v1 statement and refuses each missing required field', () => {
    assert.equal(provenanceView(parseStatement(V1)).builderId, 'https://example.com/b');
    const without = (f: (s: Loose) => void) => {
      const s = structuredClone(V1) as Loose;
      f(s);
      return s;
    };
    assert.equal(
      code(() => parseStatement(without((s) => (s._type = 'x')))),
      'SLSA_STATEMENT_INVALID',
    );
    assert.equal(
      code(() => parseStatement(without((s) => (s.subject = [])))),
      'SLSA_STATEMENT_INVALID',
    );
    assert.equal(
      code(() => parseStatement(without((s) => (s.subject[0].digest = {})))),
      'SLSA_STATEMENT_INVALID',
    );
    assert.equal(
      code(() => parseStatement(without((s) => (s.subject[0].digest.sha256 = 'xyz')))),
      'SLSA_STATEMENT_INVALID',
    );
    assert.equal(
      code(() => parseStatement(without((s) => delete s.predicateType))),
      'SLSA_STATEMENT_INVALID',
    );
    for (const drop of [
      (s: Loose) => delete s.predicate.buildDefinition,
      (s: Loose) => delete s.predicate.buildDefinition.buildType,
      (s: Loose) => delete s.predicate.buildDefinition.externalParameters,
      (s: Loose) => delete s.predicate.runDetails.builder.id,
      (s: Loose) =>
        (s.predicate.buildDefinition.resolvedDependencies = [{ digest: { sha256: 1 } }]),
    ]) {
      assert.equal(
        code(() => provenanceView(parseStatement(without(drop)))),
        'SLSA_PREDICATE_INVALID',
      );
    }
    assert.equal(
      code(() =>
        parseSlsaProvenance(parseStatement(without((s) => (s.predicateType = 'https://x/y')))),
      ),
      'SLSA_PREDICATE_UNSUPPORTED',
    );
  });

  it('refuses an envelope that is not in-toto, not base64 or without signatures', () => {
    const payload = Buffer.from(JSON.stringify(V1)).toString('base64');
    const ok = {
      payloadType: 'application/vnd.in-toto+json',
      payload,
      signatures: [{ sig: 'AA==' }],
    };
    assert.equal(statementOfEnvelope(parseDsseEnvelope(ok)).predicateType, V1.predicateType);
    assert.equal(
      code(() => statementOfEnvelope(parseDsseEnvelope({ ...ok, payloadType: 'text/plain' }))),
      'SLSA_ENVELOPE_INVALID',
    );
    assert.equal(
      code(() => parseDsseEnvelope({ ...ok, payload: '***' })),
      'SLSA_ENVELOPE_INVALID',
    );
    assert.equal(
      code(() => parseDsseEnvelope({ ...ok, signatures: 'x' })),
      'SLSA_ENVELOPE_INVALID',
    );
    assert.equal(
      code(() => parseDsseEnvelope(Buffer.from('not json'))),
      'SLSA_PARSE',
    );
  });

  it('applies its size and depth limits', () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    assert.equal(
      code(() => parseStatement(Buffer.from(deep))),
      'SLSA_TOO_DEEP',
    );
    let nested: unknown = 1;
    for (let i = 0; i < 100; i++) nested = { a: nested };
    assert.equal(
      code(() => parseStatement({ ...V1, predicate: nested })),
      'SLSA_TOO_DEEP',
    );
    const limits = {
      maxBytes: 100,
      maxDepth: 64,
      maxSubjects: 1,
      maxArrayLength: 10,
      maxStringLength: 100,
    };
    assert.equal(
      code(() => parseStatement(Buffer.from(JSON.stringify(V1)), 's', limits)),
      'SLSA_TOO_LARGE',
    );
    const two = { ...V1, subject: [V1.subject[0], V1.subject[0]] };
    assert.equal(
      code(() => parseStatement(two, 's', { ...limits, maxBytes: 1e6 })),
      'SLSA_TOO_LARGE',
    );
  });

  it('splits a source URI from its ref', () => {
    assert.deepEqual(splitSourceRef('git+https://github.com/o/r@refs/heads/main'), {
      uri: 'git+https://github.com/o/r',
      ref: 'refs/heads/main',
    });
    assert.deepEqual(splitSourceRef('git+ssh://git@github.com/o/r'), {
      uri: 'git+ssh://git@github.com/o/r',
    });
  });
});
