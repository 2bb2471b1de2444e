import type { FastifyInstance } from 'fastify';
import {
  kpiHistory,
  listKpis,
  listManualEntries,
  recordManualEntry,
  retakeSnapshot,
  startKpiSnapshots,
} from '../../app/kpi/index.js';
import {
  DEFAULT_KPI_SETTINGS,
  DEFAULT_SLO_SETTINGS,
  type KpiSettings,
  type SloSettings,
} from '../../config/index.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength: number) =>
  ({ type: 'string', maxLength, description }) as const;
const team = str(
  'The team whose figures (default: the organisation’s, or the token’s one team)',
  200,
);

export interface KpiRouteOptions {
  /** Retention and the snapshot timer (CUSTODY_KPI_*); defaults: 800 days, hourly. */
  settings?: KpiSettings;
  /** The admission SLO the error-budget burn is measured against. */
  slo?: SloSettings | undefined;
  /** Take the day's snapshot at start and on the timer (`custody serve`); default false. */
  snapshots?: boolean;
  onError?: (e: unknown) => void;
}

/**
 * The KPI catalogue (Figures): current values, daily history, hand-entered figures, and the
 * daily snapshot (started here when `snapshots`, stopped with the server).
 */
export async function registerKpiRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: KpiRouteOptions = {},
): Promise<void> {
  const s = d.services;
  const settings = o.settings ?? DEFAULT_KPI_SETTINGS;
  const slo = o.slo ?? DEFAULT_SLO_SETTINGS;
  const snapshot = { slo, retentionDays: settings.retentionDays };
  app.get<{ Querystring: { team?: string } }>(
    '/api/v1/kpis',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'The KPI catalogue with each figure now and 30 days ago',
        description:
          'Every metric and KPI the briefs name: id, brief, title, unit, numerator, denominator, source (tables, or manual for hand-entered figures), whether higher is better; its current value with numerator and denominator, and the value of the snapshot 30 days before; and the briefs’ milestones. Organisation-wide figures (admission’s) are null for a team.',
        tags: ['kpi'],
        querystring: { type: 'object', additionalProperties: false, properties: { team } },
      },
    },
    async (req) => listKpis(s, req.caller, { team: req.query.team, slo }),
  );
  app.get<{ Querystring: { kpi?: string; days?: number } }>(
    '/api/v1/kpis/manual',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Hand-entered figures (people trained, drills and their timings, runbooks)',
        description:
          'Newest day first; a team-scoped token sees those about its teams and their products.',
        tags: ['kpi'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kpi: str('Only this KPI', 100),
            days: {
              type: 'integer',
              minimum: 1,
              maximum: 3660,
              description: 'Days back (default 400)',
            },
          },
        },
      },
    },
    async (req) => listManualEntries(s, req.caller, req.query),
  );
  app.post<{
    Body: { kpi: string; value: number; subject?: string; note?: string; day?: string };
  }>(
    '/api/v1/kpis/manual',
    {
      config: { requires: 'inventory:read', permission: 'admin or auditor' },
      schema: {
        summary: 'Record a figure software cannot observe (admins and auditors)',
        description:
          'Only for KPIs whose definition has `manual` (custody kpi list): the subject is the team or product it is about, the value what the definition says. Audited as kpi.record.',
        tags: ['kpi'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kpi', 'value'],
          properties: {
            kpi: str('The KPI id', 100),
            value: { type: 'number' },
            subject: str('The team or product it is about', 200),
            note: str('What it was (a drill’s scenario, a course)', 2000),
            day: str('The day it is true for, YYYY-MM-DD (default today)', 10),
          },
        },
      },
    },
    async (req, reply) => {
      const { kpi, ...entry } = req.body;
      return reply.code(201).send(await recordManualEntry(s, req.caller, kpi, entry));
    },
  );
  app.post(
    '/api/v1/kpis/snapshot',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: 'Take today’s KPI snapshot now (admins)',
        description:
          'Replaces today’s snapshot, organisation-wide and per team; audited as kpi.snapshot.',
        tags: ['kpi'],
      },
    },
    async (req) => retakeSnapshot(s, req.caller, snapshot),
  );
  app.get<{ Params: { id: string }; Querystring: { days?: number; team?: string } }>(
    '/api/v1/kpis/:id/history',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'A KPI’s daily snapshots, with month over month and trend',
        tags: ['kpi'],
        params: { type: 'object', properties: { id: str('The KPI id', 100) } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            days: {
              type: 'integer',
              minimum: 1,
              maximum: 3660,
              description: 'Days back (default 400)',
            },
            team,
          },
        },
      },
    },
    async (req) => kpiHistory(s, req.caller, req.params.id, req.query),
  );
  if (o.snapshots) {
    const job = startKpiSnapshots(s, {
      ...settings,
      slo,
      ...(o.onError ? { onError: o.onError } : {}),
    });
    app.addHook('onClose', async () => {
      job.stop();
      await job.first;
    });
  }
}
