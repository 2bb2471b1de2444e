import type { CategoryId, CheckResult, QualityReport } from './types.js';

const CATEGORY_TITLES: Readonly<Record<CategoryId, string>> = {
  ntia: 'NTIA minimum elements',
  identification: 'Identification',
  integrity: 'Integrity',
  licensing: 'Licensing',
  structure: 'Structure',
  freshness: 'Freshness',
};

/** How many failing components to name per check before "… and N more". */
const SHOWN_FAILURES = 5;

/**
 * The report for people: the score first, then each category with its checks, their scores, and
 * the first few components that fail each one.
 */
export function formatQualityText(report: QualityReport): string {
  const lines = [
    `SBOM quality: ${report.score.toFixed(1)}/10 (grade ${report.grade}), ${report.components} components`,
  ];
  const idWidth = Math.max(...report.categories.flatMap((c) => c.checks.map((k) => k.id.length)));
  for (const cat of report.categories) {
    const score = cat.applicable ? `${cat.score.toFixed(1)}/10` : 'n/a';
    lines.push('', `${CATEGORY_TITLES[cat.id]}: ${score} (weight ${cat.weight})`);
    for (const check of cat.checks) lines.push(...checkLines(check, idWidth));
  }
  return `${lines.join('\n')}\n`;
}

function checkLines(check: CheckResult, idWidth: number): string[] {
  const mark = !check.applicable ? '-' : check.score >= 10 ? '✓' : check.score > 0 ? '~' : '✗';
  const score = check.applicable ? check.score.toFixed(1).padStart(4) : ' n/a';
  const out = [`  ${mark} ${check.id.padEnd(idWidth)} ${score}  ${check.summary}`];
  if (check.failing.length > 0) {
    const shown = check.failing.slice(0, SHOWN_FAILURES).map((f) => f.label);
    const more = check.failing.length - shown.length;
    out.push(`      failing: ${shown.join(', ')}${more > 0 ? `, … and ${more} more` : ''}`);
  }
  return out;
}
