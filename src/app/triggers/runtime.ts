import { randomUUID } from 'node:crypto';
import { canonicalize, sha256Hex } from '../../core/index.js';
import { HttpClient } from '../../net/http.js';
import { sendSignedWebhook } from '../../net/webhook-sender.js';
import type { FailedJob, Job, JobQueue } from '../../store/jobs/index.js';
import {
  dueAlerts,
  findAction,
  findEvent,
  findTeamWebhook,
  markAlerted,
  moveAction,
  pendingActions,
  teamWebhooks,
} from '../../store/trigger-events.js';
import type { Services } from '../services.js';
import type {
  ActionExecutor,
  IntakeEvent,
  TeamSla,
  TriggerEngine,
  TriggerMetrics,
} from './ports.js';
import { storedTeamSla } from './sla.js';

export const ACTION_JOB = 'trigger-action';
export const NOTIFY_JOB = 'notify-webhook';

export interface RetryPolicy {
  /** Attempts after the first. */
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

export interface TriggerRuntimeOptions {
  engine: TriggerEngine;
  /** The queue actions and notifications run on; absent: they are recorded, not run. */
  jobs?: JobQueue | undefined;
  /** What runs an action, by target (`sbom`, `vex`, …); `*` for every other target. */
  executors?: Readonly<Record<string, ActionExecutor>>;
  metrics?: TriggerMetrics | undefined;
  /** For notifications; default: a client with a 10 s time-out and two quick retries. */
  http?: HttpClient;
  /** The secret of inbound webhooks that name no team (CUSTODY_WEBHOOK_SECRET). */
  webhookSecret?: string | undefined;
  /** Per-team deadlines handed to the engine; default: those the team stored. */
  sla?: (team: string) => Promise<TeamSla>;
  /** Default: 3 retries from 5 s, doubling. */
  actionRetry?: RetryPolicy;
  /** Default: 5 retries from 10 s, doubling. */
  notifyRetry?: RetryPolicy;
  /** How often open actions are checked for alerts (alert time, deadline); default 60 s, 0: never. */
  alertSweepMs?: number;
  /** Where failures that are nobody's request go (the service's logger). */
  log?: (level: 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void;
}

interface ActionJob {
  actionId: number;
}

interface NotifyJob {
  webhookId: number;
  deliveryId: string;
  event: string;
  body: string;
}

/**
 * The trigger machinery the engine plugs into: it stores events with their decisions (intake.ts),
 * runs each decided action as a job in its own transaction, and notifies the owning team by
 * signed webhook. One per service.
 */
export class TriggerRuntime {
  readonly engine: TriggerEngine;
  readonly jobs: JobQueue | undefined;
  readonly metrics: TriggerMetrics | undefined;
  readonly webhookSecret: string | undefined;
  private readonly http: HttpClient;
  private readonly executors: Readonly<Record<string, ActionExecutor>>;
  private readonly actionRetry: RetryPolicy;
  private readonly notifyRetry: RetryPolicy;
  private alertTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly s: Services,
    private readonly o: TriggerRuntimeOptions,
  ) {
    this.engine = o.engine;
    this.jobs = o.jobs;
    this.metrics = o.metrics;
    this.webhookSecret = o.webhookSecret;
    this.executors = o.executors ?? {};
    this.http = o.http ?? new HttpClient({ timeoutMs: 10_000, retries: 2 });
    this.actionRetry = o.actionRetry ?? { limit: 3, delaySeconds: 5, backoff: true };
    this.notifyRetry = o.notifyRetry ?? { limit: 5, delaySeconds: 10, backoff: true };
  }

  /** The team's deadline overrides: the option's, else those stored (`PUT …/teams/{name}/sla`). */
  async sla(team: string): Promise<TeamSla> {
    return this.o.sla ? this.o.sla(team) : storedTeamSla(this, team);
  }

