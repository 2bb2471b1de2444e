import {
  decideTrigger,
  parseGithubWebhook,
  parseGitlabWebhook,
  parseTriggerEvent,
  type TriggerDecision as SeedDecision,
  slaTable,
  type TriggerEvent,
  type WebhookResult,
} from '../../triggers/index.js';
import type {
  DecidedAction,
  IntakeEvent,
  TriggerDecision,
  TriggerEngine,
  WebhookHeaders,
} from './ports.js';

/**
 * The service's trigger engine: seed 001's decision tables (triggers/) behind the intake port.
 * An intake event carries the whole parsed TriggerEvent in `details.event`, so the stored event
 * is what the tables decided on. A webhook event's time is when it is decided (the moment it
 * arrived): the webhook parsers are pure and get no clock, so they are given a placeholder that
 * `decide` replaces.
 */
export const SEED_001_ENGINE: TriggerEngine = {
  fromJson(body) {
    return intakeOf(parseTriggerEvent(body), false);
  },
  fromGithub(headers, body) {
    return eventsOf(
      parseGithubWebhook(delivery(headers, 'x-github-event', 'x-github-delivery', body), {
        receivedAt: ARRIVAL,
      }),
    );
  },
  fromGitlab(headers, body) {
    return eventsOf(
      parseGitlabWebhook(delivery(headers, 'x-gitlab-event', 'x-gitlab-event-uuid', body), {
        receivedAt: ARRIVAL,
      }),
    );
  },
  decide(event, now, sla) {
    const stored = (event.details?.['event'] ?? {}) as TriggerEvent;
    const trigger =
      event.details?.['arrival'] === true ? { ...stored, at: now.toISOString() } : stored;
    return decisionOf(decideTrigger(trigger, { sla: slaTable(sla) }));
  },
  slaTable(sla) {
    return slaTable(sla);
  },
};

/** A placeholder time for webhook events; replaced by the arrival time when decided. */
const ARRIVAL = '1970-01-01T00:00:00Z';

function delivery(h: WebhookHeaders, eventHeader: string, idHeader: string, body: unknown) {
  const id = h[idHeader];
  return {
    event: h[eventHeader] ?? '',
    ...(id !== undefined ? { deliveryId: id } : {}),
    body: JSON.stringify(body),
  };
}

function eventsOf(r: WebhookResult): IntakeEvent[] {
  return r.events.map((e) => intakeOf(e, true));
}

function intakeOf(e: TriggerEvent, arrival: boolean): IntakeEvent {
  const id = (e as { id?: unknown }).id;
  return {
    kind: e.kind,
    ...(e.product !== undefined ? { product: e.product } : {}),
    ...(e.team !== undefined ? { team: e.team } : {}),
    ...(typeof id === 'string' ? { deliveryId: id } : {}),
    ...(e.context !== undefined ? { context: e.context } : {}),
    details: { event: e, ...(arrival ? { arrival: true } : {}) },
  };
}

function decisionOf(d: SeedDecision): TriggerDecision {
  const automation = d.automation.level;
  const due = d.deadline?.due;
  const alertAt = d.deadline?.alertAt;
  const timing = {
    ...(due !== undefined ? { deadline: due } : {}),
    ...(alertAt !== undefined ? { alertAt } : {}),
  };
  const actions: DecidedAction[] = [];
  if (d.sbom.action !== 'none') {
    actions.push({
      target: 'sbom',
      action: d.sbom.action,
      automation,
      ...timing,
    });
  }
  if (d.vex.action !== 'none') {
    actions.push({
      target: 'vex',
      action: d.vex.action,
      automation,
      ...timing,
    });
  }
  // The only extra that is work of its own: runtime configuration's "update deployment docs"
  // (the others annotate the SBOM action and stay in the stored decision).
  if (actions.length === 0) {
    for (const extra of d.extras) actions.push({ target: 'docs', action: extra, automation });
  }
  return { ...d, actions };
}
