import { parsePurl } from '../../core/index.js';
import type { Component } from '../model.js';
import type { CategoryId, CheckId, CheckResult, FailingComponent } from './types.js';

export interface CheckSpec {
  id: CheckId;
  category: CategoryId;
  weight: number;
}

export interface ComponentCheckSpec extends CheckSpec {
  /** What passing means, completing "N/M components …" (e.g. "have a supplier"). */
  passes: string;
  pass: (c: Component) => boolean;
  /** Components the check applies to (default: all); the others neither pass nor fail. */
  appliesTo?: (c: Component) => boolean;
  /** Describes the population, completing "N/M components that …" (e.g. "have a purl"). */
  population?: string;
}

/**
 * Judge every component (or every one of a population) and score the share that passes. With no
 * components at all the check passes vacuously; with components but an empty population it scores 0,
 * because nothing could be checked (e.g. "purls valid" when no component has a purl).
 */
export function componentCheck(
  spec: ComponentCheckSpec,
  components: readonly Component[],
): CheckResult {
  const failing: FailingComponent[] = [];
  let total = 0;
  for (const c of components) {
    if (spec.appliesTo && !spec.appliesTo(c)) continue;
    total++;
    if (!spec.pass(c)) failing.push(failingComponent(c));
  }
  const passed = total - failing.length;
  const base = { id: spec.id, category: spec.category, scope: 'component' as const };
  if (components.length === 0) {
    return {
      ...base,
      applicable: true,
      score: 10,
      weight: spec.weight,
      summary: 'no components to check',
      total,
      passed,
      failing,
    };
  }
  const who = spec.population ? `components that ${spec.population}` : 'components';
  if (total === 0) {
    return {
      ...base,
      applicable: true,
      score: 0,
      weight: spec.weight,
      summary: `no ${who}: nothing ${spec.passes.replace(/^(have|are)\b/, 'to check')}`,
      total,
      passed,
      failing,
    };
  }
  return {
    ...base,
    applicable: true,
    score: round2((10 * passed) / total),
    weight: spec.weight,
    summary: `${passed}/${total} ${who} ${spec.passes}`,
    total,
    passed,
    failing,
  };
}

/** A document-level check: a score 0–10 and its summary. */
export function documentCheck(spec: CheckSpec, score: number, summary: string): CheckResult {
  return {
    id: spec.id,
    category: spec.category,
    scope: 'document',
    applicable: true,
    score: round2(Math.min(10, Math.max(0, score))),
    weight: spec.weight,
    summary,
    total: 1,
    passed: score >= 10 ? 1 : 0,
    failing: [],
  };
}

/** A check that could not be made; it weighs nothing in its category. */
export function notApplicable(spec: CheckSpec, summary: string): CheckResult {
  return { ...documentCheck(spec, 0, summary), applicable: false, total: 0 };
}

/** How a person finds the component: `namespace/name@version`. */
export function labelOf(c: Pick<Component, 'namespace' | 'name' | 'version'>): string {
  const name = c.namespace ? `${c.namespace}/${c.name}` : c.name;
  return c.version ? `${name}@${c.version}` : name;
}

export function failingComponent(c: Component): FailingComponent {
  const f: FailingComponent = { ref: c.ref, label: labelOf(c) };
  if (c.purl !== undefined) f.purl = c.purl;
  return f;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Whether `purl` follows the purl spec (a string that does not identifies nothing). */
export function isValidPurl(purl: string): boolean {
  try {
    parsePurl(purl);
    return true;
  } catch {
    return false;
  }
}