  /**
   * Take jobs: actions and notifications. Actions still pending from before (the process stopped
   * between committing an event and enqueueing its jobs) are enqueued again; their singleton keys
   * make that harmless.
   */
  async startWorkers(): Promise<void> {
    const jobs = this.jobs;
    if (!jobs) return;
    jobs.onFailed((f) => this.failed(f));
    await jobs.work<ActionJob>(ACTION_JOB, (j) => this.runAction(j));
    await jobs.work<NotifyJob>(NOTIFY_JOB, (j) => this.deliver(j));
    for (const a of await pendingActions(this.s.db.kysely))
      await this.enqueueAction(a.id, a.target);
    const every = this.o.alertSweepMs ?? 60_000;
    if (every > 0 && this.alertTimer === undefined) {
      let running = false;
      this.alertTimer = setInterval(() => {
        if (running) return;
        running = true;
        this.sweepAlerts()
          .catch((err) => this.o.log?.('error', 'trigger alert sweep failed', { err }))
          .finally(() => {
            running = false;
          });
      }, every);
      this.alertTimer.unref();
    }
  }

  /** Stop the alert sweep (the server's close). */
  stop(): void {
    if (this.alertTimer !== undefined) clearInterval(this.alertTimer);
    this.alertTimer = undefined;
  }

  /**
   * Tell each team of its open actions whose alert time (seed 001's "alert at 24 h" of a CVE
   * draft's 48) or deadline has passed: a `trigger.alert` or `trigger.overdue` notification, once
   * per action and kind, and a warning in the service's log. The notification is enqueued before
   * the action is marked (its singleton key makes a second enqueue harmless), so a crash between
   * the two re-sends nothing and loses nothing. Returns how many alerts went out.
   */
  async sweepAlerts(): Promise<number> {
    const now = this.s.clock().toISOString();
    let sent = 0;
    for (const a of await dueAlerts(this.s.db.kysely, now)) {
      const event = a.kind === 'early' ? 'trigger.alert' : 'trigger.overdue';
      await this.notifyTeam(a.team_id, event, `action:${a.id}`, {
        action: {
          id: a.id,
          eventId: a.event_id,
          target: a.target,
          action: a.action,
          deadline: a.deadline,
          alertAt: a.alert_at,
        },
        link: `/api/v1/events/${a.event_id}`,
      });
      if (!(await markAlerted(this.s.db.kysely, a.id, a.kind, now))) continue;
      sent++;
      this.metrics?.alerted?.(a.kind, a.target);
      this.o.log?.(
        'warn',
        a.kind === 'early'
          ? 'trigger action still open at its alert time'
          : 'trigger action overdue',
        {
          action: a.id,
          event: a.event_id,
          target: a.target,
          deadline: a.deadline,
        },
      );
    }
    return sent;
  }

  /**
   * Run an action once it is committed (and again after a restart, harmlessly). An action whose
   * target has no executor gets no job: it waits, pending, for a person or a push to meet it (and
   * for an executor, which the next start enqueues it for).
   */
  async enqueueAction(id: number, target: string): Promise<void> {
    if (!this.executorFor(target)) return;
    await this.jobs?.enqueue<ActionJob>(
      ACTION_JOB,
      { actionId: id },
      {
        singletonKey: `action:${id}`,
        retryLimit: this.actionRetry.limit,
        retryDelaySeconds: this.actionRetry.delaySeconds,
        retryBackoff: this.actionRetry.backoff,
      },
    );
  }

  /**
   * Send `payload` to each of the team's notification webhooks, as one job per webhook; `ref`
   * makes it once per thing notified about (`event:12`), however often this is called.
   */
  async notifyTeam(teamId: number, event: string, ref: string, payload: object): Promise<void> {
    const jobs = this.jobs;
    if (!jobs) return;
    for (const w of await teamWebhooks(this.s.db.kysely, teamId, 'out')) {
      const deliveryId = randomUUID();
      const body = JSON.stringify({
        deliveryId,
        event,
        createdAt: this.s.clock().toISOString(),
        ...payload,
      });
      await jobs.enqueue<NotifyJob>(
        NOTIFY_JOB,
        { webhookId: w.id, deliveryId, event, body },
        {
          singletonKey: `${event}:${ref}:${w.id}`,
          retryLimit: this.notifyRetry.limit,
          retryDelaySeconds: this.notifyRetry.delaySeconds,
          retryBackoff: this.notifyRetry.backoff,
        },
      );
    }
  }

