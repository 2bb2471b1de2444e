import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  decideTrigger,
  eventId,
  parseGithubWebhook,
  parseGitlabWebhook,
  signGithubPayload,
  TriggerError,
  verifyGithubSignature,
  verifyGitlabToken,
} from '../../src/triggers/index.js';
import { listConformance, REPO_ROOT, readConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const AT = '2026-01-15T09:00:00Z';
const opts = { receivedAt: AT };
const github = (event: string, file: string) =>
  parseGithubWebhook(
    { event, deliveryId: 'd-1', body: readConformance('webhooks/github', event, file) },
    opts,
  );
const gitlabFile = (name: string) =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/triggers/gitlab', name));
const gitlab = (header: string, name: string, o = opts) =>
  parseGitlabWebhook({ event: header, body: gitlabFile(name) }, o);

describe('GitHub webhooks (real payloads of ../shared/conformance/webhooks/github)', () => {
  it('every push, create and release payload parses without error', () => {
    for (const event of ['push', 'create', 'release']) {
      for (const file of listConformance('webhooks/github', event)) {
        const r = github(event, file);
        assert.equal(r.deliveryId, 'd-1');
        assert.ok(r.events.length === 1 || r.ignored !== undefined, `${event}/${file}`);
      }
    }
  });

  it('a push to a new branch is a commit, with its message as context', () => {
    const r = github('push', 'with-new-branch.payload.json');
    assert.deepEqual(r.events, [
      {
        kind: 'commit',
        at: AT,
        product: 'Codertocat/Hello-World',
        source: 'github',
        context: 'Initial commit',
        commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        branch: 'master',
        onReleaseBranch: false,
      },
    ]);
    assert.equal(decideTrigger(r.events[0] as never).sbom.action, 'none');
  });

  it('a deleted tag is no event', () => {
    assert.match(github('push', 'payload.json').ignored ?? '', /deleted/);
  });

  it('a created tag is a release; a created branch is not', () => {
    const r = github('create', 'payload.json');
    assert.equal(r.events[0]?.kind, 'release');
    assert.equal(r.events[0]?.kind === 'release' && r.events[0].version, 'simple-tag');
    assert.equal(decideTrigger(r.events[0] as never).rule, 'release-unversioned');
    const branch = JSON.parse(readConformance('webhooks/github/create/payload.json').toString());
    branch.ref_type = 'branch';
    const b = parseGithubWebhook({ event: 'create', body: JSON.stringify(branch) }, opts);
    assert.deepEqual(b.events, []);
  });

  it('released, published and prereleased releases are releases; the prerelease flag makes a pre-release', () => {
    const published = github('release', 'published.payload.json').events[0];
    assert.ok(published?.kind === 'release');
    assert.equal(published.version, '0.0.1');
    assert.equal(published.branch, 'master');
    assert.equal(decideTrigger(published).rule, 'release-patch');
    const pre = github('release', 'prereleased.payload.json').events[0];
    assert.ok(pre?.kind === 'release' && pre.prerelease === true);
    assert.equal(decideTrigger(pre).rule, 'pre-release');
    assert.match(github('release', 'edited.payload.json').ignored ?? '', /not a new release/);
    assert.match(github('release', 'deleted.payload.json').ignored ?? '', /not a new release/);
  });

  it('the push, create and release deliveries of one release share an event id (idempotency)', () => {
    const ids = [
      github('release', 'published.payload.json'),
      github('release', 'released.json'),
      github('release', 'created.payload.json'),
    ].map((r) => eventId(r.events[0] as never));
    assert.equal(new Set(ids).size, 1);
  });

  it('a push to a release branch that changes a lockfile is a lockfile change (build SBOM)', () => {
    const p = JSON.parse(
      readConformance('webhooks/github/push/with-new-branch.payload.json').toString(),
    );
    p.ref = 'refs/heads/release/1.x';
    p.commits.push({
      ...p.commits[0],
      id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      message: 'npm update',
      added: [],
      modified: ['web/package-lock.json', 'web/package.json'],
      removed: [],
    });
    const r = parseGithubWebhook({ event: 'push', body: JSON.stringify(p) }, opts);
    const e = r.events[0];
    assert.ok(e?.kind === 'lockfile-change');
    assert.deepEqual([e.onReleaseBranch, e.lockfiles], [true, ['web/package-lock.json']]);
    assert.equal(decideTrigger(e).sbom.action, 'new-build');
    // The same push to a branch that is not a release branch: no SBOM (edge case 1).
    p.ref = 'refs/heads/feature/login';
    const off = parseGithubWebhook({ event: 'push', body: JSON.stringify(p) }, opts).events[0];
    assert.ok(off?.kind === 'lockfile-change' && !off.onReleaseBranch);
    assert.equal(decideTrigger(off).sbom.action, 'none');
    // Release branches are configurable.
    const custom = parseGithubWebhook(
      { event: 'push', body: JSON.stringify(p) },
      { ...opts, releaseBranches: ['feature/**'] },
    ).events[0];
    assert.ok(custom?.kind === 'lockfile-change' && custom.onReleaseBranch);
  });

  it('ping and other events are no triggers; a malformed body is WEBHOOK_PAYLOAD_INVALID', () => {
    assert.deepEqual(parseGithubWebhook({ event: 'ping', body: '{}' }, opts).events, []);
    assert.deepEqual(parseGithubWebhook({ event: 'issues', body: '{}' }, opts).events, []);
    expectCustodyError(
      () => parseGithubWebhook({ event: 'push', body: '{"ref": 1}' }, opts),
      TriggerError,
      'WEBHOOK_PAYLOAD_INVALID',
    );
    expectCustodyError(
      () => parseGithubWebhook({ event: 'release', body: 'not json' }, opts),
      TriggerError,
      'WEBHOOK_PAYLOAD_INVALID',
    );
  });
});

describe('GitLab webhooks (fixtures after GitLab’s documented shapes)', () => {
  it('a push to a release branch that bumps package-lock.json is a lockfile change with the head commit’s message', () => {
    const e = gitlab('Push Hook', 'push-lockfile-release-branch.json').events[0];
    assert.ok(e?.kind === 'lockfile-change');
    assert.equal(e.product, 'acme/shop');
    assert.equal(e.context, 'Bump express to 4.19.2\n');
    assert.deepEqual(e.lockfiles, ['package-lock.json']);
    assert.equal(decideTrigger(e).sbom.action, 'new-build');
  });

  it('a source-only push to main is a commit, no SBOM', () => {
    const e = gitlab('Push Hook', 'push-source-only-main.json').events[0];
    assert.ok(e?.kind === 'commit' && !e.onReleaseBranch);
    assert.equal(decideTrigger(e).rule, 'commit');
  });

  it('a push listing 1 of 45 commits on a release branch asks a person to re-evaluate', () => {
    const e = gitlab('Push Hook', 'push-truncated-release-branch.json').events[0];
    assert.ok(e?.kind === 'commit' && e.filesTruncated === true);
    assert.equal(decideTrigger(e).sbom.action, 're-evaluate');
  });

  it('deleted branches and tags are no events', () => {
    assert.match(gitlab('Push Hook', 'push-branch-deleted.json').ignored ?? '', /deleted/);
    assert.match(gitlab('Tag Push Hook', 'tag-push-deleted.json').ignored ?? '', /deleted/);
  });

  it('a tag push and a release create are the same release (one event id)', () => {
    const tag = gitlab('Tag Push Hook', 'tag-push-created.json').events[0];
    const rel = gitlab('Release Hook', 'release-create.json').events[0];
    assert.ok(tag?.kind === 'release' && rel?.kind === 'release');
    assert.deepEqual(
      [tag.version, tag.commit],
      ['2.1.0', '5e6f708192a3b4c5d6e7f8091a2b3c4d1a2b3c4d'],
    );
    assert.equal(tag.context, 'Release 2.1.0');
    assert.equal(eventId(tag), eventId(rel));
    assert.match(gitlab('Release Hook', 'release-update.json').ignored ?? '', /not a new release/);
  });

  it('a payload of another kind is no event; a push without a project is WEBHOOK_PAYLOAD_INVALID', () => {
    assert.deepEqual(
      parseGitlabWebhook({ event: 'Issue Hook', body: '{"object_kind":"issue"}' }, opts).events,
      [],
    );
    expectCustodyError(
      () =>
        parseGitlabWebhook(
          { event: 'Push Hook', body: '{"object_kind":"push","ref":"refs/heads/x"}' },
          opts,
        ),
      TriggerError,
      'WEBHOOK_PAYLOAD_INVALID',
    );
  });
});

describe('webhook signatures', () => {
  // GitHub's documented test vector ("Validating webhook deliveries").
  const secret = "It's a Secret to Everybody";
  const body = new TextEncoder().encode('Hello, World!');
  const sig = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('GitHub: X-Hub-Signature-256 over the exact body verifies', () => {
    assert.equal(signGithubPayload(body, secret), sig);
    verifyGithubSignature(body, sig, secret);
    verifyGithubSignature(body, sig.toUpperCase().replace('SHA256', 'sha256'), secret);
  });

  it('GitHub: a missing, malformed or wrong signature, another body or another secret is WEBHOOK_SIGNATURE_INVALID', () => {
    const bad = [
      () => verifyGithubSignature(body, undefined, secret),
      () => verifyGithubSignature(body, 'sha1=abc', secret),
      () => verifyGithubSignature(body, `${sig.slice(0, -1)}0`, secret),
      () => verifyGithubSignature(new TextEncoder().encode('Hello, World?'), sig, secret),
      () => verifyGithubSignature(body, sig, 'another secret'),
    ];
    for (const f of bad) expectCustodyError(f, TriggerError, 'WEBHOOK_SIGNATURE_INVALID');
  });

  it('GitLab: X-Gitlab-Token equal to the secret passes; anything else is WEBHOOK_SIGNATURE_INVALID', () => {
    verifyGitlabToken('s3cret-token', 's3cret-token');
    for (const token of [undefined, '', 's3cret-toke', 's3cret-token ', 'S3CRET-TOKEN'])
      expectCustodyError(
        () => verifyGitlabToken(token, 's3cret-token'),
        TriggerError,
        'WEBHOOK_SIGNATURE_INVALID',
      );
  });
});
