import { type VersionScheme, versionScheme } from '../core/vers/index.js';
import type { OsvAffected, OsvEventKind, OsvRange } from '../formats/index.js';
import { osvEcosystemSchemeName } from './ecosystems.js';

/** What one `affected` entry says about one version. */
export type VersionVerdict =
  | {
      kind: 'affected';
      /** `versions`: listed in the entry's versions; `range`: inside a SEMVER/ECOSYSTEM range. */
      via: 'versions' | 'range';
      /** The first fixed version above this one, in a range that holds it (none: no fix known). */
      fixed?: string;
    }
  | { kind: 'not-affected' }
  /** The version is no version of the ranges' scheme: it is not compared, so never matched by accident. */
  | { kind: 'unparseable-version'; problem: string }
  /** The entry cannot answer: no version rules for its ecosystem, a bound its scheme cannot read, GIT only. */
  | { kind: 'indeterminate'; reason: string };

export interface EvaluateOptions {
  /** Ignore the `versions` list and answer from the ranges alone (the oracle test uses this). */
  rangesOnly?: boolean;
}

/** An `affected` entry with its bounds parsed once, ready to answer for many versions. */
export interface CompiledAffected {
  readonly affected: OsvAffected;
  evaluate(version: string, options?: EvaluateOptions): VersionVerdict;
}

const MIN = Symbol('introduced 0');
const MAX = Symbol('limit *');
type Bound = { kind: OsvEventKind; version: string; key: unknown };

interface CompiledRange {
  scheme: VersionScheme;
  /** SEMVER ranges read versions without a leading `v` (OSV: "no leading v prefix"). */
  stripV: boolean;
  /** Sorted by version ("0" first, "*" last); undefined when a bound is unreadable. */
  events?: Bound[];
  limits?: Bound[];
  problem?: string;
}

/** Compile one `affected` entry (pure; bounds are parsed here, once). */
export function compileAffected(affected: OsvAffected): CompiledAffected {
  const ecosystem = affected.package?.ecosystem ?? '';
  const schemeName = osvEcosystemSchemeName(ecosystem);
  const ranges: CompiledRange[] = [];
  const unsupported: string[] = [];
  let git = false;
  for (const r of affected.ranges) {
    if (r.type === 'GIT') git = true;
    else if (r.type === 'SEMVER') ranges.push(compileRange(r, versionScheme('semver'), true));
    else if (schemeName !== undefined)
      ranges.push(compileRange(r, versionScheme(schemeName), false));
    else unsupported.push(ecosystem);
  }
  const listed = new Set(affected.versions);
  let listedKeys: Map<VersionScheme, unknown[]> | undefined;
  const ecoScheme = schemeName === undefined ? undefined : versionScheme(schemeName);

  /** Whether `version` equals a listed version: the same string, or the same version by the scheme. */
  const inVersions = (version: string): boolean => {
    if (listed.has(version)) return true;
    if (ecoScheme === undefined || listed.size === 0 || problemOf(ecoScheme, version, false))
      return false;
    listedKeys ??= new Map();
    let keys = listedKeys.get(ecoScheme);
    if (keys === undefined) {
      keys = affected.versions
        .filter((v) => problemOf(ecoScheme, v, false) === undefined)
        .map((v) => ecoScheme.parse(v));
      listedKeys.set(ecoScheme, keys);
    }
    const k = ecoScheme.parse(version);
    return keys.some((x) => ecoScheme.compare(k, x) === 0);
  };

  return {
    affected,
    evaluate(version, options = {}) {
      const useList = options.rangesOnly !== true;
      const listedHit = useList && inVersions(version);
      let fixed: string | undefined;
      let hit = false;
      let problem: string | undefined;
      let reason: string | undefined;
      for (const r of ranges) {
        if (r.events === undefined) {
          reason ??= r.problem;
          continue;
        }
        const p = problemOf(r.scheme, version, r.stripV);
        if (p !== undefined) {
          problem ??= p;
          continue;
        }
        const verdict = inRange(r, r.scheme.parse(r.stripV ? stripV(version) : version));
        if (verdict.affected) {
          hit = true;
          if (verdict.fixed !== undefined && (fixed === undefined || less(r, verdict.fixed, fixed)))
            fixed = verdict.fixed;
        }
      }
      if (listedHit || hit) {
        const out: VersionVerdict = { kind: 'affected', via: hit ? 'range' : 'versions' };
        if (fixed !== undefined) out.fixed = fixed;
        return out;
      }
      if (problem !== undefined) return { kind: 'unparseable-version', problem };
      if (reason !== undefined) return { kind: 'indeterminate', reason };
      if (unsupported.length > 0 && (!useList || listed.size === 0))
        return {
          kind: 'indeterminate',
          reason: `Custody has no version rules for the OSV ecosystem "${ecosystem}"; its ECOSYSTEM ranges cannot be evaluated`,
        };
      if (ranges.length === 0 && (!useList || listed.size === 0))
        return {
          kind: 'indeterminate',
          reason: git
            ? 'the entry has only GIT ranges (commit graphs) and no versions list'
            : 'the entry has neither ranges nor versions',
        };
      return { kind: 'not-affected' };
    },
  };
}

