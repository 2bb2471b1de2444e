import { isCustodyError, parseJson } from '../../core/index.js';
import { TriggerError } from '../errors.js';
import type { TriggerEvent } from '../events.js';
import {
  DEFAULT_LOCKFILE_NAMES,
  DEFAULT_RELEASE_BRANCHES,
  lockfilesIn,
  matchesAny,
} from '../patterns.js';
import { DEFAULT_HOTFIX_BRANCHES } from '../release.js';

/** How a team's repositories are read. */
export interface WebhookOptions {
  /** When the delivery arrived (RFC 3339): the events' time, so deadlines count from it. */
  receivedAt: string;
  /** Release branch patterns (`*` within a segment, `**` across); hotfix branches count too. */
  releaseBranches?: readonly string[];
  hotfixBranches?: readonly string[];
  /** Lockfile names, matched against each changed file's name. */
  lockfileNames?: readonly string[];
}

/** What a delivery means: its events, or why it carries none. */
export interface WebhookResult {
  /** The provider's delivery id (X-GitHub-Delivery, X-Gitlab-Event-UUID), for replay checks. */
  deliveryId?: string;
  events: TriggerEvent[];
  /** Why the delivery is no trigger (a ping, a deleted ref, a draft release). */
  ignored?: string;
}

/** One delivery as it arrived: the event header, the delivery id header and the raw body. */
export interface WebhookDelivery {
  event: string;
  deliveryId?: string;
  body: Uint8Array | string;
}

const MAX_BODY = 25 * 1024 * 1024; // GitHub caps payloads at 25 MB

/** The body as a JSON object. Untrusted. @throws TriggerError WEBHOOK_PAYLOAD_INVALID */
export function payloadOf(d: WebhookDelivery, provider: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(d.body, `${provider} ${d.event} payload`, {
      maxBytes: MAX_BODY,
      maxDepth: 64,
    });
  } catch (cause) {
    if (!isCustodyError(cause)) throw cause;
    throw new TriggerError('WEBHOOK_PAYLOAD_INVALID', cause.message, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw payloadError(provider, d.event, ['the body is not a JSON object']);
  return value as Record<string, unknown>;
}

export function payloadError(provider: string, event: string, problems: string[]): TriggerError {
  return new TriggerError(
    'WEBHOOK_PAYLOAD_INVALID',
    `The ${provider} ${event} payload is not what ${provider} sends: ${problems.join('; ')}`,
    { details: { problems } },
  );
}

/** Reads fields of an untrusted object, collecting what is missing or mistyped. */
export class Fields {
  readonly problems: string[] = [];
  constructor(private readonly obj: Record<string, unknown>) {}

  string(path: string): string {
    const v = this.at(path);
    if (typeof v === 'string') return v;
    this.problems.push(`${path}: expected a string`);
    return '';
  }

  optionalString(path: string): string | undefined {
    const v = this.at(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.problems.push(`${path}: expected a string`);
    return undefined;
  }

  boolean(path: string): boolean {
    const v = this.at(path);
    if (typeof v === 'boolean') return v;
    this.problems.push(`${path}: expected true or false`);
    return false;
  }

  list(path: string): Record<string, unknown>[] {
    const v = this.at(path);
    if (v === undefined || v === null) return [];
    if (Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object'))
      return v as Record<string, unknown>[];
    this.problems.push(`${path}: expected a list of objects`);
    return [];
  }

  /** The value at a dotted path (undefined when any step is missing). */
  at(path: string): unknown {
    let v: unknown = this.obj;
    for (const k of path.split('.')) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[k];
    }
    return v;
  }
}

/** The strings of a list field, ignoring anything else in it. */
export function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A tag name as a version: `v1.2.3` → `1.2.3`; other tags as they are. */
export function versionOfTag(tag: string): string {
  return /^[vV]\d/.test(tag) ? tag.slice(1) : tag;
}

/** Git's all-zero object name: the ref was created (before) or deleted (after). */
export function isZeroSha(sha: string | undefined): boolean {
  return sha !== undefined && /^0+$/.test(sha);
}

/** A full commit SHA, or undefined (a branch name in `target_commitish`, a zero SHA). */
export function commitOrUndefined(sha: string | undefined): string | undefined {
  return sha !== undefined && /^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(sha) && !isZeroSha(sha)
    ? sha.toLowerCase()
    : undefined;
}

export function isReleaseBranch(branch: string, o: WebhookOptions): boolean {
  return matchesAny(branch, [
    ...(o.releaseBranches ?? DEFAULT_RELEASE_BRANCHES),
    ...(o.hotfixBranches ?? DEFAULT_HOTFIX_BRANCHES),
  ]);
}

export function lockfileNames(o: WebhookOptions): readonly string[] {
  return o.lockfileNames ?? DEFAULT_LOCKFILE_NAMES;
}

/** `T` with its possibly-undefined fields made optional and never undefined. */
export type Compact<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** Drop undefined fields (the event model's optional fields are absent, never undefined). */
export function compact<T extends object>(o: T): Compact<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Compact<T>;
}

/** A push to a branch, as both providers describe it. */
export interface BranchPush {
  source: 'github' | 'gitlab';
  product: string;
  branch: string;
  after: string;
  commits: readonly Record<string, unknown>[];
  /** The pushed head's message (the context kept with the decision). */
  message: string | undefined;
  /** The payload lists only some of the pushed commits. */
  truncated: boolean;
}

/**
 * A branch push as one event: a lockfile change when any pushed commit added, modified or
 * removed a lockfile, else a commit; both say whether the branch is a release branch.
 */
export function branchPushEvent(p: BranchPush, o: WebhookOptions): TriggerEvent {
  const files = p.commits.flatMap((c) => [
    ...stringsOf(c['added']),
    ...stringsOf(c['modified']),
    ...stringsOf(c['removed']),
  ]);
  const lockfiles = lockfilesIn(files, lockfileNames(o));
  const onReleaseBranch = isReleaseBranch(p.branch, o);
  const base = compact({
    at: o.receivedAt,
    product: p.product,
    source: p.source,
    context: p.message,
    commit: commitOrUndefined(p.after),
  });
  if (lockfiles.length > 0)
    return { ...base, kind: 'lockfile-change', branch: p.branch, onReleaseBranch, lockfiles };
  return p.truncated
    ? { ...base, kind: 'commit', branch: p.branch, onReleaseBranch, filesTruncated: true }
    : { ...base, kind: 'commit', branch: p.branch, onReleaseBranch };
}
