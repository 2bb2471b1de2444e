// Shapes of GET /api/v1/vulnerabilities and /{id} (app/vulnerabilities/read-vulnerabilities.ts).

/** The VEX status of a finding: the newest statement of its product that covers it. */
export interface FindingVex {
  statement: number;
  status: string;
  version: number;
  /** True while the statement waits for a second person (then it settles nothing yet). */
  needsApproval: boolean;
}

/** One release, artifact and component an advisory affects (a finding), open or closed. */
export interface AffectedView {
  finding: number;
  team: string;
  product: string;
  release: string;
  artifact: { digest: string; name: string | null };
  sbom: number;
  /** The affected component's purl (the lowest affected version when several are present). */
  component: string;
  versions: string[];
  /** The first fixed version; null when no fix is known. */
  fixed: string | null;
  severity: { score: number | null; rating: string };
  openedAt: string;
  closedAt: string | null;
  /** `fixed`, `withdrawn`, `not_affected`, `vex_fixed`, `vex_not_affected` once closed. */
  closeReason: string | null;
  /** The VEX statement of the product that covers this finding (newest), or null. */
  vex: FindingVex | null;
}

export interface VulnerabilityView {
  id: string;
  aliases: string[];
  summary: string | null;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  /** The advisory's own severity (its best CVSS vector, else its rating). */
  severity: { score: number | null; rating: string };
  /** Its CISA KEV entry, by any CVE alias. */
  kev: { cve: string; dateAdded: string; dueDate: string; ransomware: string | null } | null;
  /** Its EPSS score, by any CVE alias (the highest when several). */
  epss: { cve: string; score: number; percentile: number } | null;
  /** The advisory version Custody holds (1 for the first ingested). */
  version: number;
  openFindings: number;
  affected: AffectedView[];
}

export interface VulnerabilityDetail extends VulnerabilityView {
  /** Every version ingested, oldest first, with what changed and when its matching finished. */
  history: {
    version: number;
    modified: string;
    ingestedAt: string;
    affectedReadyAt: string | null;
    changes: unknown;
  }[];
  /** The OSV record as stored (canonical JSON). */
  record: unknown;
}

export interface VulnerabilityPage {
  generatedAt: string;
  items: VulnerabilityView[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}
