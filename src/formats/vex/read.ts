import { csafToModel } from './csaf.js';
import { cycloneDxToModel } from './cyclonedx-vex.js';
import { VexFormatError, type VexFormatErrorCode } from './errors.js';
import type { VexDocument } from './model.js';
import { openVexToModel } from './openvex.js';
import { type VexValidateOptions, type VexValidation, validateVex } from './validate.js';

/** A VEX document read: what it is, its JSON as validated, and the model. */
export interface VexRead extends Omit<VexValidation, 'valid' | 'errors'> {
  document: VexDocument;
}

/**
 * Read a VEX document (untrusted): detect OpenVEX, CycloneDX or CSAF, validate it (vocabulary,
 * schema, CSAF VEX profile), map it to the model.
 *
 * @throws VexFormatError VEX_PARSE, VEX_FORMAT_UNKNOWN, VEX_VERSION_UNSUPPORTED,
 *   VEX_STATUS_INVALID, VEX_JUSTIFICATION_INVALID, VEX_SCHEMA_INVALID, VEX_PROFILE_INVALID
 *   (`details.errors`: every problem with its JSON pointer); CoreError INPUT_TOO_LARGE,
 *   INPUT_TOO_DEEP, JSON_PARSE
 */
export async function readVex(
  input: Uint8Array | string | object,
  opts: VexValidateOptions = {},
): Promise<VexRead> {
  const what = opts.what ?? 'document';
  const v = await validateVex(input, opts);
  if (!v.valid) {
    const code = codeFor(v.errors.map((e) => e.keyword));
    const first = v.errors[0];
    throw new VexFormatError(
      code,
      `${what} is not valid ${v.format} ${v.specVersion}: ${v.errors.length} error(s), first at ${first?.pointer || '/'}: ${first?.message}`,
      { details: { format: v.format, specVersion: v.specVersion, errors: v.errors } },
    );
  }
  const document =
    v.format === 'openvex'
      ? openVexToModel(v.data)
      : v.format === 'cyclonedx'
        ? cycloneDxToModel(v.data)
        : csafToModel(v.data);
  const { valid: _valid, errors: _errors, ...rest } = v;
  return { ...rest, document };
}

function codeFor(keywords: string[]): VexFormatErrorCode {
  if (keywords.includes('vex-status')) return 'VEX_STATUS_INVALID';
  if (keywords.includes('vex-justification')) return 'VEX_JUSTIFICATION_INVALID';
  if (keywords.every((k) => k === 'csaf-vex-profile')) return 'VEX_PROFILE_INVALID';
  return 'VEX_SCHEMA_INVALID';
}
