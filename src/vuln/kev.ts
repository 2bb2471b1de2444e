import { isCustodyError, parseJson } from '../core/index.js';
import { VulnError } from './errors.js';

/** One entry of CISA's Known Exploited Vulnerabilities catalogue. */
export interface KevEntry {
  cveID: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  /** YYYY-MM-DD */
  dateAdded: string;
  shortDescription: string;
  requiredAction: string;
  /** YYYY-MM-DD */
  dueDate: string;
  /** `Known` or `Unknown`. */
  knownRansomwareCampaignUse?: string;
  notes?: string;
  cwes?: string[];
}

export interface KevCatalogue {
  catalogVersion: string;
  dateReleased: string;
  count: number;
  vulnerabilities: KevEntry[];
  /** Entries by CVE id. */
  byCve: ReadonlyMap<string, KevEntry>;
}

const REQUIRED = [
  'cveID',
  'vendorProject',
  'product',
  'vulnerabilityName',
  'dateAdded',
  'shortDescription',
  'requiredAction',
  'dueDate',
] as const;
const OPTIONAL_STRINGS = ['knownRansomwareCampaignUse', 'notes'] as const;
const CVE = /^CVE-[0-9]{4}-[0-9]{4,19}$/;
const CWE = /^CWE-([0-9])+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Read CISA's KEV catalogue (untrusted JSON), checked against its published schema
 * (known_exploited_vulnerabilities_schema.json): the four required members, each entry's eight
 * required strings, CVE and CWE patterns, dates. Every problem is reported at once.
 * @throws VulnError VULN_KEV_INVALID
 */
export function parseKevCatalogue(input: Uint8Array | string, what: string): KevCatalogue {
  let data: unknown;
  try {
    data = parseJson(input, what, { maxBytes: 256 * 1024 * 1024, maxDepth: 16 });
  } catch (e) {
    if (!isCustodyError(e)) throw e;
    throw new VulnError('VULN_KEV_INVALID', `${what}: ${e.message}`, {
      cause: e,
      details: { what },
    });
  }
  const problems: string[] = [];
  const fail = (p: string, m: string) => problems.push(`${p} ${m}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new VulnError(
      'VULN_KEV_INVALID',
      `${what} is not a JSON object; a KEV catalogue is one`,
      {
        details: { what },
      },
    );
  const o = data as Record<string, unknown>;
  if (typeof o['catalogVersion'] !== 'string') fail('/catalogVersion', 'must be a string');
  if (typeof o['dateReleased'] !== 'string' || !DATE_TIME.test(o['dateReleased']))
    fail('/dateReleased', 'must be an RFC 3339 date-time');
  if (typeof o['count'] !== 'number' || !Number.isInteger(o['count']))
    fail('/count', 'must be an integer');
  const list = o['vulnerabilities'];
  const vulnerabilities: KevEntry[] = [];
  if (!Array.isArray(list)) fail('/vulnerabilities', 'must be an array');
  else
    list.forEach((v, i) => {
      const entry = kevEntry(v, `/vulnerabilities/${i}`, fail);
      if (entry !== undefined) vulnerabilities.push(entry);
    });
  if (problems.length > 0)
    throw new VulnError(
      'VULN_KEV_INVALID',
      `${what} is not a KEV catalogue: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
      { details: { what, count: problems.length, errors: problems.slice(0, 50) } },
    );
  const byCve = new Map<string, KevEntry>();
  for (const v of vulnerabilities) byCve.set(v.cveID, v);
  return {
    catalogVersion: o['catalogVersion'] as string,
    dateReleased: o['dateReleased'] as string,
    count: o['count'] as number,
    vulnerabilities,
    byCve,
  };
}

function kevEntry(
  v: unknown,
  p: string,
  fail: (p: string, m: string) => void,
): KevEntry | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail(p, 'must be an object');
    return undefined;
  }
  const o = v as Record<string, unknown>;
  let ok = true;
  for (const k of [...REQUIRED, ...OPTIONAL_STRINGS]) {
    const x = o[k];
    if (x === undefined && (OPTIONAL_STRINGS as readonly string[]).includes(k)) continue;
    if (typeof x !== 'string') {
      fail(`${p}/${k}`, x === undefined ? 'is required' : 'must be a string');
      ok = false;
    }
  }
  if (typeof o['cveID'] === 'string' && !CVE.test(o['cveID'])) {
    fail(`${p}/cveID`, 'must match CVE-YYYY-NNNN');
    ok = false;
  }
  for (const k of ['dateAdded', 'dueDate'])
    if (typeof o[k] === 'string' && !isDate(o[k] as string)) {
      fail(`${p}/${k}`, 'must be a date (YYYY-MM-DD)');
      ok = false;
    }
  const cwes = o['cwes'];
  if (
    cwes !== undefined &&
    (!Array.isArray(cwes) || cwes.some((c) => typeof c !== 'string' || !CWE.test(c)))
  ) {
    fail(`${p}/cwes`, 'must be an array of CWE-N strings');
    ok = false;
  }
  return ok ? (o as unknown as KevEntry) : undefined;
}

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}
