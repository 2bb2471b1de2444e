import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { githubProvenance, gitlabProvenance } from '../../src/formats/index.js';
import { gitlabJobEnv, hostedRunnerEnv } from '../helpers/ci-env.js';
import { conformancePath } from '../helpers/conformance.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

/**
 * `custody attest provenance` in-process, as a CI job runs it: a simulated GitHub Actions job and
 * GitLab job (the variables their runners set), a Jenkins-style generic build; the bundles are
 * accepted by `custody verify-attestation`, and the bad inputs exit 2 writing nothing.
 */

const SMALL = ['sbom-samples', 'generated-by-npm-tools', 'small-express-project'];

describe('custody attest provenance', () => {
  let dir: string;
  const sha256 = (f: string) =>
    createHash('sha256')
      .update(readFileSync(join(dir, f)))
      .digest('hex');

  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env,
      cwd: dir,
    });
    return { code, out: out.join(''), err: err.join('') };
  };

  /** The statement inside a bundle (its DSSE payload). */
  const statementOf = (file: string) => {
    const b = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    assert.equal(b.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(b.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
  };

  const verify = (file: string, bundle: string, env: Record<string, string> = {}) =>
    cli(
      env,
      'verify-attestation',
      file,
      '--bundle',
      bundle,
      '--key',
      'custody.pub',
      '--type',
      'slsaprovenance1',
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-provenance-'));
    writeFileSync(join(dir, 'app.tgz'), 'the release artifact\n');
    writeFileSync(join(dir, 'app-linux-amd64'), 'a binary\n');
    copyFileSync(conformancePath(...SMALL, 'package-lock.json'), join(dir, 'package-lock.json'));
    copyFileSync(
      conformancePath(...SMALL, 'cyclonedx-npm-6.0.1.cdx.json'),
      join(dir, 'sbom.cdx.json'),
    );
    const k = await cli({}, 'keys', 'generate');
    assert.equal(k.code, 0, k.err);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a GitHub Actions job: workflow/v1 provenance, with the lockfile and the SBOM; verify-attestation accepts it', async () => {
    const env = hostedRunnerEnv();
    const r = await cli(
      env,
      'attest',
      'provenance',
      'app.tgz',
      'app-linux-amd64',
      '--key',
      'custody.key',
      '--lockfile',
      'package-lock.json',
      '--sbom',
      'sbom.cdx.json',
      '-o',
      'gh.sigstore.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Attested SLSA provenance \(github\) about 2 artifacts/);
    assert.match(r.err, /(\d+) of \1 resolved dependencies pinned by digest/);
    const s = statementOf('gh.sigstore.json');
    assert.equal(s._type, 'https://in-toto.io/Statement/v1');
    assert.equal(s.predicateType, 'https://slsa.dev/provenance/v1');
    assert.deepEqual(s.subject, [
      { name: 'app.tgz', digest: { sha256: sha256('app.tgz') } },
      { name: 'app-linux-amd64', digest: { sha256: sha256('app-linux-amd64') } },
    ]);
    const want = githubProvenance(env);
    const { resolvedDependencies: deps, ...definition } = s.predicate.buildDefinition;
    const { resolvedDependencies: source, ...wantDefinition } = want.buildDefinition;
    assert.deepEqual(definition, wantDefinition);
    assert.deepEqual(s.predicate.runDetails, want.runDetails);
    assert.deepEqual(deps[0], source?.[0]);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    const express = deps.find(
      (d: { uri?: string }) =>
        d.uri === `pkg:npm/express@${lock.packages['node_modules/express'].version}`,
    );
    assert.equal(
      express?.digest?.sha512,
      Buffer.from(lock.packages['node_modules/express'].integrity.slice(7), 'base64').toString(
        'hex',
      ),
    );
    assert.deepEqual(deps.at(-1), {
      name: 'sbom',
      digest: { sha256: sha256('sbom.cdx.json') },
      mediaType: 'application/vnd.cyclonedx+json',
    });

    for (const artifact of ['app.tgz', 'app-linux-amd64']) {
      const v = await verify(artifact, 'gh.sigstore.json');
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /Verified OK: https:\/\/slsa.dev\/provenance\/v1 attestation about/);
    }
    writeFileSync(join(dir, 'other.tgz'), 'something else\n');
    const wrong = await verify('other.tgz', 'gh.sigstore.json');
    assert.equal(wrong.code, 1, 'not about another artifact');
  });

  it('a GitLab job, to stdout; verify-attestation accepts it', async () => {
    const env = gitlabJobEnv();
    const r = await cli(env, 'attest', 'provenance', 'app.tgz', '--key', 'custody.key');
    assert.equal(r.code, 0, r.err);
    writeFileSync(join(dir, 'gl.sigstore.json'), r.out);
    const s = statementOf('gl.sigstore.json');
    const want = gitlabProvenance(env, new Date());
    assert.equal(s.predicate.buildDefinition.buildType, want.buildDefinition.buildType);
    assert.deepEqual(
      s.predicate.buildDefinition.externalParameters,
      want.buildDefinition.externalParameters,
    );
    assert.deepEqual(s.predicate.runDetails.builder, want.runDetails.builder);
    assert.deepEqual(
      s.predicate.buildDefinition.resolvedDependencies,
      want.buildDefinition.resolvedDependencies,
    );
    const v = await verify('app.tgz', 'gl.sigstore.json');
    assert.equal(v.code, 0, v.err);
  });

  it('generic flags (a Jenkins wrapper script); a digest subject with --subject-name', async () => {
    const digest = `sha256:${sha256('app.tgz')}`;
    const r = await cli(
      { PATH: '/usr/bin' },
      'attest',
      'provenance',
      digest,
      '--subject-name',
      'registry.example.com/app',
      '--builder-id',
      'https://jenkins.example.com/job/app-release',
      '--source-uri',
      'https://git.example.com/app',
      '--source-digest',
      'gitCommit:599500821344b070902a7a5666064bfdaba715df',
      '--source-ref',
      'refs/tags/v1.0.0',
      '--invocation-id',
      'https://jenkins.example.com/job/app-release/7/',
      '--external-parameter',
      'profile=release',
      '--started-on',
      '2026-12-01T10:00:00Z',
      '--finished-on',
      '2026-12-01T10:05:00Z',
      '--key',
      'custody.key',
      '-o',
      'generic.sigstore.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /\(generic\).*1 of 1 resolved dependencies pinned/);
    const s = statementOf('generic.sigstore.json');
    assert.deepEqual(s.subject, [
      { name: 'registry.example.com/app', digest: { sha256: sha256('app.tgz') } },
    ]);
    assert.equal(s.predicate.buildDefinition.buildType, 'urn:custody:buildtype:generic:v1');
    assert.deepEqual(s.predicate.buildDefinition.externalParameters, {
      source: 'https://git.example.com/app',
      ref: 'refs/tags/v1.0.0',
      profile: 'release',
    });
    const v = await verify(digest, 'generic.sigstore.json');
    assert.equal(v.code, 0, v.err);
  });

  it('`custody attest <subject>` still attests a predicate file', async () => {
    writeFileSync(join(dir, 'pred.json'), JSON.stringify({ buildDefinition: {} }));
    const r = await cli(
      {},
      'attest',
      'app.tgz',
      '--predicate',
      'pred.json',
      '--type',
      'slsaprovenance1',
      '--key',
      'custody.key',
      '-o',
      'plain.sigstore.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Attested https:\/\/slsa.dev\/provenance\/v1 about app.tgz/);
    // Its own required options are still required of it.
    const missing = await cli(
      {},
      'attest',
      'app.tgz',
      '--type',
      'slsaprovenance1',
      '--key',
      'custody.key',
    );
    assert.equal(missing.code, 2);
    assert.match(missing.err, /required option '--predicate <file>' not specified/);
  });

  describe('bad input exits 2 and writes nothing', () => {
    const cases: [string, Record<string, string>, string[], RegExp][] = [
      [
        'a malformed --external-parameter',
        {},
        ['--builder-id', 'https://b.example', '--external-parameter', 'no-equals-sign'],
        /PROVENANCE_PARAMETER_INVALID: --external-parameter "no-equals-sign" is not key=value/,
      ],
      [
        'a missing CI variable in auto mode',
        (() => {
          const env = hostedRunnerEnv();
          delete env['GITHUB_SHA'];
          return env;
        })(),
        [],
        /PROVENANCE_CI_VARIABLE_MISSING: GitHub Actions provenance needs .*missing GITHUB_SHA/,
      ],
      [
        'a pull request build',
        hostedRunnerEnv({ GITHUB_EVENT_NAME: 'pull_request' }),
        [],
        /PROVENANCE_CI_EVENT_UNSUPPORTED/,
      ],
      [
        'no CI and no --builder-id',
        {},
        [],
        /PROVENANCE_PARAMETER_INVALID: --builder-id is required/,
      ],
      [
        'generic flags inside a CI',
        gitlabJobEnv(),
        ['--source-uri', 'https://elsewhere.example/x'],
        /PROVENANCE_PARAMETER_INVALID: in gitlab mode/,
      ],
      [
        'a lockfile that does not exist',
        hostedRunnerEnv(),
        ['--lockfile', 'missing.lock'],
        /FILE_NOT_FOUND/,
      ],
      [
        'a lockfile that is not one',
        hostedRunnerEnv(),
        ['--lockfile', 'app.tgz'],
        /SBOM_NOTHING_TO_CATALOG/,
      ],
      [
        'a broken lockfile',
        hostedRunnerEnv(),
        ['--lockfile', 'broken/package-lock.json'],
        /SBOM_LOCKFILE_PARSE/,
      ],
      ['an SBOM that is not one', hostedRunnerEnv(), ['--sbom', 'app.tgz'], /SBOM_FORMAT_UNKNOWN/],
      ['an unknown --ci', hostedRunnerEnv(), ['--ci', 'jenkins'], /argument 'jenkins' is invalid/],
      [
        '--subject-name with two artifacts',
        hostedRunnerEnv(),
        ['app-linux-amd64', '--subject-name', 'x'],
        /USAGE: --subject-name names a single artifact/,
      ],
    ];
    for (const [what, env, flags, message] of cases) {
      it(what, async () => {
        if (!existsSync(join(dir, 'broken'))) {
          rmSync(join(dir, 'broken'), { recursive: true, force: true });
          const { mkdirSync } = await import('node:fs');
          mkdirSync(join(dir, 'broken'));
          writeFileSync(
            join(dir, 'broken', 'package-lock.json'),
            '{"lockfileVersion": 3, "packages": [',
          );
        }
        const r = await cli(
          env,
          'attest',
          'provenance',
          'app.tgz',
          '--key',
          'custody.key',
          '-o',
          'refused.sigstore.json',
          ...flags,
        );
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, message);
        assert.equal(existsSync(join(dir, 'refused.sigstore.json')), false);
      });
    }
  });
});

