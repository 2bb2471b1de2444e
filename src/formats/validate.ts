import type { ErrorObject } from 'ajv';
import { type DetectedFormat, detectParsed } from './detect.js';
import { loadSbom } from './load.js';
import { checkSpecRules } from './spec-rules.js';

/** One schema violation: where (JSON pointer into the document's JSON form), which rule, why. */
export interface SchemaError {
  pointer: string;
  keyword: string;
  message: string;
}

/** A validation verdict; a document that fails its schema is a value, not an exception. */
export interface ValidationResult extends DetectedFormat {
  /** No errors: the document meets its schema and the spec's rules checkSpecRules enforces. */
  valid: boolean;
  /** Schema violations, then violations of the spec's prose (duplicate ids, control characters). */
  errors: SchemaError[];
  /** What is allowed but loses information (a purl that breaks the purl spec). */
  warnings: SchemaError[];
}

export interface ValidateOptions {
  /** Names the document in errors (a file path); default "document". */
  what?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

type Loader = () => Promise<{ loadValidator: () => unknown }>;

/**
 * Precompiled validators of the official schemas (scripts/gen-validators.mjs), loaded on first
 * use so a run pays only for the version it checks.
 */
const VALIDATORS: Readonly<Record<string, Loader>> = {
  'cyclonedx-1.2': () => import('./validators/cyclonedx-1.2.generated.js'),
  'cyclonedx-1.3': () => import('./validators/cyclonedx-1.3.generated.js'),
  'cyclonedx-1.4': () => import('./validators/cyclonedx-1.4.generated.js'),
  'cyclonedx-1.5': () => import('./validators/cyclonedx-1.5.generated.js'),
  'cyclonedx-1.6': () => import('./validators/cyclonedx-1.6.generated.js'),
  'cyclonedx-1.7': () => import('./validators/cyclonedx-1.7.generated.js'),
  'spdx-2.2': () => import('./validators/spdx-2.2.generated.js'),
  'spdx-2.3': () => import('./validators/spdx-2.3.generated.js'),
  'openvex-0.2.0': () => import('./validators/openvex-0.2.generated.js'),
  'csaf-2.0': () => import('./validators/csaf-2.0.generated.js'),
};

/**
 * Validate an SBOM against the official JSON schema of its format and version, as strictly as
 * CycloneDX's own validator (ajv, formats checked): CycloneDX 1.2–1.7 (1.2/1.3 with their
 * `-strict` schemas), SPDX 2.2 and 2.3, and against the rules of the specs' prose that schemas
 * cannot express (spec-rules.ts: unique bom-refs and SPDXIDs, no control characters in names;
 * invalid purls as warnings). Every violation is collected. CycloneDX XML and SPDX
 * tag-value/YAML are validated in their JSON form (see cycloneDxXmlToJson, parseSpdxTagValue):
 * there is no XSD validator for JavaScript, so XML-only rules are not checked.
 *
 * `input` is the document's bytes or an already parsed JSON value (then taken as JSON).
 *
 * @throws SbomError SBOM_FORMAT_UNKNOWN, SBOM_PARSE when the input cannot be read at all;
 *   CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export async function validateSbom(
  input: Uint8Array | string | object,
  opts: ValidateOptions = {},
): Promise<ValidationResult> {
  const what = opts.what ?? 'document';
  const loaded =
    typeof input === 'string' || input instanceof Uint8Array
      ? loadSbom(input, what)
      : { ...detectParsed(input, what), data: input };
  const { format, encoding, specVersion } = loaded;
  const validate = await validatorFor(`${format}-${specVersion}`);
  const schemaValid = validate(loaded.data);
  const rules = checkSpecRules(format, loaded.data);
  const errors = [...(schemaValid ? [] : toSchemaErrors(validate.errors ?? [])), ...rules.errors];
  return {
    valid: errors.length === 0,
    format,
    encoding,
    specVersion,
    errors,
    warnings: rules.warnings,
  };
}

const cache = new Map<string, CompiledValidator>();

/** The precompiled validator of one schema (`cyclonedx-1.6`, `openvex-0.2.0`, `csaf-2.0`, …). */
export async function validatorFor(key: string): Promise<CompiledValidator> {
  const hit = cache.get(key);
  if (hit) return hit;
  const loader = VALIDATORS[key];
  // detect admits only versions listed in SUPPORTED_VERSIONS, each of which has a validator.
  if (!loader) throw new Error(`no validator generated for ${key}`);
  const validate = (await loader()).loadValidator() as CompiledValidator;
  cache.set(key, validate);
  return validate;
}

// ajv's errors → pointer/keyword/message, naming the offending member where ajv keeps it in
// params, without repeats (allErrors can report one failure through several paths).
export function toSchemaErrors(raw: readonly ErrorObject[]): SchemaError[] {
  const seen = new Set<string>();
  const out: SchemaError[] = [];
  for (const e of raw) {
    const keyword = e.keyword === 'x-custody-unique-items' ? 'uniqueItems' : e.keyword;
    let message = e.message ?? keyword;
    const params = e.params as Record<string, unknown>;
    if (keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
      message = `${message}: '${params['additionalProperty']}'`;
    } else if (keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      const allowed = params['allowedValues'] as unknown[];
      const shown = allowed.slice(0, 8).map((v) => JSON.stringify(v));
      message = `${message}: ${shown.join(', ')}${allowed.length > 8 ? ', …' : ''}`;
    }
    const key = `${e.instancePath}\u0000${keyword}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer: e.instancePath, keyword, message });
  }
  return out;
}
