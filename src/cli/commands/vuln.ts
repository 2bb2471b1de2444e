import type { Command } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { progress } from '../output.js';

/** `custody vuln …`: match an SBOM against advisories, offline. */
export function registerVuln(program: Command, io: CliIO): void {
  const vuln = program
    .command('vuln')
    .description('match SBOMs against vulnerability advisories (OSV)');

  vuln
    .command('match')
    .description(
      'scan one SBOM offline against OSV records: exit 1 when a finding VEX does not settle remains, 0 when none, 2 on bad input (a refused record included)',
    )
    .argument('<sbom>', 'CycloneDX or SPDX document')
    .requiredOption('--osv <path...>', 'OSV record files or folders (walked for *.json)')
    .option('--kev <file>', "CISA's known_exploited_vulnerabilities.json")
    .option('--epss <file>', "FIRST's EPSS scores (CSV, or .csv.gz)")
    .option('--skip-invalid', 'report refused advisory records but exit by the findings alone')
    .option('--json', 'machine-readable report: {"findings":[…], …}')
    .action(
      async (
        sbom: string,
        o: { osv: string[]; kev?: string; epss?: string; skipInvalid?: boolean; json?: boolean },
      ) => {
        const { matchSbomFile, formatMatchText } = await import('../../app/vuln/index.js');
        const report = matchSbomFile(sbom, {
          osv: o.osv,
          ...(o.kev === undefined ? {} : { kev: o.kev }),
          ...(o.epss === undefined ? {} : { epss: o.epss }),
          onProgress: progress(io, 'reading advisories'),
        });
        if (o.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else io.stdout.write(formatMatchText(report));
        if (report.refused.length > 0 && o.skipInvalid !== true) {
          io.stderr.write(
            `custody: ${report.refused[0]?.code}: ${report.refused.length} advisory file(s) or record(s) refused; the scan is incomplete (--skip-invalid to exit by the findings alone)\n`,
          );
          throw new CliExit(EXIT.usage);
        }
        if (report.stats.unsuppressed > 0) throw new CliExit(EXIT.no);
      },
    );
}