function stripV(version: string): string {
  return version.startsWith('v') ? version.slice(1) : version;
}

/** Why a version is no version of this scheme, or undefined. */
function problemOf(
  scheme: VersionScheme,
  version: string,
  stripLeadingV: boolean,
): string | undefined {
  return scheme.versionProblem?.(stripLeadingV ? stripV(version) : version) ?? undefined;
}

function compileRange(r: OsvRange, scheme: VersionScheme, stripLeadingV: boolean): CompiledRange {
  const bounds: Bound[] = [];
  for (const e of r.events) {
    if (e.kind === 'introduced' && e.version === '0') {
      bounds.push({ ...e, key: MIN });
      continue;
    }
    if (e.kind === 'limit' && e.version.includes('*')) {
      bounds.push({ ...e, key: MAX });
      continue;
    }
    const p = problemOf(scheme, e.version, stripLeadingV);
    if (p !== undefined)
      return { scheme, stripV: stripLeadingV, problem: `the range's ${e.kind} bound: ${p}` };
    bounds.push({ ...e, key: scheme.parse(stripLeadingV ? stripV(e.version) : e.version) });
  }
  const cmp = (a: unknown, b: unknown): number =>
    a === b ? 0 : a === MIN || b === MAX ? -1 : a === MAX || b === MIN ? 1 : scheme.compare(a, b);
  const sorted = bounds.filter((b) => b.kind !== 'limit').sort((a, b) => cmp(a.key, b.key));
  return {
    scheme,
    stripV: stripLeadingV,
    events: sorted,
    limits: bounds.filter((b) => b.kind === 'limit'),
  };
}

/** OSV's IncludedInRanges for one range (schema docs, "Evaluation"), with the first fix above v. */
function inRange(r: CompiledRange, v: unknown): { affected: boolean; fixed?: string } {
  const cmp = (a: unknown, b: unknown): number =>
    b === MIN ? 1 : b === MAX ? -1 : r.scheme.compare(a, b);
  const limits = r.limits ?? [];
  if (limits.length > 0 && !limits.some((l) => cmp(v, l.key) < 0)) return { affected: false };
  let affected = false;
  let fixed: string | undefined;
  for (const e of r.events ?? []) {
    if (e.kind === 'introduced') {
      if (cmp(v, e.key) >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (cmp(v, e.key) >= 0) affected = false;
      else if (affected && fixed === undefined) fixed = e.version;
    } else if (e.kind === 'last_affected' && cmp(v, e.key) > 0) affected = false;
  }
  return fixed === undefined || !affected ? { affected } : { affected, fixed };
}

/** a < b in the range's scheme (both fixed versions of a range, so both readable). */
function less(r: CompiledRange, a: string, b: string): boolean {
  const s = r.scheme;
  return s.compare(s.parse(r.stripV ? stripV(a) : a), s.parse(r.stripV ? stripV(b) : b)) < 0;
}
