// Shapes of routes that existed before the dashboard (release diff, admission records and
// governance, the log), reduced to the fields the dashboard reads. test/web/api-shapes.ts checks
// at compile time that what app/ returns still fits them.

/** GET /api/v1/releases/{id}/diff?against=: what changed between two releases' SBOMs. */
export interface ReleaseDiffView {
  from: { id: number; version: string };
  to: { id: number; version: string };
  diff: {
    summary: Record<string, number>;
    added: unknown[];
    removed: unknown[];
    upgraded: unknown[];
    downgraded: unknown[];
  };
}

/** GET /api/v1/admission/decisions */
export interface AdmissionDecisionItem {
  id: number;
  cluster: string | null;
  namespace: string;
  workload: string;
  operation: string;
  mode: string;
  allowed: boolean;
  degraded: boolean;
  wouldDeny: boolean;
  reasons: string[];
  at: string;
  reconciliation: { result: string; at: string } | null;
}

/** GET /api/v1/admission/exceptions */
export interface AdmissionExceptionItem {
  id: string;
  namespace: string;
  imagePattern: string;
  ticket: string;
  requester: string;
  expiresAt: string;
  state: string;
}

/** GET /api/v1/admission/overrides: a namespace's mode lowered during an outage. */
export interface AdmissionOverrideItem {
  id: string;
  namespaces: string[];
  mode: string;
  ticket: string;
  requester: string;
  expiresAt: string;
  state: string;
}

/** GET /api/v1/admission/reconciliations: degraded decisions checked again once healthy. */
export interface ReconciliationItem {
  id: number;
  decision: number;
  namespace: string;
  workload: string;
  decidedAt: string;
  reconciledAt: string;
  result: string;
  seconds: number;
}

/** GET /api/v1/tlog */
export interface TlogDescription {
  origin: string;
  size: number;
  rootHash: string;
  checkpoint: string;
  vkey: string;
}

/** GET /api/v1/tlog/checkpoints */
export interface TlogCheckpoints {
  origin: string;
  checkpoints: { size: number; rootHash: string; note: string }[];
}
