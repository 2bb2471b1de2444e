// Shapes of GET /api/v1/follow-ups (app/inventory/follow-ups.ts builds them).

/** One follow-up as the API shows it: a gate warning about one component, with its age. */
export interface FollowUpView {
  id: number;
  team: string;
  product: string;
  release: string;
  sbom: number;
  check: string;
  /** `namespace/name@version`; '' for a warning about the whole document. */
  component: string;
  ref: string;
  purl: string | null;
  message: string;
  openedAt: string;
  /** Days since it was first seen for this artifact (across SBOM versions). */
  ageDays: number;
  slaDays: number;
  dueAt: string;
  overdue: boolean;
  resolvedAt: string | null;
  /** `fixed` or `carried` (to the artifact's next SBOM version) once resolved. */
  resolution: string | null;
}

export interface FollowUpPage {
  generatedAt: string;
  /** Open and overdue follow-ups across the caller's teams (not only this page). */
  open: number;
  overdue: number;
  items: FollowUpView[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}
