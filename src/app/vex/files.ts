import { CoreError } from '../../core/index.js';
import {
  type CycloneDxVexVersion,
  convertVex,
  readVex,
  type VexConverted,
  type VexFormat,
  type VexRead,
  type VexValidation,
  validateVex,
} from '../../formats/index.js';
import { readInputFile } from '../../fs/sbom-input-files.js';

export interface VexFileOptions {
  /** Repair common OpenVEX mistakes (0.0.1 shapes, missing version or timestamp) instead of refusing. */
  lenient?: boolean;
}

/**
 * Detect a VEX file's format and validate it (schema, vocabularies, CSAF VEX profile).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, JSON_PARSE; VexFormatError VEX_PARSE,
 *   VEX_FORMAT_UNKNOWN, VEX_VERSION_UNSUPPORTED
 */
export async function validateVexFile(
  path: string,
  opts: VexFileOptions = {},
): Promise<VexValidation> {
  return validateVex(readInputFile(path), { what: path, ...opts });
}

/** Read a VEX file into the model (refused with a coded error unless valid). */
export async function readVexFile(path: string, opts: VexFileOptions = {}): Promise<VexRead> {
  return readVex(readInputFile(path), { what: path, ...opts });
}

export interface ConvertVexOptions extends VexFileOptions {
  cyclonedxVersion?: CycloneDxVexVersion;
  /** Reproducible output: a time the source lacks is SOURCE_DATE_EPOCH's, else 1970-01-01. */
  deterministic?: boolean;
  /** The environment (SOURCE_DATE_EPOCH), as the CLI read it. */
  env?: Readonly<Record<string, string | undefined>>;
  now?: Date;
}

export interface ConvertedVexFile extends VexConverted {
  from: VexFormat;
  /** Lenient repairs made while reading. */
  warnings: VexRead['warnings'];
}

/**
 * Convert a VEX file to another format. Times the target needs and the source lacks are the
 * current time, SOURCE_DATE_EPOCH's when set, or the Unix epoch with `deterministic`.
 */
export async function convertVexFile(
  path: string,
  to: VexFormat,
  opts: ConvertVexOptions = {},
): Promise<ConvertedVexFile> {
  const read = await readVexFile(path, opts.lenient === undefined ? {} : { lenient: opts.lenient });
  const converted = convertVex(read.document, read.format, to, {
    now: timeOf(opts),
    ...(opts.cyclonedxVersion === undefined ? {} : { cyclonedxVersion: opts.cyclonedxVersion }),
  });
  return { ...converted, from: read.format, warnings: read.warnings };
}

function timeOf(opts: ConvertVexOptions): string {
  const sde = opts.env?.['SOURCE_DATE_EPOCH'];
  if (sde !== undefined) {
    if (!/^\d{1,12}$/.test(sde))
      throw new CoreError(
        'USAGE',
        `SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${sde}"`,
      );
    return new Date(Number(sde) * 1000).toISOString().replace('.000Z', 'Z');
  }
  if (opts.deterministic === true) return '1970-01-01T00:00:00Z';
  return (opts.now ?? new Date()).toISOString();
}
