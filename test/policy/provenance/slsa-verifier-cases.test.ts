/**
 * slsa-verifier's regression cases (CASES.md A–G, transcribed in upstream-cases.ts) through
 * `verifyProvenance`, the use case behind `custody verify provenance`, and a handful through the
 * real CLI. Each case must reach its listed outcome (verified, or refused with the listed
 * slsa-verifier error), with one counted class of known differences:
 *
 * Legacy `.intoto.jsonl` envelopes carry a Fulcio certificate but no transparency log entry;
 * slsa-verifier finds their entry by searching public Rekor. Custody verifies offline, so by
 * default it refuses them with `rekor-search` (ErrorRekorSearch). Each such case is run twice: by
 * default it must give rekor-search, and with allowMissingTlog (`--insecure-ignore-tlog`) it must
 * reach the listed outcome. Cases whose listed outcome is ErrorRekorSearch pass by default.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type VerifyProvenanceRequest,
  verifyProvenance,
  verifyVerificationSummary,
} from '../../../src/app/verify/verify-provenance.js';
import {
  artifactArg,
  buildersAndVersions,
  isLegacyEnvelope,
  semverCompare,
  TESTDATA,
} from './harness.js';
import { UPSTREAM_CASES, type UpstreamCase } from './upstream-cases.js';

interface Run {
  section: string;
  label: string;
  request: Omit<VerifyProvenanceRequest, 'cwd'>;
  /** The listed upstream error, or undefined: verified. */
  err: string | undefined;
  /** Builder the result must loosely match. */
  outBuilderId?: string | undefined;
}

const GENERATOR = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/';
const BUILDER_OF: Record<string, string> = {
  _go: `${GENERATOR}builder_go_slsa3.yml`,
  _generic: `${GENERATOR}generator_generic_slsa3.yml`,
  _delegator:
    'https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml',
  _maven: `${GENERATOR}builder_maven_slsa3.yml`,
  _gradle: `${GENERATOR}builder_gradle_slsa3.yml`,
};

function opt<K extends string, V>(k: K, v: V | undefined | null): { [k in K]?: V } {
  return (v === undefined || v === null ? {} : { [k]: v }) as { [k in K]?: V };
}

function flags(tt: UpstreamCase) {
  return {
    sourceUri: tt['source'] as string,
    ...opt('sourceBranch', tt['pbranch'] as string | undefined),
    ...opt('sourceTag', tt['ptag'] as string | undefined),
    ...opt('sourceVersionedTag', tt['pversiontag'] as string | undefined),
    ...opt('workflowInputs', tt['inputs'] as Record<string, string> | undefined),
  };
}

/** Test_runVerifyGHAArtifactPath's loop. */
function sectionA(): Run[] {
  const runs: Run[] = [];
  for (const tt of UPSTREAM_CASES.A) {
    let err = tt.err;
    const builders = (tt['builders'] as string[] | undefined) ?? [
      'gha_go',
      'gha_generic',
      'gha_delegator',
      'gha_maven',
      'gha_gradle',
    ];
    const versions = tt['noversion'] === true ? [''] : buildersAndVersions('v1.2.2', builders);
    for (const v of versions) {
      const artifacts = tt['artifacts'] as string[];
      const first = join(v, artifacts[0] as string);
      const byob = /delegator|maven|gradle/.test(first);
      const provenance =
        tt['provenancePath'] !== undefined
          ? join(TESTDATA, v, tt['provenancePath'] as string)
          : join(TESTDATA, `${first}${byob ? '.build.slsa' : '.intoto.jsonl'}`);
      const [name = '', version = ''] = v.split('/');
      const sv = version;
      const suffix = Object.keys(BUILDER_OF).find((s) => name.endsWith(s));
      const builder = BUILDER_OF[suffix ?? '_generic'] as string;
      let ids: (string | undefined)[] = [builder];
      if (builder !== BUILDER_OF['_delegator']) ids.push(undefined);
      if (version !== '' && semverCompare(version, 'v1.0.0') > 0) {
        ids.push(`${builder}@${sv}`, `${builder}@refs/tags/${sv}`);
      }
      if (tt['pBuilderID'] !== undefined) ids = [tt['pBuilderID'] as string];
      // BYOB-based builders ignore the reusable workflow (and the upstream loop keeps the change).
      if (err === 'ErrorUntrustedReusableWorkflow' && byob) err = 'ErrorMismatchBuilderID';
      for (const bid of ids) {
        runs.push({
          section: 'A',
          label: `${tt.name} [${v || '.'} builder-id=${bid ?? '-'}]`,
          request: {
            artifacts: artifacts.map((a) => artifactArg(join(v, a))),
            bundle: provenance,
            ...flags(tt),
            ...opt('builderId', bid),
          },
          err,
          outBuilderId: (tt['outBuilderID'] as string | undefined) ?? bid,
        });
      }
    }
  }
  return runs;
}

