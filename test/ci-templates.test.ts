import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { MEDIA, writeOciLayout } from '../src/oci/index.js';
import { gitlabJobEnv, hostedRunnerEnv } from './helpers/ci-env.js';
import { REPO_ROOT } from './helpers/conformance.js';
import { buildImageBlobs } from './helpers/image-builder.js';
import { startRegistry, type TestRegistry } from './helpers/registry.js';
import { type Served, serveProcess } from './helpers/serve-process.js';

/**
 * The pipeline templates of `ci-templates/`, each run as written: the template's own shell steps,
 * in order, in a copy of a real npm project, with the variables that CI sets, against `custody serve`
 * on loopback. Two programs are stood in for: `npm` (the templates install Custody from the npm
 * registry and build with `npm ci` / `npm pack`; here `custody` is this checkout's build and the
 * "build" packs the project's manifest) — both are the outside world, not Custody.
 */

const TEMPLATES = join(REPO_ROOT, 'ci-templates');

interface Step {
  name: string;
  script: string;
}

/** GitHub Actions: the release job's `run` steps, with `${{ … }}` already resolved in `env`. */
function githubSteps(): { env: Record<string, string>; steps: Step[] } {
  const doc = parseYaml(
    readFileSync(join(TEMPLATES, 'github-actions/custody-release.yml'), 'utf8'),
  );
  const job = doc.jobs.release;
  const steps = (job.steps as { name?: string; run?: string }[])
    .filter((s) => s.run !== undefined)
    .map((s) => ({ name: s.name ?? 'run', script: s.run as string }));
  return { env: job.env as Record<string, string>, steps };
}

/** GitLab CI: the job's `script` lines, run one after the other in one shell as the runner does. */
function gitlabSteps(): { env: Record<string, string>; steps: Step[] } {
  const doc = parseYaml(
    readFileSync(join(TEMPLATES, 'gitlab/custody-release.gitlab-ci.yml'), 'utf8'),
  );
  const job = doc['custody-release'];
  return {
    env: job.variables as Record<string, string>,
    steps: [{ name: 'script', script: (job.script as string[]).join('\n') }],
  };
}

/** Jenkins: the `sh '''…'''` blocks of the Jenkinsfile, in order. */
function jenkinsSteps(): Step[] {
  const text = readFileSync(join(TEMPLATES, 'jenkins/Jenkinsfile'), 'utf8');
  return [...text.matchAll(/sh '''\n([\s\S]*?)'''/g)].map((m, i) => ({
    name: `sh ${i + 1}`,
    // Groovy's ''' strings keep backslash-newline as written, as the shell wants it.
    script: m[1] as string,
  }));
}

/** Tekton: the Task's step scripts and env, with `$(params.…)` / `$(workspaces.…)` substituted. */
function tektonSteps(
  params: Record<string, string>,
  keyDir: string,
): { env: Record<string, string>; steps: Step[] } {
  const doc = parseYaml(readFileSync(join(TEMPLATES, 'tekton/custody-release-task.yaml'), 'utf8'));
  const subst = (s: string) =>
    s
      .replace(/\$\(params\.([a-z-]+)\)/g, (_, p: string) => params[p] ?? '')
      .replace(/\$\(workspaces\.signing-key\.path\)/g, keyDir)
      .replace(/\$\(context\.taskRun\.namespace\)/g, 'ci')
      .replace(/\$\(context\.taskRun\.name\)/g, 'custody-release-run-x7k2p');
  const env: Record<string, string> = {};
  const steps: Step[] = [];
  for (const step of doc.spec.steps as {
    name: string;
    script: string;
    env: { name: string; value?: string }[];
  }[]) {
    for (const e of step.env) if (e.value !== undefined) env[e.name] = subst(e.value);
    steps.push({ name: step.name, script: subst(step.script) });
  }
  return { env, steps };
}

