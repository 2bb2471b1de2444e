import { type Command, Option } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { progress, writeOutput } from '../output.js';

/** `custody sbom …`: generate, validate, score, check, align, diff, convert. */
export function registerSbom(program: Command, io: CliIO): void {
  const sbom = program
    .command('sbom')
    .description('generate, validate, score, gate, align, diff and convert SBOMs');

  sbom
    .command('generate')
    .description(
      'generate an SBOM from a directory, a lockfile or package database, or a container image',
    )
    .argument(
      '<path>',
      'project folder, lockfile, docker-save tarball or OCI layout (folder or tar)',
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['cyclonedx-json', 'cyclonedx-1.5-json', 'cyclonedx-1.7-json', 'spdx-json'])
        .default('cyclonedx-json'),
    )
    .option('-o, --output <file>', 'write the SBOM here instead of stdout')
    .option(
      '--deterministic',
      'byte-identical output for identical input (implied by SOURCE_DATE_EPOCH)',
    )
    .action(
      async (path: string, o: { format: string; output?: string; deterministic?: boolean }) => {
        const { generateSbom } = await import('../../app/generate-sbom.js');
        const result = await generateSbom(path, {
          format: o.format as 'cyclonedx-json',
          deterministic: o.deterministic === true,
          env: settingsOf(io).environment,
          onProgress: progress(io, 'cataloging'),
        });
        writeOutput(io, result.text, o.output);
        if (o.output) {
          io.stderr.write(
            `wrote ${o.output}: ${result.document.components.length} components from ${result.results.length} file(s)\n`,
          );
        }
      },
    );

  registerSbomReaders(sbom, io);
}

/** `sbom validate|score|check|align|diff|convert`: read SBOMs, report, exit 0/1/2. */
export function registerSbomReaders(sbom: Command, io: CliIO): void {
  const json = (v: unknown) => io.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

  sbom
    .command('validate')
    .description(
      'detect format and version, validate against the official schema and the spec’s rules (exit 1 when invalid)',
    )
    .argument('<file>', 'CycloneDX (JSON/XML) or SPDX (JSON/tag-value/YAML) document')
    .option('--json', 'machine-readable result')
    .action(async (file: string, o: { json?: boolean }) => {
      const { validateFile } = await import('../../app/sbom/index.js');
      const r = await validateFile(file);
      if (o.json) json(r);
      else {
        const what = `${r.format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} ${r.specVersion} (${r.encoding})`;
        io.stdout.write(
          `${file}: ${what}: ${r.valid ? 'valid' : `INVALID, ${r.errors.length} error(s)`}\n`,
        );
        for (const e of r.errors)
          io.stdout.write(`  ${e.pointer || '/'}: ${e.message} [${e.keyword}]\n`);
        if (r.warnings.length > 0) io.stdout.write(`${r.warnings.length} warning(s):\n`);
        for (const w of r.warnings)
          io.stdout.write(`  warning ${w.pointer || '/'}: ${w.message} [${w.keyword}]\n`);
      }
      if (!r.valid) throw new CliExit(EXIT.no);
    });

  sbom
    .command('score')
    .description('0-10 quality score with a per-check breakdown')
    .argument('<file>', 'SBOM document')
    .option('--json', 'machine-readable report')
    .action(async (file: string, o: { json?: boolean }) => {
      const { scoreFile, formatQualityText } = await import('../../app/sbom/index.js');
      const report = await scoreFile(file);
      if (o.json) json(report);
      else io.stdout.write(formatQualityText(report));
    });

  sbom
    .command('check')
    .description(
      'apply a gate policy; exit 1 listing every blocking failure (warnings are listed, exit 0)',
    )
    .argument('<file>', 'SBOM document')
    .option(
      '--policy <file>',
      'YAML gate policy (default: blocks on schema errors, missing versions, identities and recorded hashes; warns on licences)',
    )
    .option('--json', 'machine-readable result')
    .action(async (file: string, o: { policy?: string; json?: boolean }) => {
      const { checkFile, formatGateText } = await import('../../app/sbom/index.js');
      const r = await checkFile(file, o.policy);
      if (o.json)
        json({
          passed: r.gate.passed,
          score: r.report.score,
          failures: r.gate.failures,
          warnings: r.gate.warnings,
          report: r.report,
        });
      else
        io.stdout.write(
          `score ${r.report.score}/10 (${r.report.grade})\n${formatGateText(r.gate)}`,
        );
      if (!r.gate.passed) throw new CliExit(EXIT.no);
    });

  sbom
    .command('align')
    .description(
      'compare an SBOM with lockfiles: omissions, shadow components, version and hash mismatches',
    )
    .argument('<sbom>', 'SBOM document')
    .argument('<lockfile-or-dir>', 'lockfile, package database, project folder or image')
    .option('--json', 'machine-readable report')
    .action(async (file: string, lock: string, o: { json?: boolean }) => {
      const { alignFiles, formatAlignText } = await import('../../app/sbom/index.js');
      const r = await alignFiles(file, lock);
      if (o.json) json(r);
      else io.stdout.write(formatAlignText(r));
      if (!r.ok) throw new CliExit(EXIT.no);
    });

  sbom
    .command('diff')
    .description(
      'added, removed, upgraded, downgraded components; licence and same-version hash changes; edges',
    )
    .argument('<old>', 'older SBOM')
    .argument('<new>', 'newer SBOM')
    .option('--json', 'machine-readable diff')
    .option(
      '--fail-on-hash-change',
      'exit 1 when a component changed its hash without changing its version',
    )
    .action(async (a: string, b: string, o: { json?: boolean; failOnHashChange?: boolean }) => {
      const { diffFiles, formatDiffText } = await import('../../app/sbom/index.js');
      const d = await diffFiles(a, b);
      if (o.json) json(d);
      else io.stdout.write(formatDiffText(d));
      if (o.failOnHashChange && d.summary.hashChanged > 0) throw new CliExit(EXIT.no);
    });

  sbom
    .command('convert')
    .description(
      'convert between CycloneDX and SPDX; what the target cannot hold is listed on stderr',
    )
    .argument('<file>', 'SBOM document')
    .addOption(
      new Option('--to <format>', 'target format')
        .choices(['cyclonedx-json', 'spdx-json'])
        .makeOptionMandatory(),
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(async (file: string, o: { to: 'cyclonedx-json' | 'spdx-json'; output?: string }) => {
      const { convertFile } = await import('../../app/sbom/index.js');
      const r = await convertFile(file, o.to);
      writeOutput(io, r.text, o.output);
      if (r.lost.length > 0) {
        io.stderr.write(`not carried over to ${o.to} (${r.lost.length}):\n`);
        for (const l of r.lost) io.stderr.write(`  ${l}\n`);
      }
    });
}