/** Test_runVerifyGHAContainerBased's loop. */
function sectionB(): Run[] {
  const runs: Run[] = [];
  const builder = `${GENERATOR}builder_container-based_slsa3.yml`;
  for (const tt of UPSTREAM_CASES.B) {
    for (const v of buildersAndVersions('', ['gha_container-based'])) {
      const sv = v.split('/')[1] as string;
      const artifacts = tt['artifacts'] as string[];
      const test = join(TESTDATA, v, artifacts[0] as string);
      const provenance = `${test}${semverCompare(sv, 'v1.8.0') >= 0 ? '.intoto.build.slsa' : '.intoto.sigstore'}`;
      const ids =
        tt['pBuilderID'] !== undefined
          ? [tt['pBuilderID'] as string]
          : [`${builder}@refs/tags/${sv}`, builder, `${builder}@${sv}`, undefined];
      for (const bid of ids) {
        runs.push({
          section: 'B',
          label: `${tt.name} [${v} builder-id=${bid ?? '-'}]`,
          request: {
            artifacts: artifacts.map((a) => artifactArg(join(v, a))),
            bundle: provenance,
            ...flags(tt),
            ...opt('builderId', bid),
          },
          err: tt.err,
          outBuilderId: bid,
        });
      }
    }
  }
  return runs;
}

/** Test_runVerifyGithubAttestation. */
function sectionF(): Run[] {
  return UPSTREAM_CASES.F.map((tt) => {
    const artifact = `bcr/${tt['artifact'] as string}`;
    const bid = tt['builderID'] as string | undefined;
    return {
      section: 'F',
      label: tt.name,
      request: {
        artifacts: [artifactArg(artifact)],
        bundle: join(TESTDATA, `${artifact}.intoto.jsonl`),
        sourceUri: tt['source'] as string,
        ...opt('builderId', bid),
      },
      err: tt.err,
      outBuilderId: bid,
    };
  });
}

/** Test_runVerifyGHAArtifactImage's loop (the OCI layouts hold the cosign attestations). */
function sectionC(): Run[] {
  const runs: Run[] = [];
  const builder = `${GENERATOR}generator_container_slsa3.yml`;
  for (const tt of UPSTREAM_CASES.C) {
    for (const v of buildersAndVersions('', ['gha_generic_container'])) {
      const sv = v.split('/')[1] as string;
      const min = tt['minversion'] as string | undefined;
      const max = tt['maxversion'] as string | undefined;
      if (min !== undefined && semverCompare(sv, min) <= 0) continue;
      if (max !== undefined && semverCompare(sv, max) > 0) continue;
      const image = join(TESTDATA, v, tt['artifact'] as string);
      const digest = readFileSync(`${image}.digest`, 'utf8').trim();
      const ids =
        tt['pBuilderID'] !== undefined
          ? [tt['pBuilderID'] as string]
          : [`${builder}@${sv}`, `${builder}@refs/tags/${sv}`, builder, undefined];
      for (const bid of ids) {
        runs.push({
          section: 'C',
          label: `${tt.name} [${v} builder-id=${bid ?? '-'}]`,
          request: { artifacts: [digest], bundle: image, ...flags(tt), ...opt('builderId', bid) },
          err: tt.err,
          outBuilderId: bid,
        });
      }
    }
  }
  return runs;
}

/** Test_runVerifyNpmPackage. */
function sectionE(): Run[] {
  return UPSTREAM_CASES.E.map((tt) => {
    const artifact = join(TESTDATA, 'npm', 'gha', tt['artifact'] as string);
    return {
      section: 'E',
      label: tt.name,
      request: {
        artifacts: [artifact],
        bundle: `${artifact}.json`,
        sourceUri: tt['source'] as string,
        ...opt('builderId', tt['builderID'] as string | undefined),
        ...opt('packageName', tt['pkgName'] as string | undefined),
        ...opt('packageVersion', tt['pkgVersion'] as string | undefined),
      },
      err: tt.err,
      outBuilderId: undefined,
    };
  });
}

const RUNS = [...sectionA(), ...sectionB(), ...sectionC(), ...sectionE(), ...sectionF()];
const tally = {
  listed: RUNS.length,
  pass: 0,
  knownDifferences: 0,
  legacyRuns: 0,
  gcbNotRun: 0,
};
const knownDifferences: string[] = [];

