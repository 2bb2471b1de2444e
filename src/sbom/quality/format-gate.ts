import type { GateResult } from './gate.js';

/**
 * The gate's decision for people: verdict first, then each failing rule with every failing
 * component (a gate is a to-do list; `limit` shortens it for summaries).
 */
export function formatGateText(result: GateResult, limit = Number.POSITIVE_INFINITY): string {
  const SHOWN = limit;
  if (result.passed) return 'Quality gate: passed\n';
  const lines = [
    `Quality gate: FAILED (${result.failures.length} rule${result.failures.length === 1 ? '' : 's'})`,
  ];
  for (const f of result.failures) {
    lines.push('', `✗ ${f.check}: ${f.message}`);
    for (const c of f.components.slice(0, SHOWN)) lines.push(`    ${c.label}`);
    if (f.components.length > SHOWN) lines.push(`    … and ${f.components.length - SHOWN} more`);
  }
  return `${lines.join('\n')}\n`;
}