describe('ci-templates, each run against custody serve', () => {
  let dir: string;
  let served: Served;
  let url: string;
  let adminToken: string;
  let publisherToken: string;
  let shims: string;
  let keyFile: string;
  let reg: TestRegistry;

  const custodyBin = join(REPO_ROOT, 'bin', 'custody.js');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-ci-templates-'));
    reg = await startRegistry();
    served = await serveProcess(join(dir, 'data'));
    url = served.url;
    for (let i = 0; i < 100 && !served.stdout().includes('CUSTODY_TOKEN='); i++)
      await new Promise((r) => setTimeout(r, 100));
    adminToken = /export CUSTODY_TOKEN=(cust_\S+)/.exec(served.stdout())?.[1] ?? '';
    assert.ok(adminToken, 'the first start prints an admin token');

    shims = join(dir, 'bin');
    mkdirSync(shims);
    writeFileSync(
      join(shims, 'custody'),
      `#!/bin/sh\nexec "${process.execPath}" "${custodyBin}" "$@"\n`,
    );
    writeFileSync(
      join(shims, 'npm'),
      [
        '#!/bin/sh',
        '# Stands in for npm: installing Custody is already done; `npm pack` packs the manifest.',
        'case "$1" in',
        '  pack) dest=.; while [ $# -gt 0 ]; do [ "$1" = --pack-destination ] && dest="$2"; shift; done',
        '        tar -czf "$dest/demo-app-1.0.0.tgz" package.json package-lock.json ;;',
        '  *) exit 0 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(shims, 'custody'), 0o755);
    chmodSync(join(shims, 'npm'), 0o755);

    // The team's release key, registered as one of its signing identities by an admin.
    keyFile = join(dir, 'keys', 'key.pem');
    mkdirSync(join(dir, 'keys'));
    const gen = spawnSync(
      process.execPath,
      [custodyBin, 'keys', 'generate', '-o', join(dir, 'keys', 'release.key')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(gen.status, 0, gen.stderr);
    cpSync(join(dir, 'keys', 'release.key'), keyFile);
    const identities = await fetch(`${url}/api/v1/teams/default/signing-identities`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        identities: [
          {
            publicKey: readFileSync(join(dir, 'keys', 'release.pub'), 'utf8'),
            name: 'release key',
          },
        ],
      }),
    });
    assert.equal(identities.status, 200, await identities.text());

    // The builders the team trusts (SLSA "Verifying artifacts", roots of trust): Jenkins and the
    // Tekton pipelines at L2 when signed with the release key; the hosted runner at L3 — which a
    // key-signed provenance must still not reach (a long-lived key caps at L2).
    const slsa = await fetch(`${url}/api/v1/teams/default/slsa`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        builders: [
          { builderId: 'https://jenkins.example.com/computer/*', key: 'release key', level: 2 },
          { builderId: 'https://tekton.dev/pipelines/taskrun', key: 'release key', level: 2 },
          {
            builderId: 'https://github.com/actions/runner/github-hosted',
            key: 'release key',
            level: 3,
          },
        ],
      }),
    });
    assert.equal(slsa.status, 200, await slsa.text());

    const tok = spawnSync(
      process.execPath,
      [
        custodyBin,
        'token',
        'create',
        '--role',
        'publisher',
        '--person',
        'ci@example.com',
        '--team',
        'default',
        '--data-dir',
        join(dir, 'data'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(tok.status, 0, tok.stderr);
    publisherToken = tok.stdout.trim().split('\n').at(-1) ?? '';
  });

  after(async () => {
    if (served.child.exitCode === null) served.child.kill('SIGKILL');
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh copy of the demo project, with the steps run in it one by one (stopping at a failure). */
  function runSteps(name: string, steps: Step[], env: Record<string, string>) {
    const work = join(dir, name);
    cpSync(join(REPO_ROOT, 'examples', 'demo-app'), work, { recursive: true });
    const outputs: string[] = [];
    for (const step of steps) {
      const r = spawnSync('bash', ['-e', '-c', step.script], {
        cwd: work,
        encoding: 'utf8',
        env: {
          HOME: dir,
          ...env,
          PATH: `${shims}:${process.env['PATH'] ?? ''}`,
          CUSTODY_URL: url,
          CUSTODY_TOKEN: publisherToken,
          CUSTODY_SIGNING_KEY: keyFile,
        },
        timeout: 120_000,
      });
      outputs.push(`$ ${step.name}\n${r.stdout}${r.stderr}`);
      assert.equal(r.status, 0, `${name}: step "${step.name}" failed:\n${outputs.join('\n')}`);
    }
    return { work, output: outputs.join('\n') };
  }

  async function api(path: string): Promise<unknown> {
    const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    const text = await r.text();
    assert.equal(r.status, 200, `${path}: ${text}`);
    return JSON.parse(text);
  }

  /** What every template must leave behind: a signed SBOM and stored provenance for the release. */
  async function assertEvidence(product: string, version: string, work: string, output: string) {
    for (const f of ['sbom.cdx.json', 'sbom.sigstore.json', 'provenance.sigstore.json'])
      assert.ok(existsSync(join(work, f)), `${f} written`);
    const release = (await api(
      `/api/v1/products/${product}/releases/${encodeURIComponent(version)}`,
    )) as {
      artifacts: { digest: string; sboms: { signed?: boolean }[] }[];
    };
    const artifact = release.artifacts[0];
    assert.ok(artifact, 'the release has the artifact');
    const tgz = readFileSync(join(work, 'dist', 'app.tgz'));
    assert.equal(artifact.digest, `sha256:${createHash('sha256').update(tgz).digest('hex')}`);
    assert.ok(
      artifact.sboms.some((s) => s.signed === true),
      `the SBOM is signed: ${JSON.stringify(release)}`,
    );
    const attestations = (await api(
      `/api/v1/products/${product}/releases/${encodeURIComponent(version)}/attestations`,
    )) as {
      items: {
        predicateType: string;
        provenance: { builderId: string | null; dependencies: number; pinned: number } | null;
      }[];
    };
    assert.equal(attestations.items.length, 1, JSON.stringify(attestations));
    assert.equal(attestations.items[0]?.predicateType, 'https://slsa.dev/provenance/v1');
    const slsa = (await api(
      `/api/v1/products/${product}/releases/${encodeURIComponent(version)}/slsa`,
    )) as { level: number };
    // What `custody slsa assess` printed in the pipeline is the service's own assessment.
    assert.match(output, new RegExp(`L${slsa.level}\\b`));
    return { attestation: attestations.items[0], slsa };
  }

  /** A hosted runner's variables for a tag push of example/demo-app, with the job's env resolved. */
  function githubVars(product: string, tag: string, env: Record<string, string>) {
    return {
      ...hostedRunnerEnv({
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: `refs/tags/${tag}`,
        GITHUB_REF_NAME: tag,
        GITHUB_REF_TYPE: 'tag',
        GITHUB_REPOSITORY: 'example/demo-app',
        GITHUB_WORKFLOW_REF: `example/demo-app/.github/workflows/release.yml@refs/tags/${tag}`,
      }),
      // What `${{ … }}` gives in the job's env.
      ...Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v)
            .replace(`$\{{ vars.CUSTODY_PRODUCT }}`, product)
            .replace(`$\{{ github.ref_name }}`, tag),
        ]),
      ),
    };
  }

  it('GitHub Actions: a tag push on a hosted runner', async () => {
    const { env, steps } = githubSteps();
    const vars = githubVars('demo-gha', 'v1.0.0', env);
    const { work, output } = runSteps('github', steps, vars);
    const { attestation, slsa } = await assertEvidence('demo-gha', 'v1.0.0', work, output);
    assert.equal(
      attestation?.provenance?.builderId,
      'https://github.com/actions/runner/github-hosted',
    );
    assert.equal(slsa.level, 2, 'trusted at L3, but a key caps the level at L2');

    // The built-in policy over the evidence the pipeline left: the provenance and SBOM gates pass;
    // the release commit's signature is not on record, so that gate fails and the policy denies.
    const digest = `sha256:${createHash('sha256')
      .update(readFileSync(join(work, 'dist', 'app.tgz')))
      .digest('hex')}`;
    const evalRun = spawnSync(
      process.execPath,
      [custodyBin, 'policy', 'eval', '--policy', 'builtin', '--artifact', digest, '--json'],
      {
        encoding: 'utf8',
        env: { ...process.env, CUSTODY_URL: url, CUSTODY_TOKEN: publisherToken },
      },
    );
    assert.equal(evalRun.status, 1, evalRun.stderr);
    const decision = JSON.parse(evalRun.stdout) as {
      allowed: boolean;
      results: { name: string; outcome: string }[];
    };
    const outcome = Object.fromEntries(decision.results.map((r) => [r.name, r.outcome]));
    for (const rule of [
      'provenance-present',
      'builder-allowed',
      'build-type-allowed',
      'source-repository-present',
      'source-digest-present',
      'dependencies-pinned',
      'sbom-signed-attached',
    ])
      assert.equal(outcome[rule], 'pass', `${rule}: ${evalRun.stdout}`);
    assert.equal(outcome['release-commit-signed'], 'fail');
    assert.equal(decision.allowed, false);
  });

  it('GitLab CI: a tag pipeline', async () => {
    const { env, steps } = gitlabSteps();
    const vars = {
      ...gitlabJobEnv({ CI_COMMIT_TAG: 'v2.0.0', CI_COMMIT_REF_NAME: 'v2.0.0' }),
      ...env,
      CUSTODY_PRODUCT: 'demo-gitlab',
    };
    const { work, output } = runSteps('gitlab', steps, vars);
    const { attestation, slsa } = await assertEvidence('demo-gitlab', 'v2.0.0', work, output);
    assert.match(attestation?.provenance?.builderId ?? '', /\/-\/runners\//);
    assert.equal(slsa.level, 1, 'provenance exists, but the team trusts no GitLab runner');
  });

  it('Jenkins: a tag build with a key from a file credential', async () => {
    const vars = {
      CUSTODY_PRODUCT: 'demo-jenkins',
      CUSTODY_VERSION: 'v3.0.0',
      ARTIFACT: 'dist/app.tgz',
      IMAGE: '',
      JENKINS_URL: 'https://jenkins.example.com/',
      NODE_NAME: 'linux-agent-1',
      GIT_URL: 'https://git.example.com/demo-app.git',
      GIT_COMMIT: '0123456789abcdef0123456789abcdef01234567',
      TAG_NAME: 'v3.0.0',
      BUILD_URL: 'https://jenkins.example.com/job/demo-app/job/v3.0.0/1/',
      JOB_NAME: 'demo-app/v3.0.0',
    };
    const { work, output } = runSteps('jenkins', jenkinsSteps(), vars);
    const { attestation, slsa } = await assertEvidence('demo-jenkins', 'v3.0.0', work, output);
    assert.equal(
      attestation?.provenance?.builderId,
      'https://jenkins.example.com/computer/linux-agent-1',
    );
    assert.equal(slsa.level, 2);
  });

  it('Tekton: the Task with its params', async () => {
    const { env, steps } = tektonSteps(
      {
        product: 'demo-tekton',
        version: 'v4.0.0',
        artifact: 'dist/app.tgz',
        image: '',
        'source-uri': 'git+https://git.example.com/demo-app.git',
        'source-commit': '89abcdef0123456789abcdef0123456789abcdef',
        'custody-url': url,
      },
      join(dir, 'keys'),
    );
    // The Task is given a workspace with the built tree: build it as the pipeline's build task would.
    const build = {
      name: 'build',
      script: 'mkdir -p dist && npm pack --pack-destination dist && mv dist/*.tgz "$ARTIFACT"',
    };
    const { work, output } = runSteps('tekton', [build, ...steps], env);
    const { attestation, slsa } = await assertEvidence('demo-tekton', 'v4.0.0', work, output);
    assert.equal(attestation?.provenance?.builderId, 'https://tekton.dev/pipelines/taskrun');
    assert.equal(slsa.level, 2);
  });

  /**
   * Issue [8]'s "done when": a release built in a simulated GitHub Actions job gets an SBOM,
   * provenance and signatures, all pushed next to its image in a real registry (Debian's
   * docker-registry); `custody verify provenance` and `custody oci verify` accept them and refuse
   * another source, builder or artifact; `custody slsa assess` reports the level and its gaps.
   */
  it('GitHub Actions with an image: evidence in the registry, verified, and refused when it is not what was built', async () => {
    const custody = (args: string[], extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, [custodyBin, ...args], {
        cwd: join(dir, 'github-image'),
        encoding: 'utf8',
        env: { ...process.env, CUSTODY_OCI_REGISTRIES: reg.host, ...extra },
      });
    // The image the job built, as an OCI layout pushed to the registry.
    const built = await buildImageBlobs({
      layers: [
        { files: [{ path: 'srv/app/index.js', content: 'console.log("v5")\n' }], gzip: true },
      ],
    });
    const layout = join(dir, 'image-layout');
    writeOciLayout(layout, built.blobs.values(), [
      {
        mediaType: MEDIA.ociManifest,
        digest: built.manifestDigest,
        size: (built.blobs.get(built.manifestDigest) as Uint8Array).byteLength,
      },
    ]);
    const pushed = spawnSync(
      process.execPath,
      [custodyBin, 'oci', 'push', layout, `${reg.host}/example/demo-app:v5.0.0`],
      { encoding: 'utf8', env: { ...process.env, CUSTODY_OCI_REGISTRIES: reg.host } },
    );
    assert.equal(pushed.status, 0, pushed.stderr);
    const image = `${reg.host}/example/demo-app@${built.manifestDigest}`;

    const { env, steps } = githubSteps();
    const vars = {
      ...githubVars('demo-image', 'v5.0.0', env),
      IMAGE: image,
      CUSTODY_OCI_REGISTRIES: reg.host,
    };
    const { work, output } = runSteps('github-image', steps, vars);
    const { slsa } = await assertEvidence('demo-image', 'v5.0.0', work, output);
    assert.equal(slsa.level, 2);
    const pub = join(dir, 'keys', 'release.pub');
    // The signatures are in Custody's log: verifiers trust the service's log (and CA) by its root.
    const root = join(dir, 'trusted_root.json');
    const fetched = custody(['trust', 'fetch', url, '-o', root]);
    assert.equal(fetched.status, 0, fetched.stderr);

    // In the registry: the image's signature, the provenance about it, and the SBOM.
    const verified = custody([
      'oci',
      'verify',
      image,
      '--key',
      pub,
      '--trusted-root',
      root,
      '--require-tlog',
      '--json',
    ]);
    assert.equal(verified.status, 0, verified.stderr + verified.stdout);
    const report = JSON.parse(verified.stdout) as {
      pieces: { kind: string; verdict: { status: string; predicateType?: string } }[];
    };
    const ok = report.pieces.filter((p) => p.verdict.status === 'verified');
    assert.ok(
      ok.some((p) => p.kind === 'signature'),
      verified.stdout,
    );
    assert.ok(
      ok.some(
        (p) =>
          p.kind === 'attestation' && p.verdict.predicateType === 'https://slsa.dev/provenance/v1',
      ),
      verified.stdout,
    );
    assert.ok(
      report.pieces.some((p) => p.kind === 'sbom'),
      verified.stdout,
    );
    // Another key did not sign it.
    const otherKey = custody(['keys', 'generate', '-o', join(dir, 'keys', 'other.key')]);
    assert.equal(otherKey.status, 0, otherKey.stderr);
    assert.equal(
      custody([
        'oci',
        'verify',
        image,
        '--key',
        join(dir, 'keys', 'other.pub'),
        '--trusted-root',
        root,
      ]).status,
      1,
    );

    // The provenance, checked as slsa-verifier would: the artifact, the image, the source, the tag.
    const provenance = (artifact: string, ...flags: string[]) =>
      custody([
        'verify',
        'provenance',
        artifact,
        '--bundle',
        'provenance.sigstore.json',
        '--key',
        pub,
        '--trusted-root',
        root,
        ...flags,
      ]);
    const accepted = provenance(
      'dist/app.tgz',
      '--source-uri',
      'github.com/example/demo-app',
      '--source-tag',
      'v5.0.0',
    );
    assert.equal(accepted.status, 0, accepted.stderr + accepted.stdout);
    assert.equal(
      provenance(built.manifestDigest, '--source-uri', 'github.com/example/demo-app').status,
      0,
    );
    const otherSource = provenance('dist/app.tgz', '--source-uri', 'github.com/mallory/demo-app');
    assert.equal(otherSource.status, 1, otherSource.stdout);
    assert.match(otherSource.stdout + otherSource.stderr, /source/i);
    const otherBuilder = provenance(
      'dist/app.tgz',
      '--source-uri',
      'github.com/example/demo-app',
      '--builder-id',
      'https://github.com/actions/runner/self-hosted',
    );
    assert.equal(otherBuilder.status, 1, otherBuilder.stdout);
    assert.match(otherBuilder.stdout + otherBuilder.stderr, /builder/i);
    const otherArtifact = provenance(
      'sbom.cdx.json',
      '--source-uri',
      'github.com/example/demo-app',
    );
    assert.equal(otherArtifact.status, 1, otherArtifact.stdout);
    assert.match(otherArtifact.stdout + otherArtifact.stderr, /hash|digest|subject/i);
    assert.equal(
      provenance(
        'dist/app.tgz',
        '--source-uri',
        'github.com/example/demo-app',
        '--source-tag',
        'v4.0.0',
      ).status,
      1,
    );

    // The level with its gaps, through the CLI as a person would ask.
    const assess = custody(['slsa', 'assess', 'demo-image@v5.0.0', '--json'], {
      CUSTODY_URL: url,
      CUSTODY_TOKEN: publisherToken,
    });
    assert.equal(assess.status, 0, assess.stderr);
    const level = JSON.parse(assess.stdout) as {
      level: number;
      gaps: { code: string; message: string }[];
    };
    assert.equal(level.level, 2);
    assert.ok(level.gaps.length > 0, 'the gaps to L3 are listed');
    assert.equal(
      custody(['slsa', 'assess', 'demo-image@v5.0.0', '--require', 'L3'], {
        CUSTODY_URL: url,
        CUSTODY_TOKEN: publisherToken,
      }).status,
      1,
    );
  });
});
