import type { Command } from 'commander';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

/**
 * `custody evidence export|verify` (an auditor's evidence of a release: fetched from the
 * service, checked offline) and `custody runbook <product>`.
 */
export function registerEvidence(program: Command, io: CliIO): void {
  const evidence = program
    .command('evidence')
    .description(
      "a release's evidence for auditors: export it from the service, verify it offline",
    );

  withServiceOptions(
    evidence
      .command('export <product@release>')
      .description('download the signed evidence tar of a release')
      .requiredOption('-o, --output <file>', 'where to write the tar (e.g. evidence.tar)'),
  ).action(async (ref: string, o: ServiceFlags & { output: string }) => {
    const at = ref.lastIndexOf('@');
    if (at <= 0 || at === ref.length - 1) {
      throw new CustodyError(
        'USAGE',
        `name the release as <product>@<version>, e.g. shop@1.4.0 (got ${JSON.stringify(ref)})`,
      );
    }
    const product = ref.slice(0, at);
    const version = ref.slice(at + 1);
    const tar = await clientFor(o, io).download(
      `/api/v1/products/${encodeURIComponent(product)}/releases/${encodeURIComponent(version)}/evidence`,
    );
    const { writeFileAtomically } = await import('../../app/evidence/files.js');
    writeFileAtomically(o.output, io.cwd, tar);
    io.stdout.write(
      `wrote ${o.output}: evidence of ${product} ${version} (${tar.length} bytes); check it with: custody evidence verify ${o.output}\n`,
    );
  });

  evidence
    .command('verify <file>')
    .description(
      'check an evidence tar offline: digests, the manifest signature, bundles, log proofs and checkpoints, audit chain (exit 0 ok, 1 a check failed, 2 not an evidence tar)',
    )
    .option(
      '--trusted-root <file>',
      'a trusted root obtained out of band (custody trust fetch): verify under it, not the one inside',
    )
    .option(
      '--key <pem>',
      "the service's signing key obtained out of band (GET /api/v1/vex-signing-key)",
    )
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { trustedRoot?: string; key?: string; json?: boolean }) => {
      const { formatEvidenceReport, verifyEvidenceFile } = await import(
        '../../app/evidence/files.js'
      );
      const report = await verifyEvidenceFile(file, io.cwd, {
        trustedRoot: o.trustedRoot,
        key: o.key,
      });
      io.stdout.write(
        o.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvidenceReport(report),
      );
      if (!report.ok) throw new CliExit(EXIT.no);
    });

  withServiceOptions(
    program
      .command('runbook <product>')
      .description(
        "the product's runbook (markdown) filled with its identities, issuers and commands",
      )
      .option('-o, --output <file>', 'write it here instead of stdout'),
  ).action(async (product: string, o: ServiceFlags & { output?: string }) => {
    const md = await clientFor(o, io).download(
      `/api/v1/products/${encodeURIComponent(product)}/runbook`,
    );
    if (o.output === undefined) {
      io.stdout.write(new TextDecoder().decode(md));
      return;
    }
    const { writeFileAtomically } = await import('../../app/evidence/files.js');
    writeFileAtomically(o.output, io.cwd, md);
    io.stdout.write(`wrote ${o.output}: runbook of ${product}\n`);
  });
}
