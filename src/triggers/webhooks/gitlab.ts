import type { ReleaseEvent } from '../events.js';
import {
  branchPushEvent,
  commitOrUndefined,
  compact,
  Fields,
  isZeroSha,
  payloadError,
  payloadOf,
  versionOfTag,
  type WebhookDelivery,
  type WebhookOptions,
  type WebhookResult,
} from './common.js';

/**
 * A GitLab delivery (X-Gitlab-Event, X-Gitlab-Event-UUID, body) as trigger events, by the body's
 * `object_kind`: `push` (a commit or a lockfile change), `tag_push` (a release), `release` with
 * action `create` (a release). Deleted refs, release updates and deletions, and other events carry
 * no event and say why. Verify the token (verifyGitlabToken) before calling this.
 *
 * @throws TriggerError WEBHOOK_PAYLOAD_INVALID when the body is not the shape of its event
 */
export function parseGitlabWebhook(d: WebhookDelivery, o: WebhookOptions): WebhookResult {
  const result = (r: Omit<WebhookResult, 'deliveryId'>): WebhookResult =>
    d.deliveryId === undefined ? r : { deliveryId: d.deliveryId, ...r };
  const f = new Fields(payloadOf(d, 'GitLab'));
  const kind = f.at('object_kind');
  if (kind !== 'push' && kind !== 'tag_push' && kind !== 'release')
    return result({
      events: [],
      ignored: `GitLab ${String(kind ?? d.event)} events are not triggers`,
    });
  const product = f.string('project.path_with_namespace');
  const parsed =
    kind === 'push'
      ? push(f, product, o)
      : kind === 'tag_push'
        ? tagPush(f, product, o)
        : release(f, product, o);
  if (f.problems.length > 0) throw payloadError('GitLab', d.event, f.problems);
  return result(parsed);
}

function push(f: Fields, product: string, o: WebhookOptions): Omit<WebhookResult, 'deliveryId'> {
  const ref = f.string('ref');
  const after = f.string('after');
  const commits = f.list('commits');
  const total = f.at('total_commits_count');
  if (f.problems.length > 0) return { events: [] };
  if (isZeroSha(after)) return { events: [], ignored: `${ref} was deleted` };
  if (!ref.startsWith('refs/heads/')) return { events: [], ignored: `${ref} is not a branch` };
  const head = commits.find((c) => c['id'] === after) ?? commits[commits.length - 1];
  const message = typeof head?.['message'] === 'string' ? head['message'] : undefined;
  // GitLab lists at most 20 commits and says how many were pushed.
  const truncated = typeof total === 'number' && total > commits.length;
  const branch = ref.slice('refs/heads/'.length);
  return {
    events: [
      branchPushEvent({ source: 'gitlab', product, branch, after, commits, message, truncated }, o),
    ],
  };
}

function tagPush(f: Fields, product: string, o: WebhookOptions): Omit<WebhookResult, 'deliveryId'> {
  const ref = f.string('ref');
  const after = f.string('after');
  const checkout = f.optionalString('checkout_sha');
  const message = f.optionalString('message');
  if (f.problems.length > 0) return { events: [] };
  if (isZeroSha(after)) return { events: [], ignored: `${ref} was deleted` };
  const tag = ref.replace(/^refs\/tags\//, '');
  const event: ReleaseEvent = compact({
    kind: 'release' as const,
    at: o.receivedAt,
    product,
    source: 'gitlab',
    version: versionOfTag(tag),
    context: message === undefined || message === '' ? `tag ${tag}` : message,
    commit: commitOrUndefined(checkout ?? after),
  });
  return { events: [event] };
}

function release(f: Fields, product: string, o: WebhookOptions): Omit<WebhookResult, 'deliveryId'> {
  const action = f.string('action');
  const tag = f.string('tag');
  const name = f.optionalString('name');
  const commit = f.optionalString('commit.id');
  if (f.problems.length > 0) return { events: [] };
  if (action !== 'create') return { events: [], ignored: `release ${action} is not a new release` };
  const event: ReleaseEvent = compact({
    kind: 'release' as const,
    at: o.receivedAt,
    product,
    source: 'gitlab',
    version: versionOfTag(tag),
    context: name === undefined || name === '' ? `release ${tag}` : name,
    commit: commitOrUndefined(commit),
  });
  return { events: [event] };
}
