/**
 * Validating VEX documents (untrusted): the format's JSON schema, the standard's vocabularies
 * (statuses, justifications, responses, checked first so a term outside a list gets its own
 * code), and for CSAF the rules of the VEX profile a program can check.
 */
import { parseJson } from '../../core/index.js';
import { type SchemaError, toSchemaErrors, validatorFor } from '../validate.js';
import { checkCsafProfile } from './csaf-profile.js';
import { type DetectedVex, detectVex, VEX_SUPPORTED_VERSIONS } from './detect.js';
import { VexFormatError } from './errors.js';
import { VEX_JUSTIFICATIONS, VEX_RESPONSES, VEX_STATUSES } from './model.js';
import { repairOpenVex } from './openvex-repair.js';
import {
  CDX_JUSTIFICATIONS,
  CDX_STATES,
  CDX_VERSION_STATUSES,
  CSAF_FLAG_LABELS,
  CSAF_REMEDIATIONS,
  CSAF_STATUSES,
} from './vocabulary.js';

export interface VexValidateOptions {
  /** Names the document in messages (a file path); default "document". */
  what?: string;
  /**
   * Repair what real OpenVEX documents commonly get wrong before validating: OpenVEX 0.0.1
   * shapes upgraded to 0.2, a missing document version or timestamp supplied, members the
   * schema does not know dropped. Each repair is a warning with its pointer. Statuses and
   * justifications outside the lists are never repaired.
   */
  lenient?: boolean;
}

/** A verdict; a document that fails is a value here (readVex turns it into an error). */
export interface VexValidation extends DetectedVex {
  valid: boolean;
  /** Vocabulary errors (keyword `vex-status`, `vex-justification`, `vex-response`), schema errors, profile errors (`csaf-vex-profile`). */
  errors: SchemaError[];
  /** Lenient repairs, and what is allowed but dubious. */
  warnings: SchemaError[];
  /** The document's JSON as validated (after lenient repairs). */
  data: Record<string, unknown>;
}

/**
 * Detect a VEX document's format and validate it.
 *
 * @throws VexFormatError VEX_PARSE, VEX_FORMAT_UNKNOWN, VEX_VERSION_UNSUPPORTED; CoreError
 *   INPUT_TOO_LARGE, INPUT_TOO_DEEP, JSON_PARSE
 */
export async function validateVex(
  input: Uint8Array | string | object,
  opts: VexValidateOptions = {},
): Promise<VexValidation> {
  const what = opts.what ?? 'document';
  let data =
    typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, what) : input;
  let detected = detectVex(data, what);
  const warnings: SchemaError[] = [];
  if (opts.lenient === true && detected.format === 'openvex') {
    const repaired = repairOpenVex(data as Record<string, unknown>);
    data = repaired.data;
    warnings.push(...repaired.warnings);
    detected = { format: 'openvex', specVersion: '0.2.0' };
  }
  assertSupported(detected, what);
  const doc = data as Record<string, unknown>;
  const vocabulary = checkVocabulary(detected, doc);
  const key =
    detected.format === 'cyclonedx'
      ? `cyclonedx-${detected.specVersion}`
      : `${detected.format}-${detected.specVersion}`;
  const validate = await validatorFor(key);
  const schemaErrors = validate(doc) ? [] : toSchemaErrors(validate.errors ?? []);
  const profile =
    detected.format === 'csaf' && schemaErrors.length === 0 ? checkCsafProfile(doc) : [];
  const errors = [...vocabulary, ...schemaErrors, ...profile];
  return { ...detected, valid: errors.length === 0, errors, warnings, data: doc };
}

function assertSupported(d: DetectedVex, what: string): void {
  if (VEX_SUPPORTED_VERSIONS[d.format].includes(d.specVersion)) return;
  const hint =
    d.format === 'openvex' && d.specVersion === '0.0.1'
      ? '; read it leniently (--lenient) to upgrade it to 0.2'
      : `; Custody reads ${d.format} ${VEX_SUPPORTED_VERSIONS[d.format].join(', ')}`;
  throw new VexFormatError(
    'VEX_VERSION_UNSUPPORTED',
    `${what} is ${d.format} ${d.specVersion}${hint}`,
    { details: { format: d.format, specVersion: d.specVersion } },
  );
}

type Json = Record<string, unknown>;
const FORMAT_NAMES = { openvex: 'OpenVEX', cyclonedx: 'CycloneDX', csaf: 'CSAF' } as const;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Terms outside the standard's lists, each with its pointer. */
export function checkVocabulary(d: DetectedVex, doc: Json): SchemaError[] {
  const out: SchemaError[] = [];
  const term = (
    kind: 'status' | 'justification' | 'response',
    list: readonly string[],
    v: unknown,
    pointer: string,
  ) => {
    if (v === undefined || (typeof v === 'string' && list.includes(v))) return;
    out.push({
      pointer,
      keyword: `vex-${kind}`,
      message: `${JSON.stringify(v)} is not a ${kind} of ${FORMAT_NAMES[d.format]}: one of ${list.join(', ')}`,
    });
  };
  switch (d.format) {
    case 'openvex':
      arr(doc['statements']).forEach((s, i) => {
        if (!isObj(s)) return;
        term('status', VEX_STATUSES, s['status'], `/statements/${i}/status`);
        term(
          'justification',
          VEX_JUSTIFICATIONS,
          s['justification'],
          `/statements/${i}/justification`,
        );
      });
      break;
    case 'cyclonedx':
      arr(doc['vulnerabilities']).forEach((v, i) => {
        if (!isObj(v)) return;
        const a = v['analysis'];
        if (isObj(a)) {
          term('status', CDX_STATES, a['state'], `/vulnerabilities/${i}/analysis/state`);
          term(
            'justification',
            CDX_JUSTIFICATIONS,
            a['justification'],
            `/vulnerabilities/${i}/analysis/justification`,
          );
          arr(a['response']).forEach((r, k) => {
            term('response', VEX_RESPONSES, r, `/vulnerabilities/${i}/analysis/response/${k}`);
          });
        }
        arr(v['affects']).forEach((af, j) => {
          if (!isObj(af)) return;
          arr(af['versions']).forEach((ver, k) => {
            if (isObj(ver))
              term(
                'status',
                CDX_VERSION_STATUSES,
                ver['status'],
                `/vulnerabilities/${i}/affects/${j}/versions/${k}/status`,
              );
          });
        });
      });
      break;
    case 'csaf':
      arr(doc['vulnerabilities']).forEach((v, i) => {
        if (!isObj(v)) return;
        const ps = v['product_status'];
        if (isObj(ps))
          for (const k of Object.keys(ps))
            term('status', CSAF_STATUSES, k, `/vulnerabilities/${i}/product_status/${k}`);
        arr(v['flags']).forEach((f, k) => {
          if (isObj(f))
            term(
              'justification',
              CSAF_FLAG_LABELS,
              f['label'],
              `/vulnerabilities/${i}/flags/${k}/label`,
            );
        });
        arr(v['remediations']).forEach((r, k) => {
          if (isObj(r))
            term(
              'response',
              CSAF_REMEDIATIONS,
              r['category'],
              `/vulnerabilities/${i}/remediations/${k}/category`,
            );
        });
      });
      break;
  }
  return out;
}
