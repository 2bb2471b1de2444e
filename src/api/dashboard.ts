// Shapes of the dashboard's read endpoints (server/routes/dashboard.ts). Every list is a Page<T>
// (page.ts), ordered by an indexed key, so the page's cost is bounded by its size.

/**
 * Freshness against the owning team's SLA (app/dashboard/freshness.ts): `missing`, no SBOM past the
 * team's `release` deadline; `due`, an SBOM is owed but still within its deadline (a new release,
 * or a rebuild within the `rebuild` deadline); `stale`, rebuilt and not regenerated in time, or
 * older than the team gate's maxAgeDays; `fresh` otherwise.
 */
export type FreshnessState = 'fresh' | 'due' | 'stale' | 'missing';

/** What a team's freshness is judged against. */
export interface FreshnessSla {
  /** An SBOM is owed this long after a release is created (team SLA `release`). */
  releaseSeconds: number;
  /** And this long after a rebuild (team SLA `rebuild`). */
  rebuildSeconds: number;
  /** The team gate's maxAgeDays; null when its gate sets none. */
  maxAgeDays: number | null;
}

/** GET /api/v1/dashboard/releases: one row of the portfolio table. */
export interface PortfolioRelease {
  id: number;
  product: string;
  version: string;
  team: string;
  createdAt: string;
  deployed: boolean;
  /** Artifacts of the release, and how many have a current SBOM / a signed one / provenance. */
  artifacts: number;
  withSbom: number;
  withSignedSbom: number;
  withProvenance: number;
  /** Highest SLSA build level assessed for the release (0 when none). */
  slsaLevel: number;
  /** Age of the newest SBOM in days (null without SBOM), and the team's SLA state. */
  sbomAgeDays: number | null;
  freshness: FreshnessState;
  /** Mean quality score 0–10 of the current SBOMs (null without SBOM). */
  qualityScore: number | null;
  /** Open findings by severity (not resolved by a VEX statement). */
  openFindings: { critical: number; high: number; medium: number; low: number };
}

/** GET /api/v1/dashboard/overview: the figures at the top of the first view, one request. */
export interface DashboardOverview {
  generatedAt: string;
  products: number;
  releases: number;
  /**
   * 0–1 shares over the releases in the caller's teams: with an SBOM, with provenance; signed is
   * over artifacts (those whose current SBOM is signed).
   */
  sbomCoverage: number;
  signedSbomCoverage: number;
  provenanceCoverage: number;
  /** Deployed releases by freshness state. */
  freshness: Record<FreshnessState, number>;
  meanQuality: number | null;
  openFindings: { critical: number; high: number; medium: number; low: number };
  vexPendingApproval: number;
  vexOverdue: number;
  /** The gate's warn-tier follow-ups (GET /api/v1/follow-ups lists them): open, and past their SLA. */
  followUps: { open: number; overdue: number };
  /** Decisions of the last 24 hours; null for a team-scoped caller (namespaces have no team). */
  admission: {
    allowed: number;
    warned: number;
    denied: number;
    degraded: number;
    since: string;
  } | null;
  /** Null when the service runs without its log. */
  tlog: { origin: string; size: number; checkpointAt: string | null } | null;
}

/** GET /api/v1/dashboard/search?q=: a purl, `name@version`, `name version` or a CVE/GHSA id. */
export interface SearchAnswer {
  query: string;
  kind: 'purl' | 'name-version' | 'name' | 'vulnerability';
  /** For a vulnerability, its id and summary. */
  vulnerability: { id: string; summary: string | null; severity: string | null } | null;
  releases: SearchRelease[];
  nextCursor: string | null;
}

export interface SearchRelease {
  releaseId: number;
  product: string;
  version: string;
  team: string;
  deployed: boolean;
  /** The matching components of the release (purl and version). */
  components: { purl: string; name: string; version: string | null }[];
  /** For a vulnerability search, the release's VEX status for it. */
  vexStatus: string | null;
}

/** GET /api/v1/dashboard/scorecards: one row per team the caller sees. */
export interface TeamScorecard {
  team: string;
  releases: number;
  deployedReleases: number;
  /** Share (0–1) of deployed releases whose SBOM is `fresh` against the team's SLA. */
  freshWithinSla: number;
  sla: FreshnessSla;
  signedCoverage: number;
  provenanceCoverage: number;
  openFindings: { critical: number; high: number; medium: number; low: number };
  overdueVex: number;
}

