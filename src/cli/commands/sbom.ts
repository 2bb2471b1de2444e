import { type Command, Option } from 'commander';
import type { CliIO } from '../io.js';
import { progress, writeOutput } from '../output.js';

/** `custody sbom …`: generate, validate, score, check, align, diff, convert. */
export function registerSbom(program: Command, io: CliIO): void {
  const sbom = program.command('sbom').description('generate, validate, score, gate, align, diff and convert SBOMs');

  sbom
    .command('generate')
    .description('generate an SBOM from a directory, a lockfile or package database, or a container image')
    .argument('<path>', 'project folder, lockfile, docker-save tarball or OCI layout (folder or tar)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['cyclonedx-json', 'cyclonedx-1.5-json', 'cyclonedx-1.7-json', 'spdx-json'])
        .default('cyclonedx-json'),
    )
    .option('-o, --output <file>', 'write the SBOM here instead of stdout')
    .option('--deterministic', 'byte-identical output for identical input (implied by SOURCE_DATE_EPOCH)')
    .action(async (path: string, o: { format: string; output?: string; deterministic?: boolean }) => {
      const { generateSbom } = await import('../../app/generate-sbom.js');
      const result = await generateSbom(path, {
        format: o.format as 'cyclonedx-json',
        deterministic: o.deterministic === true,
        env: io.env,
        onProgress: progress(io, 'cataloging'),
      });
      writeOutput(io, result.text, o.output);
      if (o.output) {
        io.stderr.write(
          `wrote ${o.output}: ${result.document.components.length} components from ${result.results.length} file(s)\n`,
        );
      }
    });
}
