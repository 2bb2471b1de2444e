import type { EvidenceVerifyReport } from '../api/index.js';

/** The report as a person reads it: one line per check, ✓ or ✗, and what to do under each ✗. */
export function formatEvidenceReport(r: EvidenceVerifyReport): string {
  const out: string[] = [
    `Evidence of ${r.product ?? '?'} ${r.release ?? '?'}`,
    `Signatures checked under ${r.trustedRoot === 'out-of-band' ? 'the trusted root given (--trusted-root)' : "the archive's own trusted root (pass --trusted-root for an independent check)"}; manifest key: ${r.manifestKey === 'out-of-band' ? 'the key given (--key)' : "the archive's own (pass --key for an independent check)"}.`,
    '',
  ];
  for (const c of r.checks) {
    out.push(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    if (!c.ok && c.remedy) out.push(`    → ${c.remedy}`);
  }
  const failed = r.checks.filter((c) => !c.ok).length;
  out.push(
    '',
    failed === 0
      ? `OK: all ${r.checks.length} checks passed.`
      : `FAILED: ${failed} of ${r.checks.length} checks failed.`,
    '',
  );
  return out.join('\n');
}
