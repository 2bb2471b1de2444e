import { readSbom } from '../../formats/index.js';
import { readDataFile } from '../../fs/advisory-files.js';
import { readInputFile } from '../../fs/sbom-input-files.js';
import type { SbomDocument } from '../../sbom/index.js';
import {
  type EpssScores,
  type KevCatalogue,
  parseEpssCsv,
  parseKevCatalogue,
  type ScanProblem,
  type Severity,
  type SkippedComponent,
  scanPurls,
  VulnError,
} from '../../vuln/index.js';
import { type LoadedAdvisories, loadAdvisories, type RefusedAdvisory } from './load-advisories.js';

/** VEX statuses (OpenVEX / CycloneDX analysis / CSAF product status, in OpenVEX's spelling). */
export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

/**
 * The seam for VEX: what a VEX source says about a component and a vulnerability. `ids` are every
 * id the finding is known by (advisory id first, then its aliases: CVE-…, GHSA-…); answer the
 * status of the first statement that names one of them, or undefined when none does.
 */
export type VexLookup = (purl: string, ids: readonly string[]) => VexStatus | undefined;

/** Statuses that settle a finding: it is reported but no longer fails the scan. */
const SUPPRESSING: ReadonlySet<VexStatus> = new Set(['not_affected', 'fixed']);

export interface VulnFinding {
  purl: string;
  id: string;
  aliases: string[];
  summary?: string;
  severity: Severity;
  /** The first fixed version (null: no fix known). */
  fixed: string | null;
  /** Present when a KEV catalogue was given: the entry for one of the finding's CVE ids, or null. */
  kev?: {
    cve: string;
    dateAdded: string;
    dueDate: string;
    knownRansomwareCampaignUse?: string;
  } | null;
  /** Present when EPSS scores were given: the highest-scoring of the finding's CVE ids, or null. */
  epss?: { cve: string; score: number; percentile: number } | null;
  vex: { status: VexStatus | 'none' };
  /** True when VEX settles it (not_affected, fixed). */
  suppressed: boolean;
}

export interface MatchOptions {
  /** OSV record files and folders. */
  osv: readonly string[];
  kev?: string;
  epss?: string;
  /** VEX statements to apply (none: every finding's status is "none"). */
  vex?: VexLookup;
  onProgress?: (done: number, total: number) => void;
}

export interface MatchReport {
  sbom: string;
  findings: VulnFinding[];
  /** Advisories for a component's package that cannot say whether its version is affected. */
  problems: ScanProblem[];
  /** Components not matched: malformed purl, no version, an ecosystem OSV does not cover, no purl. */
  skipped: (SkippedComponent | { purl: null; reason: 'no-purl'; message: string })[];
  /** Advisory files or records refused as malformed (the scan is incomplete when any is). */
  refused: RefusedAdvisory[];
  stats: {
    components: number;
    advisoryFiles: number;
    advisories: number;
    withdrawn: number;
    findings: number;
    unsuppressed: number;
    kev?: { catalogVersion: string };
    epss?: { modelVersion?: string; scoreDate?: string };
    loadMs: number;
    matchMs: number;
  };
}

/**
 * `custody vuln match`: scan one SBOM offline against OSV records, with KEV and EPSS figures when
 * their files are given and VEX statuses from `options.vex`.
 * @throws CoreError FILE_NOT_FOUND, …; SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN; VulnError
 *   VULN_NO_ADVISORIES, VULN_KEV_INVALID, VULN_EPSS_INVALID
 */
export function matchSbomFile(sbomPath: string, options: MatchOptions): MatchReport {
  const document = readSbom(readInputFile(sbomPath), sbomPath).document;
  const kev =
    options.kev === undefined
      ? undefined
      : parseKevCatalogue(readDataFile(options.kev), options.kev);
  const epss =
    options.epss === undefined ? undefined : parseEpssCsv(readDataFile(options.epss), options.epss);
  const loaded = loadAdvisories(options.osv, options.onProgress);
  if (loaded.records === 0 && loaded.refused.length === 0)
    throw new VulnError(
      'VULN_NO_ADVISORIES',
      `no OSV record found in ${options.osv.join(', ')}; give folders or files of OSV JSON records`,
      { details: { paths: [...options.osv] } },
    );
  return matchSbom(sbomPath, document, loaded, { ...options, kevCatalogue: kev, epssScores: epss });
}

/** The matching step alone, over loaded advisories (the benchmark times it apart from loading). */
export function matchSbom(
  name: string,
  document: SbomDocument,
  loaded: LoadedAdvisories,
  options: {
    vex?: VexLookup;
    kevCatalogue?: KevCatalogue | undefined;
    epssScores?: EpssScores | undefined;
  } = {},
): MatchReport {
  const t0 = performance.now();
  const purls: string[] = [];
  const skipped: MatchReport['skipped'] = [];
  for (const c of document.components) {
    if (c.purl !== undefined && c.purl !== '') purls.push(c.purl);
    else
      skipped.push({
        purl: null,
        reason: 'no-purl',
        message: `${c.name}${c.version ? `@${c.version}` : ''} has no purl`,
      });
  }
  const scan = scanPurls(loaded.index, purls);
  const { kevCatalogue: kev, epssScores: epss, vex } = options;
  const findings = scan.findings.map((f): VulnFinding => {
    const status = vex?.(f.purl, f.ids) ?? 'none';
    const out: VulnFinding = {
      purl: f.purl,
      id: f.id,
      aliases: f.aliases,
      severity: f.severity,
      fixed: f.fixed ?? null,
      vex: { status },
      suppressed: status !== 'none' && SUPPRESSING.has(status),
    };
    if (f.summary !== undefined) out.summary = f.summary;
    const cves = f.ids.filter((id) => id.startsWith('CVE-'));
    if (kev !== undefined) {
      const entry = cves.map((c) => kev.byCve.get(c)).find((e) => e !== undefined);
      out.kev =
        entry === undefined
          ? null
          : {
              cve: entry.cveID,
              dateAdded: entry.dateAdded,
              dueDate: entry.dueDate,
              ...(entry.knownRansomwareCampaignUse === undefined
                ? {}
                : { knownRansomwareCampaignUse: entry.knownRansomwareCampaignUse }),
            };
    }
    if (epss !== undefined) {
      let best: VulnFinding['epss'] = null;
      for (const c of cves) {
        const s = epss.byCve.get(c);
        if (s !== undefined && (best === null || s.epss > best.score))
          best = { cve: c, score: s.epss, percentile: s.percentile };
      }
      out.epss = best;
    }
    return out;
  });
  const unsuppressed = findings.filter((f) => !f.suppressed).length;
  const stats: MatchReport['stats'] = {
    components: document.components.length,
    advisoryFiles: loaded.files,
    advisories: loaded.index.size,
    withdrawn: loaded.index.withdrawn,
    findings: findings.length,
    unsuppressed,
    loadMs: loaded.loadMs,
    matchMs: performance.now() - t0,
  };
  if (kev !== undefined) stats.kev = { catalogVersion: kev.catalogVersion };
  if (epss !== undefined)
    stats.epss = {
      ...(epss.modelVersion === undefined ? {} : { modelVersion: epss.modelVersion }),
      ...(epss.scoreDate === undefined ? {} : { scoreDate: epss.scoreDate }),
    };
  return {
    sbom: name,
    findings,
    problems: scan.problems,
    skipped: [...scan.skipped, ...skipped],
    refused: loaded.refused,
    stats,
  };
}
