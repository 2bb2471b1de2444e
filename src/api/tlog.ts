/**
 * What log mirrors and monitors report to the service (`custody log mirror|monitor --report-to`),
 * and what GET /api/v1/tlog/reporters lists.
 */

export type TlogReporterKind = 'mirror' | 'monitor';

/** One report, as POST /api/v1/tlog/reports takes it. */
export interface TlogReport {
  /** The reporter's name, unique per deployment (`mirror-eu-1`). */
  name: string;
  kind: TlogReporterKind;
  /** The origin of the log it follows. */
  origin: string;
  /** The largest tree size it verified consistent with everything it saw before. */
  size: number;
  /** That tree's root hash, base64 (as checkpoints write it). */
  rootHash: string;
  /** When it checked (ISO 8601). */
  verifiedAt: string;
  /** What it found wrong this round; absent when nothing. */
  inconsistency?: { code: string; message: string };
}

/** The latest report of one reporter, with the inconsistencies it has ever reported. */
export interface TlogReporterView extends TlogReport {
  /** When the service received the latest report. */
  receivedAt: string;
  /** True when the origin is this service's own log. */
  ownLog: boolean;
  /** Behind this service's own log by this many entries (own log only). */
  behind: number | null;
  inconsistencies: { code: string; message: string; size: number; receivedAt: string }[];
}
