import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { SupplierIntakeResult } from '../../app/provenance/supplier-intake.js';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';
import { levelFlag } from './slsa.js';

/** Refusals that are a checked "no" (exit 1): the evidence was read and it is not good enough. */
const NO = new Set([
  'SLSA_LEVEL_BELOW_REQUIRED',
  'ATTESTATION_BUNDLE_UNVERIFIED',
  'ATTESTATION_SIGNER_NOT_ADMITTED',
  'ATTESTATION_SUBJECT_MISMATCH',
  'SBOM_BUNDLE_UNVERIFIED',
  'SBOM_SIGNER_NOT_ADMITTED',
  'SBOM_SUBJECT_MISMATCH',
  'SBOM_GATE_FAILED',
]);

interface Flags extends ServiceFlags {
  sbom: string;
  provenance: string;
  sbomBundle?: string;
  product: string;
  release: string;
  team?: string;
  vendor?: string;
  requireLevel?: string;
  json?: boolean;
}

/** `custody supplier import`: take in third-party software with its SBOM and provenance. */
export function registerSupplier(program: Command, io: CliIO): void {
  const supplier = program.command('supplier').description('third-party software intake');
  withServiceOptions(
    supplier
      .command('import <artifact>')
      .description(
        "verify a vendor's SBOM and SLSA provenance for a binary, require a SLSA level, file the SBOM under the binary's digest and mark the product supplier",
      )
      .requiredOption('--sbom <file>', "the vendor's SBOM")
      .requiredOption('--provenance <file>', "the vendor's provenance (a Sigstore bundle)")
      .option('--sbom-bundle <file>', "the vendor's signature bundle over the SBOM")
      .requiredOption('--product <name>', 'the product to file it under')
      .requiredOption('--release <version>', 'the release')
      .option('--team <team>', 'team that owns a new product (when the token has several)')
      .option('--vendor <name>', 'the supplier')
      .option('--require-level <level>', "the SLSA level required (default: the team's setting)")
      .option('--json', 'print the intake as JSON'),
  ).action(async (artifactPath: string, o: Flags) => {
    const { fileDigest } = await import('../../app/provenance/rebuild.js');
    const read = (f: string) => readFileSync(resolve(io.cwd, f), 'utf8');
    const artifact = fileDigest(resolve(io.cwd, artifactPath));
    const body = {
      product: o.product,
      release: o.release,
      artifact,
      sbom: read(o.sbom),
      provenance: read(o.provenance),
      ...(o.sbomBundle !== undefined ? { sbomBundle: read(o.sbomBundle) } : {}),
      ...(o.team !== undefined ? { team: o.team } : {}),
      ...(o.vendor !== undefined ? { vendor: o.vendor } : {}),
      ...(o.requireLevel !== undefined ? { requiredLevel: levelFlag(o.requireLevel) } : {}),
    };
    let r: SupplierIntakeResult;
    try {
      r = (
        await clientFor(o, io).request<SupplierIntakeResult>('POST', '/api/v1/supplier-intakes', {
          body,
        })
      ).body;
    } catch (e) {
      if (!(e instanceof CustodyError) || !NO.has(e.code)) throw e;
      if (o.json)
        io.stdout.write(`${JSON.stringify({ imported: false, error: e.toJSON() }, null, 2)}\n`);
      io.stderr.write(`refused  ${artifactPath}: ${e.code}: ${e.message}\n`);
      throw new CliExit(EXIT.no);
    }
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ imported: true, ...r }, null, 2)}\n`);
      return;
    }
    io.stdout.write(
      `imported  ${artifactPath} (${artifact}) as ${r.product} ${r.release}${r.vendor ? ` from ${r.vendor}` : ''}: SLSA Build L${r.assessedLevel} (required L${r.requiredLevel}); SBOM ${r.sbom.id}${r.sbom.signed ? ', signed' : ''}\n`,
    );
    for (const e of r.evidence) io.stdout.write(`  + ${e}\n`);
    for (const g of r.gaps) io.stdout.write(`  - ${g.code}: ${g.message}\n`);
  });
}