describe('custody attest provenance, keyless (custody serve --dev-oidc)', () => {
  let dir: string;
  let served: Served;
  const SUBJECT = 'ci-releaser@example.com';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-provenance-keyless-'));
    served = await serveProcess(join(dir, 'data'), { CUSTODY_TLOG_RATE: '0' }, [], ['--dev-oidc']);
    writeFileSync(
      join(dir, 'trusted_root.json'),
      await (await fetch(`${served.url}/api/v1/trusted-root`)).text(),
    );
    writeFileSync(join(dir, 'app.tgz'), 'the release artifact\n');
  });
  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with a 10-minute certificate, logs it, and verify-attestation checks the identity', async () => {
    const io = (env: Record<string, string>) => {
      const out: string[] = [];
      const err: string[] = [];
      return {
        io: {
          stdout: { write: (s: string) => out.push(s) },
          stderr: { write: (s: string) => err.push(s) },
          env,
          cwd: dir,
        },
        out: () => out.join(''),
        err: () => err.join(''),
      };
    };
    const env = hostedRunnerEnv({ CUSTODY_URL: served.url, CUSTODY_DEV_OIDC_SUBJECT: SUBJECT });
    const a = io(env);
    const code = await run(['attest', 'provenance', 'app.tgz', '-o', 'p.sigstore.json'], a.io);
    assert.equal(code, 0, a.err());
    assert.match(a.err(), /logged at index \d+/);
    const issuer = (
      (await (await fetch(`${served.url}/dev-oidc/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      }
    ).issuer;
    const verifyArgs = (identity: string) => [
      'verify-attestation',
      'app.tgz',
      '--bundle',
      'p.sigstore.json',
      '--type',
      'slsaprovenance1',
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      issuer,
      '--trusted-root',
      'trusted_root.json',
    ];
    const v = io({});
    assert.equal(await run(verifyArgs(SUBJECT), v.io), 0, v.err());
    const w = io({});
    assert.equal(await run(verifyArgs('mallory@example.com'), w.io), 1);
  });
});
