import {
  type IntakeEvent,
  type TriggerDecision,
  type TriggerEngine,
  TriggerIntakeError,
  type WebhookHeaders,
} from '../../../src/app/triggers/index.js';

/**
 * A small but real trigger engine for the intake tests (the real one lives in src/triggers/ and
 * is plugged in by the composition root): a handful of kinds, a fixed decision per kind, and
 * GitHub/GitLab push and release payloads read just enough to name the product and the commit
 * message. It counts how often a webhook payload reached it.
 */
export class TinyEngine implements TriggerEngine {
  webhookParses = 0;

  fromJson(body: unknown): IntakeEvent {
    const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const kind = o['kind'];
    if (typeof kind !== 'string' || !(kind in DECISIONS)) {
      throw new TriggerIntakeError(
        'EVENT_INVALID',
        `kind must be one of ${Object.keys(DECISIONS)}`,
      );
    }
    const product = o['product'];
    if (typeof product !== 'string') {
      throw new TriggerIntakeError('EVENT_INVALID', 'product is required');
    }
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    const team = str('team');
    const id = str('id');
    const message = str('message');
    return {
      kind,
      product,
      ...(team !== undefined ? { team } : {}),
      ...(id !== undefined ? { deliveryId: id } : {}),
      ...(message !== undefined ? { context: message } : {}),
      details: { version: str('version') ?? null },
    };
  }

  fromGithub(headers: WebhookHeaders, body: unknown): IntakeEvent[] {
    this.webhookParses++;
    const b = body as {
      ref?: string;
      repository?: { name?: string };
      head_commit?: { message?: string } | null;
    };
    const event = headers['x-github-event'];
    if (event === 'ping') return [];
    if (event !== 'push' && event !== 'release') return [];
    const product = b.repository?.name;
    if (typeof product !== 'string') {
      throw new TriggerIntakeError('EVENT_INVALID', 'the payload names no repository');
    }
    const message = b.head_commit?.message;
    return [
      {
        kind: event === 'release' || b.ref?.startsWith('refs/tags/') ? 'release' : 'push',
        product,
        ...(typeof message === 'string' ? { context: message } : {}),
        details: { ref: b.ref ?? null },
      },
    ];
  }

  fromGitlab(_headers: WebhookHeaders, body: unknown): IntakeEvent[] {
    this.webhookParses++;
    const b = body as { object_kind?: string; project?: { name?: string }; message?: string };
    const product = b.project?.name ?? 'unknown';
    if (b.object_kind === 'tag_push') return [{ kind: 'release', product }];
    if (b.object_kind === 'push') return [{ kind: 'push', product }];
    return [];
  }

  decide(event: IntakeEvent, now: Date): TriggerDecision {
    const rule = DECISIONS[event.kind];
    if (!rule) throw new TriggerIntakeError('EVENT_INVALID', `unknown kind ${event.kind}`);
    return {
      rule: event.kind,
      actions: rule.map((a) => ({
        target: a.target,
        action: a.action,
        automation: a.automation,
        ...(a.minutes !== undefined
          ? { deadline: new Date(now.getTime() + a.minutes * 60_000).toISOString() }
          : {}),
      })),
    };
  }
}

type Rule = {
  target: string;
  action: string;
  automation: 'full' | 'semi' | 'manual';
  minutes?: number;
}[];

const DECISIONS: Record<string, Rule> = {
  release: [
    { target: 'sbom', action: 'new', automation: 'full', minutes: 15 },
    { target: 'vex', action: 'review', automation: 'semi' },
  ],
  lockfile: [{ target: 'sbom', action: 'new', automation: 'full', minutes: 15 }],
  cve: [{ target: 'vex', action: 'draft', automation: 'semi', minutes: 48 * 60 }],
  push: [],
  docs: [],
};
