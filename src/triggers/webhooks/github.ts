import type { ReleaseEvent } from '../events.js';
import {
  branchPushEvent,
  commitOrUndefined,
  compact,
  Fields,
  payloadError,
  payloadOf,
  versionOfTag,
  type WebhookDelivery,
  type WebhookOptions,
  type WebhookResult,
} from './common.js';

/** Release actions that mean "this release is out" (a draft saved is not). */
const RELEASE_ACTIONS = new Set(['published', 'released', 'prereleased', 'created']);

/**
 * A GitHub delivery (X-GitHub-Event, X-GitHub-Delivery, body) as trigger events: `push` to a
 * branch (a commit or a lockfile change, on a release branch or not), `push` of a tag and `create`
 * of a tag (a release), `release` published, released or pre-released (a release, GitHub's
 * `prerelease` flag kept). Deleted refs, branch creation, drafts, edits and other events carry no
 * event and say why. Verify the signature (verifyGithubSignature) before calling this.
 *
 * @throws TriggerError WEBHOOK_PAYLOAD_INVALID when the body is not the shape of its event
 */
export function parseGithubWebhook(d: WebhookDelivery, o: WebhookOptions): WebhookResult {
  const result = (r: Omit<WebhookResult, 'deliveryId'>): WebhookResult =>
    d.deliveryId === undefined ? r : { deliveryId: d.deliveryId, ...r };
  if (d.event === 'ping')
    return result({ events: [], ignored: 'a ping, sent when a webhook is set up' });
  if (d.event !== 'push' && d.event !== 'create' && d.event !== 'release')
    return result({ events: [], ignored: `GitHub ${d.event} events are not triggers` });
  const f = new Fields(payloadOf(d, 'GitHub'));
  const product = f.string('repository.full_name');
  const parsed =
    d.event === 'push'
      ? push(f, product, o)
      : d.event === 'create'
        ? create(f, product, o)
        : release(f, product, o);
  if (f.problems.length > 0) throw payloadError('GitHub', d.event, f.problems);
  return result(parsed);
}

function push(f: Fields, product: string, o: WebhookOptions): Omit<WebhookResult, 'deliveryId'> {
  const ref = f.string('ref');
  const after = f.string('after');
  const deleted = f.boolean('deleted');
  const commits = f.list('commits');
  const message = f.optionalString('head_commit.message');
  if (f.problems.length > 0) return { events: [] };
  if (deleted) return { events: [], ignored: `${ref} was deleted` };
  if (ref.startsWith('refs/tags/')) {
    const tag = ref.slice('refs/tags/'.length);
    return { events: [tagRelease(product, tag, commitOrUndefined(after), message, o)] };
  }
  if (!ref.startsWith('refs/heads/'))
    return { events: [], ignored: `${ref} is neither a branch nor a tag` };
  const branch = ref.slice('refs/heads/'.length);
  // GitHub lists up to 2,048 commits per push; beyond that the file lists are incomplete.
  const truncated = commits.length >= 2048;
  return {
    events: [
      branchPushEvent({ source: 'github', product, branch, after, commits, message, truncated }, o),
    ],
  };
}

function create(f: Fields, product: string, o: WebhookOptions): Omit<WebhookResult, 'deliveryId'> {
  const ref = f.string('ref');
  const refType = f.string('ref_type');
  if (f.problems.length > 0) return { events: [] };
  if (refType !== 'tag') return { events: [], ignored: `a ${refType} was created, not a tag` };
  return { events: [tagRelease(product, ref, undefined, undefined, o)] };
}

function release(f: Fields, product: string, o: WebhookOptions): Omit<WebhookResult, 'deliveryId'> {
  const action = f.string('action');
  const tag = f.string('release.tag_name');
  const draft = f.boolean('release.draft');
  const prerelease = f.boolean('release.prerelease');
  const target = f.optionalString('release.target_commitish');
  const name = f.optionalString('release.name');
  if (f.problems.length > 0) return { events: [] };
  if (!RELEASE_ACTIONS.has(action))
    return { events: [], ignored: `release ${action} is not a new release` };
  if (draft) return { events: [], ignored: 'a draft release' };
  const commit = commitOrUndefined(target);
  const event: ReleaseEvent = compact({
    kind: 'release' as const,
    at: o.receivedAt,
    product,
    source: 'github',
    version: versionOfTag(tag),
    context: name === undefined || name === '' ? `release ${tag}` : name,
    commit,
    // target_commitish names a branch unless it is a SHA.
    branch: commit === undefined ? target : undefined,
    prerelease: prerelease ? true : undefined,
  });
  return { events: [event] };
}

function tagRelease(
  product: string,
  tag: string,
  commit: string | undefined,
  message: string | undefined,
  o: WebhookOptions,
): ReleaseEvent {
  return compact({
    kind: 'release' as const,
    at: o.receivedAt,
    product,
    source: 'github',
    version: versionOfTag(tag),
    context: message ?? `tag ${tag}`,
    commit,
  });
}
