import type { KpiMilestone } from '../api/index.js';

/**
 * The briefs' roll-out plans as data (seeds/000: Brief 1 "What good looks like in 6–12 months",
 * Brief 2 "Case study-style milestones"), each with the KPIs that show how far along it is. A
 * target of null: the brief names no number, the trend is what to watch.
 */
export const KPI_MILESTONES: readonly KpiMilestone[] = Object.freeze([
  {
    brief: 1,
    period: '6–12 months',
    text: 'Every production image has a signature and an attached provenance attestation',
    kpis: [
      { id: 'b1.images-verified-at-admission', target: 1 },
      { id: 'b1.reconstructable-build-records', target: 1 },
    ],
  },
  {
    brief: 1,
    period: '6–12 months',
    text: 'Admission controllers block unsigned or improperly identified images by default',
    kpis: [{ id: 'b3.time-in-enforce', target: 1 }],
  },
  {
    brief: 1,
    period: '6–12 months',
    text: 'Transparency logs are mirrored and checkpoints archived',
    kpis: [{ id: 'b1.reconstructable-build-records', target: 1 }],
  },
  {
    brief: 1,
    period: '6–12 months',
    text: 'Release processes publish verification instructions; release managers are trained',
    kpis: [{ id: 'b1.release-managers-trained', target: null }],
  },
  {
    brief: 2,
    period: 'Quarter 1',
    text: 'Inventory pipelines, enable digest pinning, signed provenance for at least one service per team',
    kpis: [
      { id: 'b2.releases-pinned-dependencies', target: null },
      { id: 'b1.services-build-l2', target: null },
    ],
  },
  {
    brief: 2,
    period: 'Quarter 2',
    text: 'Critical services on isolated runners; provenance verified in pre-deploy checks',
    kpis: [
      { id: 'b2.services-build-l3', target: null },
      { id: 'b2.deployments-blocked-provenance', target: null },
    ],
  },
  {
    brief: 2,
    period: 'Quarter 3',
    text: 'Enforcement in production admission, reproducibility sampling, provenance in incident response',
    kpis: [
      { id: 'b3.time-in-enforce', target: 1 },
      { id: 'b2.rebuild-fidelity', target: 1 },
    ],
  },
] satisfies KpiMilestone[]);