/** GET /api/v1/dashboard/risk-contributors: components ranked by open high+critical × deployed releases. */
export interface RiskContributor {
  purl: string;
  name: string;
  version: string | null;
  openHighCritical: number;
  deployedReleases: number;
  score: number;
  vulnerabilities: string[];
}

/** GET /api/v1/dashboard/releases/{id}: the release view's header, one request. */
export interface ReleaseDetail {
  id: number;
  product: string;
  version: string;
  team: string;
  createdAt: string;
  deployed: boolean;
  ticket: string | null;
  previous: { id: number; version: string } | null;
  artifacts: {
    id: number;
    digest: string;
    name: string | null;
    sbom: { id: number; version: number; qualityScore: number; componentCount: number } | null;
  }[];
  slsa: { level: number; builder: string | null; reasons: string[] } | null;
  signatures: ReleaseSignature[];
  logEntries: ReleaseLogEntry[];
}

export interface ReleaseSignature {
  /** What was signed: an SBOM of the release, or an in-toto attestation about an artifact. */
  subject: 'sbom' | 'attestation';
  sbomId: number | null;
  /** For an attestation: its predicate type (SLSA provenance, …). */
  predicateType: string | null;
  bundleDigest: string;
  signer:
    | { kind: 'identity'; identity: string; issuer: string }
    | { kind: 'key'; name: string | null; hint: string };
  /** Signed with an emergency certificate (Brief 3), shown marked. */
  emergency: boolean;
  logIndex: number | null;
  createdAt: string;
}

/**
 * A log entry with what the page needs to check its inclusion itself (RFC 6962 §2.1.1): the leaf
 * hash, the audit path, and the signed checkpoint it proves against.
 */
export interface ReleaseLogEntry {
  logIndex: number;
  kind: string;
  /** The digest the entry is about. */
  subject: string;
  /** Unix seconds. */
  integratedTime: number;
  /** base64 of the leaf's bytes as hashed (RFC 6962 leaf input, without the 0x00 prefix). */
  leaf: string;
  /** Hashes in lower-case hex, as the log's API writes them. */
  proof: { treeSize: number; rootHash: string; hashes: string[] };
  /** The signed note (C2SP tlog-checkpoint) whose root the proof reaches. */
  checkpoint: string;
}

/** GET /api/v1/dashboard/releases/{id}/components?q=&cursor=: searchable components. */
export interface ReleaseComponent {
  purl: string | null;
  name: string;
  version: string | null;
  licenses: string[];
  hashes: { alg: string; content: string }[];
  artifactId: number;
}

/** GET /api/v1/dashboard/vex-queue: a draft VEX statement awaiting a second person's decision. */
export interface VexQueueItem {
  statement: number;
  product: string;
  team: string;
  vulnerability: string;
  status: string;
  version: number;
  /** The person who drafted this version: someone else must approve it. */
  draftedBy: string;
  createdAt: string;
  updatedAt: string;
  /** createdAt + the team's `analysis` SLA. */
  deadline: string;
  overdue: boolean;
}

/** GET /api/v1/dashboard/vulnerabilities: an open advisory as the vulnerability view shows it. */
export interface DashboardVulnerability {
  id: string;
  aliases: string[];
  summary: string | null;
  /** critical, high, medium, low, none or unknown. */
  severity: string;
  score: number | null;
  /** Listed in CISA's KEV catalogue (by any CVE alias). */
  kev: boolean;
  /** Products, releases and deployed releases with an open finding. */
  products: number;
  affectedReleases: number;
  deployedReleases: number;
  firstOpenedAt: string;
  /** Affected products by VEX state: decided, drafted but undecided, or no statement yet. */
  vex: { decided: number; pending: number; missing: number };
  /**
   * The earliest deadline among undecided products: no statement, first opened + the team's
   * `cveDraft` SLA; an undecided statement, its creation + the `analysis` SLA. Null when decided.
   */
  deadline: string | null;
  overdue: boolean;
}
