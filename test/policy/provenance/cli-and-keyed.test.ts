/**
 * `custody verify provenance` through the real CLI (bin/custody.js runs dist/: `npm run build`
 * first), on slsa-verifier's data and on key-signed provenance made here: exit 0 verified, 1 not
 * (with slsa-verifier's error name), 2 unreadable; `custody verify <file>` still takes any file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyProvenance } from '../../../src/app/verify/verify-provenance.js';
import { preAuthEncoding } from '../../../src/formats/dsse.js';
import { REPO_ROOT } from '../../helpers/conformance.js';
import { artifactArg, TESTDATA } from './harness.js';

const BIN = join(REPO_ROOT, 'bin', 'custody.js');

function custody(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: TESTDATA });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CB = 'gha_container-based/v2.1.0/binary-linux-amd64-workflow_dispatch';
const SOURCE = 'github.com/slsa-framework/example-package';

describe('custody verify provenance (CLI)', () => {
  it('verifies a Sigstore bundle and says which builder at which commit', () => {
    const r = custody(
      'verify',
      'provenance',
      CB,
      '--bundle',
      `${CB}.intoto.build.slsa`,
      '--source-uri',
      SOURCE,
      '--source-branch',
      'main',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /Verified build using builder "https:\/\/github.com\/slsa-framework\/slsa-github-generator\/.github\/workflows\/builder_container-based_slsa3.yml@refs\/tags\/v2.1.0" at commit 4d329c75e7ec1725f7c9ce917a8799d408d06be3/,
    );
  });

  it('exits 1 with the reason and slsa-verifier error name (text and --json)', () => {
    const r = custody(
      'verify',
      'provenance',
      CB,
      '--bundle',
      `${CB}.intoto.build.slsa`,
      '--source-uri',
      'github.com/slsa-framework/example-packageA',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not verified: mismatch-source: .*ErrorMismatchSource/);
    const j = custody(
      'verify',
      'provenance',
      CB,
      '--bundle',
      `${CB}.intoto.build.slsa`,
      '--source-uri',
      SOURCE,
      '--source-tag',
      'v1.2.3',
      '--json',
    );
    assert.equal(j.code, 1);
    assert.deepEqual(
      { ...JSON.parse(j.stdout), message: undefined },
      { verified: false, reason: 'invalid-ref', upstream: 'ErrorInvalidRef', message: undefined },
    );
  });

  it('takes an artifact as sha256:<hex>, workflow inputs, and a legacy envelope only with --insecure-ignore-tlog', () => {
    const sha = createHash('sha256')
      .update(readFileSync(artifactArg('workflow-inputs')))
      .digest('hex');
    const args = [
      'verify',
      'provenance',
      `sha256:${sha}`,
      '--bundle',
      'workflow-inputs.intoto.jsonl',
      '--source-uri',
      'github.com/laurentsimon/slsa-on-github-test',
      '--build-workflow-input',
      'release_version=(for example, 0.1.0)',
      '--build-workflow-input',
      'some_bool=true',
      '--build-workflow-input',
      'some_integer=123',
    ];
    const offline = custody(...args);
    assert.equal(offline.code, 1);
    assert.match(offline.stderr, /rekor-search: .*ErrorRekorSearch/);
    const r = custody(...args, '--insecure-ignore-tlog', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.transparencyLog, false);
    assert.equal(out.artifacts[0].sha256, sha);
    const wrong = custody(...args.slice(0, -1), 'some_integer=321', '--insecure-ignore-tlog');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /ErrorMismatchWorkflowInputs/);
  });

  it('exits 2 on unreadable input and bad flags; custody verify <file> is unchanged', () => {
    assert.equal(
      custody('verify', 'provenance', CB, '--bundle', 'nope.json', '--source-uri', SOURCE).code,
      2,
    );
    assert.equal(
      custody('verify', 'provenance', CB, '--bundle', `${CB}.intoto.build.slsa`).code,
      2,
    );
    assert.equal(
      custody(
        'verify',
        'provenance',
        CB,
        '--bundle',
        `${CB}.intoto.build.slsa`,
        '--source-uri',
        SOURCE,
        '--build-workflow-input',
        'novalue',
      ).code,
      2,
    );
    const plain = custody(
      'verify',
      CB,
      '--bundle',
      `${CB}.intoto.build.slsa`,
      '--certificate-identity',
      'x',
      '--certificate-oidc-issuer',
      'y',
    );
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stderr, /SIGN_/);
  });
});

describe('key-signed provenance (--key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custody-keyed-prov-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPath = join(dir, 'key.pub');
  writeFileSync(keyPath, publicKey.export({ format: 'pem', type: 'spki' }));
  const artifact = join(dir, 'app.tar');
  writeFileSync(artifact, 'the artifact');
  const digest = createHash('sha256').update('the artifact').digest('hex');
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app.tar', digest: { sha256: digest } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://custody.dev/buildtypes/generic/v1',
        externalParameters: {
          source: { uri: 'git+https://git.example.com/team/app@refs/tags/v1.4.2' },
        },
        resolvedDependencies: [
          {
            uri: 'git+https://git.example.com/team/app@refs/tags/v1.4.2',
            digest: { gitCommit: 'a'.repeat(40) },
          },
        ],
      },
      runDetails: { builder: { id: 'https://jenkins.example.com/job/app@v2.0.0' } },
    },
  };
  function envelope(payloadObject: unknown, signWith = privateKey) {
    const payload = Buffer.from(JSON.stringify(payloadObject));
    const sig = sign('sha256', preAuthEncoding('application/vnd.in-toto+json', payload), signWith);
    return {
      payloadType: 'application/vnd.in-toto+json',
      payload: payload.toString('base64'),
      signatures: [{ keyid: '', sig: sig.toString('base64') }],
    };
  }
  const good = join(dir, 'good.intoto.jsonl');
  writeFileSync(good, JSON.stringify(envelope(statement)));

  function run(o: Partial<Parameters<typeof verifyProvenance>[0]>) {
    return verifyProvenance({
      artifacts: [artifact],
      bundle: good,
      sourceUri: 'git.example.com/team/app',
      key: keyPath,
      cwd: dir,
      ...o,
    }).result;
  }

  it('verifies the signature, subject, source, tag and builder', () => {
    const r = run({
      sourceTag: 'v1.4.2',
      sourceVersionedTag: 'v1.4',
      builderId: 'https://jenkins.example.com/job/app@v2.0.0',
    });
    assert.equal(r.verified, true, JSON.stringify(r));
    if (r.verified) {
      assert.equal(r.commit, 'a'.repeat(40));
      assert.equal(r.tlog, false);
    }
  });

  it('refuses another source, builder, tag, artifact, key or a changed payload', () => {
    const reason = (o: Partial<Parameters<typeof verifyProvenance>[0]>) => {
      const r = run(o);
      return r.verified ? 'verified' : r.reason;
    };
    assert.equal(reason({ sourceUri: 'git.example.com/team/other' }), 'mismatch-source');
    assert.equal(
      reason({ builderId: 'https://jenkins.example.com/job/other' }),
      'mismatch-builder-id',
    );
    assert.equal(reason({ sourceTag: 'v1.4.3' }), 'mismatch-tag');
    assert.equal(reason({ sourceBranch: 'main' }), 'invalid-ref');
    assert.equal(reason({ artifacts: [`sha256:${'0'.repeat(64)}`] }), 'mismatch-hash');
    const other = join(dir, 'other.pub');
    writeFileSync(
      other,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        format: 'pem',
        type: 'spki',
      }),
    );
    assert.equal(reason({ key: other }), 'no-valid-signature');
    const forged = join(dir, 'forged.intoto.jsonl');
    const env = envelope(statement);
    env.payload = Buffer.from(
      JSON.stringify({
        ...statement,
        subject: [{ name: 'x', digest: { sha256: 'b'.repeat(64) } }],
      }),
    ).toString('base64');
    writeFileSync(forged, JSON.stringify(env));
    assert.equal(reason({ bundle: forged }), 'no-valid-signature');
  });

  it('through the CLI: exit 0, then 1 for another source', () => {
    const ok = spawnSync(
      process.execPath,
      [
        BIN,
        'verify',
        'provenance',
        artifact,
        '--bundle',
        good,
        '--source-uri',
        'git.example.com/team/app',
        '--key',
        keyPath,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /builder "https:\/\/jenkins.example.com\/job\/app@v2.0.0"/);
    const no = spawnSync(
      process.execPath,
      [
        BIN,
        'verify',
        'provenance',
        artifact,
        '--bundle',
        good,
        '--source-uri',
        'git.example.com/team/else',
        '--key',
        keyPath,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(no.status, 1);
  });
});