function outcome(req: Omit<VerifyProvenanceRequest, 'cwd'>, allowMissingTlog: boolean) {
  const { result } = verifyProvenance({ ...req, cwd: TESTDATA, testing: true, allowMissingTlog });
  return result;
}

function check(run: Run, result: ReturnType<typeof outcome>): string | undefined {
  if (run.err === undefined) {
    if (!result.verified) return `expected to verify, got ${result.upstream}: ${result.message}`;
    if (run.outBuilderId !== undefined) {
      const [name, version] = run.outBuilderId.split('@');
      const [gotName, gotVersion] = result.builderId.split('@');
      if (
        name !== gotName ||
        (version !== undefined && version !== gotVersion && `refs/tags/${version}` !== gotVersion)
      ) {
        return `expected builder ${run.outBuilderId}, got ${result.builderId}`;
      }
    }
    return undefined;
  }
  if (result.verified) return `expected ${run.err}, but it verified`;
  return result.upstream === run.err
    ? undefined
    : `expected ${run.err}, got ${result.upstream}: ${result.message}`;
}

describe('slsa-verifier regression cases (CASES.md A, B, C, E, F, G) through the verify use cases', () => {
  for (const section of ['A', 'B', 'C', 'E', 'F']) {
    it(`section ${section}: every case reaches its listed outcome`, () => {
      const failures: string[] = [];
      for (const run of RUNS.filter((r) => r.section === section)) {
        const legacy = run.section !== 'C' && isLegacyEnvelope(run.request.bundle);
        const byDefault = outcome(run.request, false);
        if (!legacy || run.err === 'ErrorRekorSearch') {
          const why = check(run, byDefault);
          if (why === undefined) tally.pass++;
          else failures.push(`${run.label}: ${why}`);
          continue;
        }
        tally.legacyRuns++;
        // Offline, a legacy envelope is refused for want of a log entry…
        if (byDefault.verified || byDefault.reason !== 'rekor-search') {
          failures.push(
            `${run.label}: by default expected rekor-search, got ${JSON.stringify(byDefault.verified ? 'verified' : byDefault.reason)}`,
          );
          continue;
        }
        // …and with --insecure-ignore-tlog reaches the listed outcome.
        const why = check(run, outcome(run.request, true));
        if (why === undefined) {
          tally.knownDifferences++;
          knownDifferences.push(run.label);
        } else failures.push(`${run.label} (--insecure-ignore-tlog): ${why}`);
      }
      assert.deepEqual(failures, []);
    });
  }

  after(() => {
    console.log(
      `slsa-verifier cases A/B/C/E/F/G: ${tally.listed} listed, ${tally.pass} reach the listed outcome, ` +
        `${tally.knownDifferences} known differences (legacy envelope without a log entry: ` +
        'rekor-search offline, listed outcome with --insecure-ignore-tlog); ' +
        `section D: ${tally.gcbNotRun} GCB table rows not run (no GCB keys, no GCB verifier)`,
    );
    // Every listed run is accounted for: it passed, or it is the one named difference.
    assert.equal(tally.pass + tally.knownDifferences, tally.listed);
  });

  it('section G (VSA): every case reaches its listed outcome', () => {
    const failures: string[] = [];
    for (const tt of UPSTREAM_CASES.G) {
      tally.listed++;
      const r = verifyVerificationSummary({
        attestation: join(TESTDATA, 'vsa', tt['attestationPath'] as string),
        publicKey: join(TESTDATA, 'vsa', tt['publicKeyPath'] as string),
        ...opt('publicKeyId', tt['publicKeyID'] as string | undefined),
        ...opt('subjectDigests', tt['subjectDigests'] as string[] | undefined),
        ...opt('verifierId', tt['verifierID'] as string | undefined),
        ...opt('resourceUri', tt['resourceURI'] as string | undefined),
        ...opt('verifiedLevels', tt['verifiedLevels'] as string[] | undefined),
        cwd: TESTDATA,
      });
      const got = r.verified ? undefined : r.upstream;
      if (got === tt.err) tally.pass++;
      else failures.push(`${tt.name}: expected ${tt.err ?? 'verified'}, got ${got ?? 'verified'}`);
    }
    assert.deepEqual(failures, []);
  });

  it('section D (Google Cloud Build) is listed, not run, and counted', () => {
    // Known difference 3: GCB provenance is signed with Google's regional KMS keys, which the
    // conformance snapshot does not hold (verifiers/internal/gcb/keys/materials is absent), and
    // Custody has no GCB verifier. These table rows are not run; they are counted here.
    tally.gcbNotRun = UPSTREAM_CASES.D.length;
    assert.equal(tally.gcbNotRun, 43);
  });

  it('counts every listed case once', () => {
    assert.ok(tally.listed > 0);
  });
});
