import type { Q } from '../../store/db.js';

/**
 * What the service needs from the trigger engine (triggers/: seed 001's decision tables, and the
 * reading of GitHub and GitLab payloads). The routes, the intake store, the jobs and the
 * notifications here are generic over it; the composition root (server/main.ts) passes the
 * engine in. Every function is pure: no I/O, time as a parameter.
 */
export interface TriggerEngine {
  /**
   * The events in a GitHub webhook delivery whose signature has already been checked (push, tag,
   * release, …); `[]` for deliveries that are no trigger (ping, an event nothing listens to).
   * `headers` are lower-case. @throws CustodyError (4xx) for a payload it cannot read
   */
  fromGithub(headers: WebhookHeaders, body: unknown): IntakeEvent[];
  /** The same for GitLab (push hook, tag push hook, release hook). */
  fromGitlab(headers: WebhookHeaders, body: unknown): IntakeEvent[];
  /**
   * The generic JSON of `POST /api/v1/events` and of the directory poller's files:
   * `{kind, product, team?, …}`. @throws CustodyError (4xx) naming what is wrong
   */
  fromJson(body: unknown): IntakeEvent;
  /** The decision on an event: which actions, each with its deadline and automation level. */
  decide(event: IntakeEvent, now: Date, sla: TeamSla): TriggerDecision;
  /**
   * A team's deadlines: the engine's defaults with `sla`'s overrides, each in milliseconds.
   * @throws CustodyError (4xx) naming every name or duration it does not accept
   */
  slaTable?(sla: TeamSla): Readonly<Record<string, { withinMs: number; alertAfterMs?: number }>>;
}

export type WebhookHeaders = Readonly<Record<string, string | undefined>>;

/** An event as the engine read it. */
export interface IntakeEvent {
  /** The engine's event kind (`release.patch`, `lockfile.change`, `cve.new`, …). */
  readonly kind: string;
  /** The product it concerns (an inventory product name); its team owns the event. */
  readonly product?: string;
  /** The owning team when the product does not say (or to name it outright). */
  readonly team?: string;
  /**
   * The sender's id for this event (a webhook delivery id, the JSON's `id`): the same id twice is
   * one event. Absent: the event's own content is its identity.
   */
  readonly deliveryId?: string;
  /** Free text that came with it: the commit message. */
  readonly context?: string;
  /** Everything else the engine read, stored as JSON. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * A team's deadlines that differ from the engine's, by deadline name, as people write durations
 * (`15m`, `48h`, `30d`, or milliseconds); `{}`: the engine's defaults.
 */
export type TeamSla = Readonly<
  Record<string, Readonly<{ within: string | number; alertAfter?: string | number }>>
>;

export interface TriggerDecision {
  /** What to do; empty for "no action" (the decision is stored all the same). */
  readonly actions: readonly DecidedAction[];
  /** The engine's own account of the decision (branch taken, rule, notes), stored as JSON. */
  readonly [more: string]: unknown;
}

export interface DecidedAction {
  /**
   * The artifact it acts on. `sbom` and `vex` decide who may override it (an SBOM obligation:
   * the team's publishers; a VEX decision: its approvers); anything else (`docs`, `metadata`)
   * counts as `sbom`'s kind of operational work.
   */
  readonly target: string;
  /** What is done (`new`, `draft`, `update-status`, `update-deployment-docs`, …). */
  readonly action: string;
  readonly automation: 'full' | 'semi' | 'manual';
  /** ISO 8601; absent: no deadline. */
  readonly deadline?: string;
  /** ISO 8601: alert the team when the work is still open by then (before the deadline). */
  readonly alertAt?: string;
}

/**
 * Runs one action, inside the transaction that marks it done: whatever it writes commits with
 * that mark, and a throw rolls both back (the job is then retried, and after its retries the
 * action is marked failed and the team alerted). Must be idempotent.
 */
export type ActionExecutor = (trx: Q, action: ActionToRun) => Promise<void>;

export interface ActionToRun {
  id: number;
  eventId: number;
  team: string;
  product: string | null;
  kind: string;
  target: string;
  action: string;
  automation: string;
  deadline: string | null;
  /** The stored event (IntakeEvent as JSON). */
  event: IntakeEvent;
}

/** Counters the HTTP face keeps for `/metrics` (server/metrics.ts). */
export interface TriggerMetrics {
  received(kind: string, source: string): void;
  decided(target: string, action: string): void;
  /** Event received → action done, in seconds. */
  actionDone(target: string, seconds: number): void;
  jobFailed(name: string): void;
  /** A team told that an action is still open at its alert time (`early`) or past its deadline. */
  alerted?(kind: 'early' | 'overdue', target: string): void;
}
