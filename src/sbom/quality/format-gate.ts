import type { GateFailure, GateResult } from './gate.js';

/**
 * The gate's decision for people: verdict first, then each failing rule with every failing
 * component, then the warnings (flagged for follow-up, not refused). A gate is a to-do list;
 * `limit` shortens it for summaries.
 */
export function formatGateText(result: GateResult, limit = Number.POSITIVE_INFINITY): string {
  const warnings = result.warnings ?? [];
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const lines = result.passed
    ? [`Quality gate: passed${warnings.length > 0 ? ` with ${n(warnings.length, 'warning')}` : ''}`]
    : [`Quality gate: FAILED (${n(result.failures.length, 'rule')})`];
  for (const f of result.failures) lines.push('', ...ruleLines('✗', f, limit));
  if (warnings.length > 0) {
    lines.push('', `Warnings (flagged for follow-up; they do not fail the gate):`);
    for (const f of warnings) lines.push('', ...ruleLines('!', f, limit));
  }
  return `${lines.join('\n')}\n`;
}

function ruleLines(mark: string, f: GateFailure, limit: number): string[] {
  const out = [`${mark} ${f.check}: ${f.message}`];
  for (const c of f.components.slice(0, limit)) out.push(`    ${c.label}`);
  if (f.components.length > limit) out.push(`    … and ${f.components.length - limit} more`);
  return out;
}
