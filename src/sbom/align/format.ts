import type { AlignReport } from './align.js';

/** The alignment for people: verdict and counts first, then each kind of problem. */
export function formatAlignText(report: AlignReport): string {
  const eco = report.ecosystems.length > 0 ? report.ecosystems.join(', ') : 'none';
  if (report.ok) {
    return `SBOM ↔ lockfile alignment: OK (${report.matched} package versions matched; ecosystems: ${eco})\n`;
  }
  const counts = [
    plural(report.omissions.length, 'omission'),
    plural(report.shadows.length, 'shadow component'),
    plural(report.versionMismatches.length, 'version mismatch', 'version mismatches'),
    plural(report.hashMismatches.length, 'hash mismatch', 'hash mismatches'),
  ];
  const lines = [
    `SBOM ↔ lockfile alignment: ${counts.join(', ')} (${report.matched} matched; ecosystems: ${eco})`,
  ];
  if (report.hashMismatches.length > 0) {
    lines.push('', 'Hash mismatches (same version, different bytes):');
    for (const h of report.hashMismatches) {
      lines.push(
        `  ! ${at(h.identity, h.version)} ${h.alg}: SBOM ${h.sbom.join(',')} ≠ lockfile ${h.lock.join(',')}`,
      );
    }
  }
  if (report.omissions.length > 0) {
    lines.push('', 'Omissions (in the lockfile, not in the SBOM):');
    for (const o of report.omissions) {
      lines.push(`  - ${at(o.identity, o.version)}${o.sourcePath ? `  (${o.sourcePath})` : ''}`);
    }
  }
  if (report.shadows.length > 0) {
    lines.push('', 'Shadow components (in the SBOM, not in the lockfile):');
    for (const s of report.shadows) lines.push(`  + ${at(s.identity, s.version)}`);
  }
  if (report.versionMismatches.length > 0) {
    lines.push('', 'Version mismatches:');
    for (const m of report.versionMismatches) {
      lines.push(
        `  ≠ ${m.identity}: SBOM ${list(m.sbomVersions)}, lockfile ${list(m.lockVersions)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function at(identity: string, version: string): string {
  return version === '' ? `${identity} (no version)` : `${identity}@${version}`;
}

function list(versions: string[]): string {
  return versions.map((v) => (v === '' ? '(none)' : v)).join(', ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