  /**
   * One action: the executor for its target and the mark "done" commit together, so an executor
   * that throws leaves nothing behind (and the job is retried). An action skipped meanwhile is not
   * run; one with no executor stays pending for a person (or a push) to meet.
   */
  private async runAction(job: Job<ActionJob>): Promise<void> {
    const db = this.s.db.kysely;
    const a = await findAction(db, job.data.actionId);
    if (a?.state !== 'pending') return;
    const exec = this.executorFor(a.target);
    if (!exec) return;
    const ev = await findEvent(db, a.event_id);
    if (!ev) return;
    const doneAt = this.s.clock();
    try {
      await db.transaction().execute(async (trx) => {
        await exec(trx, {
          id: a.id,
          eventId: ev.id,
          team: ev.team,
          product: ev.product,
          kind: ev.kind,
          target: a.target,
          action: a.action,
          automation: a.automation,
          deadline: a.deadline,
          event: JSON.parse(ev.payload) as IntakeEvent,
        });
        const moved = await moveAction(trx, a.id, ['pending'], {
          state: 'done',
          done_at: doneAt.toISOString(),
          error: null,
        });
        if (!moved) throw new SkippedMeanwhile();
      });
    } catch (e) {
      if (e instanceof SkippedMeanwhile) return;
      throw e;
    }
    this.metrics?.actionDone(
      a.target,
      Math.max(0, (doneAt.getTime() - Date.parse(ev.received_at)) / 1000),
    );
  }

  private executorFor(target: string): ActionExecutor | undefined {
    return this.executors[target] ?? this.executors['*'];
  }

  private async deliver(job: Job<NotifyJob>): Promise<void> {
    const w = await findTeamWebhook(this.s.db.kysely, job.data.webhookId);
    // Removed (or replaced) since: the team no longer wants it there.
    if (!w || w.url === null) return;
    await sendSignedWebhook(this.http, {
      url: w.url,
      secret: w.secret,
      body: job.data.body,
      deliveryId: job.data.deliveryId,
      event: job.data.event,
      timestamp: Math.floor(Date.now() / 1000),
    });
  }

  /** A job out of retries: mark its action failed and alert the owning team. */
  private async failed(f: FailedJob): Promise<void> {
    this.metrics?.jobFailed(f.name);
    this.o.log?.('error', 'job failed after its retries', {
      job: f.name,
      id: f.id,
      attempts: f.attempts,
      error: f.error,
    });
    if (f.name !== ACTION_JOB) return;
    const id = (f.data as ActionJob).actionId;
    const db = this.s.db.kysely;
    await moveAction(db, id, ['pending'], { state: 'failed', error: f.error });
    const a = await findAction(db, id);
    const ev = a ? await findEvent(db, a.event_id) : undefined;
    if (!a || !ev) return;
    await this.notifyTeam(a.team_id, 'alert.action-failed', `action:${a.id}`, {
      team: ev.team,
      product: ev.product,
      eventId: ev.id,
      kind: ev.kind,
      action: { id: a.id, target: a.target, action: a.action, deadline: a.deadline },
      error: f.error,
      attempts: f.attempts,
    });
  }
}

class SkippedMeanwhile extends Error {}

/** An event's identity: the sender's id when it gave one, else a digest of the event itself. */
export function idempotencyKey(source: string, e: IntakeEvent): string {
  if (e.deliveryId !== undefined) return `${source}:id:${e.deliveryId}`;
  return `${source}:sha256:${sha256Hex(canonicalize(e))}`;
}
