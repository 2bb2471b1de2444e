import { type Command, Option } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { writeOutput } from '../output.js';

const NAMES = { openvex: 'OpenVEX', cyclonedx: 'CycloneDX', csaf: 'CSAF' } as const;

/** `custody vex validate|convert`: VEX files in OpenVEX 0.2, CycloneDX VEX and CSAF 2.0. */
export function registerVex(program: Command, io: CliIO): void {
  const vex = program
    .command('vex')
    .description('validate and convert VEX documents (OpenVEX, CycloneDX VEX, CSAF VEX)');

  vex
    .command('validate')
    .description(
      'detect the format and validate against its schema, vocabularies and (CSAF) the VEX profile (exit 1 when invalid)',
    )
    .argument('<file>', 'OpenVEX 0.2, CycloneDX 1.4–1.7 or CSAF 2.0 JSON document')
    .option('--json', 'machine-readable result')
    .option(
      '--lenient',
      'repair OpenVEX 0.0.1 shapes and missing document version or timestamp (each a warning)',
    )
    .action(async (file: string, o: { json?: boolean; lenient?: boolean }) => {
      const { validateVexFile } = await import('../../app/vex/index.js');
      const { data: _data, ...r } = await validateVexFile(file, { lenient: o.lenient === true });
      if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        io.stdout.write(
          `${file}: ${NAMES[r.format]} ${r.specVersion}: ${r.valid ? 'valid' : `INVALID, ${r.errors.length} error(s)`}\n`,
        );
        for (const e of r.errors)
          io.stdout.write(`  ${e.pointer || '/'}: ${e.message} [${e.keyword}]\n`);
        for (const w of r.warnings)
          io.stdout.write(`  warning ${w.pointer || '/'}: ${w.message}\n`);
      }
      if (!r.valid) throw new CliExit(EXIT.no);
    });

  vex
    .command('convert')
    .description(
      'convert between OpenVEX, CycloneDX VEX and CSAF VEX; what the target cannot hold is listed on stderr',
    )
    .argument('<file>', 'VEX document')
    .addOption(
      new Option('--to <format>', 'target format')
        .choices(['openvex', 'cyclonedx', 'csaf'])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--cyclonedx-version <version>', 'CycloneDX version to write')
        .choices(['1.4', '1.5', '1.6', '1.7'])
        .default('1.6'),
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .option(
      '--lenient',
      'read OpenVEX 0.0.1 and documents missing a version or timestamp (repairs on stderr)',
    )
    .option(
      '--deterministic',
      'byte-identical output: a time the source lacks is SOURCE_DATE_EPOCH’s, else 1970-01-01',
    )
    .action(
      async (
        file: string,
        o: {
          to: 'openvex' | 'cyclonedx' | 'csaf';
          cyclonedxVersion: '1.4' | '1.5' | '1.6' | '1.7';
          output?: string;
          lenient?: boolean;
          deterministic?: boolean;
        },
      ) => {
        const { convertVexFile } = await import('../../app/vex/index.js');
        const r = await convertVexFile(file, o.to, {
          lenient: o.lenient === true,
          deterministic: o.deterministic === true,
          cyclonedxVersion: o.cyclonedxVersion,
          env: settingsOf(io).environment,
        });
        writeOutput(io, r.text, o.output);
        for (const w of r.warnings) io.stderr.write(`repaired ${w.pointer || '/'}: ${w.message}\n`);
        if (r.lost.length > 0) {
          io.stderr.write(
            `not carried over from ${NAMES[r.from]} to ${NAMES[o.to]} (${r.lost.length}):\n`,
          );
          for (const l of r.lost) io.stderr.write(`  ${l}\n`);
        }
      },
    );
}
