import { decodeUtf8 } from '../core/index.js';
import { VulnError } from './errors.js';

/** One CVE's EPSS figures: probability of exploitation in the next 30 days, and its percentile. */
export interface EpssScore {
  epss: number;
  percentile: number;
}

export interface EpssScores {
  /** From the `#model_version:…,score_date:…` line, when the file has one. */
  modelVersion?: string;
  scoreDate?: string;
  byCve: ReadonlyMap<string, EpssScore>;
}

const CVE = /^CVE-[0-9]{4}-[0-9]{4,19}$/;
const NUMBER = /^(0(\.\d+)?|1(\.0+)?|\.\d+)(e-?\d+)?$/i;
/** FIRST's daily file has about 300,000 rows; this leaves room without allowing anything. */
const MAX_ROWS = 5_000_000;

/**
 * Read FIRST's EPSS CSV (untrusted): an optional `#model_version:…,score_date:…` comment line,
 * the header `cve,epss,percentile`, then one row per CVE with two numbers in [0, 1]. A CVE twice,
 * a missing or extra column, or a number out of range is refused with its line.
 * @throws VulnError VULN_EPSS_INVALID
 */
export function parseEpssCsv(input: Uint8Array | string, what: string): EpssScores {
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_ROWS + 2) bad(what, 0, `over ${MAX_ROWS} rows`);
  let i = 0;
  const out: { modelVersion?: string; scoreDate?: string } = {};
  const first = lines[0];
  if (first?.startsWith('#')) {
    for (const field of first.slice(1).split(',')) {
      const colon = field.indexOf(':');
      if (colon < 0) bad(what, 1, `the comment line's "${field.slice(0, 40)}" is not key:value`);
      const key = field.slice(0, colon).trim();
      const value = field.slice(colon + 1).trim();
      if (key === 'model_version') out.modelVersion = value;
      else if (key === 'score_date') out.scoreDate = value;
    }
    i = 1;
  }
  const header = lines[i];
  if (header?.trim().toLowerCase() !== 'cve,epss,percentile')
    bad(what, i + 1, 'the header must be "cve,epss,percentile"');
  const byCve = new Map<string, EpssScore>();
  for (let n = i + 1; n < lines.length; n++) {
    const line = lines[n] as string;
    const cols = line.split(',');
    if (cols.length !== 3) bad(what, n + 1, `expected 3 columns, found ${cols.length}`);
    const [cve, e, p] = cols as [string, string, string];
    if (!CVE.test(cve)) bad(what, n + 1, `"${cve.slice(0, 30)}" is not a CVE id`);
    const epss = probability(e);
    const percentile = probability(p);
    if (epss === undefined || percentile === undefined)
      bad(what, n + 1, 'epss and percentile must be numbers between 0 and 1');
    if (byCve.has(cve)) bad(what, n + 1, `${cve} appears twice`);
    byCve.set(cve, { epss, percentile });
  }
  return { ...out, byCve };
}

function probability(s: string): number | undefined {
  const t = s.trim();
  if (!NUMBER.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) && x >= 0 && x <= 1 ? x : undefined;
}

function bad(what: string, line: number, why: string): never {
  throw new VulnError(
    'VULN_EPSS_INVALID',
    `${what}${line > 0 ? `:${line}` : ''}: ${why}; expected FIRST's EPSS CSV`,
    {
      details: { what, line },
    },
  );
}
