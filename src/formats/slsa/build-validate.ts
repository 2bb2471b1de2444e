import { ProvenanceBuildError } from './build-errors.js';

/*
 * The rules a produced statement must meet before it is signed, as in-toto's reference validators
 * state them (in-toto/attestation go/v1 statement.go, resource_descriptor.go and
 * go/predicates/provenance/v1/provenance.go), plus SLSA Provenance v1's field types
 * (provenance.proto: timestamps, string maps). Each problem names its JSON path, so a test can
 * tell which rule a vector breaks.
 */

/** in-toto Statement v1's `_type`. */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
/** SLSA Provenance v1's predicate type. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/**
 * Fixed-size algorithms the DigestSet spec names, with their sizes in bytes (resource_descriptor.go;
 * the git object ids may also be SHA-256, 32 bytes, per digest_set.md).
 */
export const DIGEST_SIZES: Readonly<Record<string, readonly number[]>> = {
  md5: [16],
  sha1: [20],
  sha224: [28],
  sha512_224: [28],
  sha256: [32],
  sha512_256: [32],
  sha384: [48],
  sha512: [64],
  sha3_224: [28],
  sha3_256: [32],
  sha3_384: [48],
  sha3_512: [64],
  gitCommit: [20, 32],
  gitTree: [20, 32],
  gitBlob: [20, 32],
  gitTag: [20, 32],
  dirHash: [32],
};

/**
 * Every way `value` breaks in-toto ResourceDescriptor v1 (at least one of name, uri, digest;
 * known digest algorithms in lower-case hex of their size; string fields strings).
 */
export function resourceDescriptorProblems(value: unknown, path: string): string[] {
  if (!isObject(value)) return [`${path}: not an object`];
  const out: string[] = unknownFields(value, RD_FIELDS, path);
  for (const k of ['name', 'uri', 'downloadLocation', 'mediaType', 'content'] as const) {
    if (value[k] !== undefined && typeof value[k] !== 'string')
      out.push(`${path}.${k}: not a string`);
  }
  const digest = value['digest'];
  if (digest !== undefined && !isObject(digest)) out.push(`${path}.digest: not an object`);
  const digests = isObject(digest) ? Object.entries(digest) : [];
  if (!nonEmpty(value['name']) && !nonEmpty(value['uri']) && digests.length === 0) {
    out.push(`${path}: needs at least one of name, uri or digest`);
  }
  for (const [alg, hex] of digests) {
    if (typeof hex !== 'string') {
      out.push(`${path}.digest.${alg}: not a string`);
      continue;
    }
    const sizes = DIGEST_SIZES[alg];
    if (sizes === undefined) continue; // custom algorithms are allowed as they are
    if (!/^(?:[0-9a-f]{2})*$/.test(hex)) {
      out.push(`${path}.digest.${alg}: not lower-case hex`);
    } else if (!sizes.includes(hex.length / 2)) {
      out.push(`${path}.digest.${alg}: ${hex.length / 2} bytes, not ${sizes.join(' or ')}`);
    }
  }
  return out;
}

/**
 * Every way `value` breaks in-toto Statement v1's rules (subjects need a digest). The reference
 * reader also takes the legacy `_type` v0.1 (`legacyType`); what Custody signs is always v1.
 */
export function statementProblems(value: unknown, o: { legacyType?: boolean } = {}): string[] {
  if (!isObject(value)) return ['statement: not a JSON object'];
  const out: string[] = [];
  const legacy = o.legacyType === true && value['_type'] === IN_TOTO_STATEMENT_V01;
  if (value['_type'] !== IN_TOTO_STATEMENT_V1 && !legacy) {
    out.push(`_type: not ${IN_TOTO_STATEMENT_V1}`);
  }
  const subject = value['subject'];
  if (!Array.isArray(subject) || subject.length === 0) {
    out.push('subject: needs at least one subject');
  } else {
    subject.forEach((s, i) => {
      out.push(...resourceDescriptorProblems(s, `subject[${i}]`));
      if (isObject(s) && (!isObject(s['digest']) || Object.keys(s['digest']).length === 0)) {
        out.push(`subject[${i}].digest: a subject needs a digest`);
      }
    });
  }
  if (!nonEmpty(value['predicateType'])) out.push('predicateType: required');
  if (!isObject(value['predicate'])) out.push('predicate: required (an object)');
  return out;
}

/** Every way `value` breaks SLSA Provenance v1's required fields and field types. */
export function provenancePredicateProblems(value: unknown, at = 'predicate'): string[] {
  if (!isObject(value)) return [`${at}: not an object`];
  const out: string[] = unknownFields(value, ['buildDefinition', 'runDetails'], at);
  const bd = value['buildDefinition'];
  if (!isObject(bd) || Object.keys(bd).length === 0) {
    out.push(`${at}.buildDefinition: required`);
  } else {
    const p = `${at}.buildDefinition`;
    out.push(...unknownFields(bd, BUILD_DEFINITION_FIELDS, p));
    if (!nonEmpty(bd['buildType'])) out.push(`${p}.buildType: required`);
    if (!isObject(bd['externalParameters']))
      out.push(`${p}.externalParameters: required (an object)`);
    if (bd['internalParameters'] !== undefined && !isObject(bd['internalParameters'])) {
      out.push(`${p}.internalParameters: not an object`);
    }
    out.push(...descriptors(bd['resolvedDependencies'], `${p}.resolvedDependencies`));
  }
  const rd = value['runDetails'];
  if (!isObject(rd) || Object.keys(rd).length === 0) {
    out.push(`${at}.runDetails: required`);
  } else {
    const p = `${at}.runDetails`;
    out.push(...unknownFields(rd, ['builder', 'metadata', 'byproducts'], p));
    const builder = rd['builder'];
    if (!isObject(builder) || Object.keys(builder).length === 0) {
      out.push(`${p}.builder: required`);
    } else {
      out.push(...unknownFields(builder, ['id', 'builderDependencies', 'version'], `${p}.builder`));
      if (!nonEmpty(builder['id'])) out.push(`${p}.builder.id: required`);
      out.push(...stringMap(builder['version'], `${p}.builder.version`));
      out.push(...descriptors(builder['builderDependencies'], `${p}.builder.builderDependencies`));
    }
    const md = rd['metadata'];
    if (md !== undefined) {
      if (!isObject(md)) out.push(`${p}.metadata: not an object`);
      else {
        out.push(
          ...unknownFields(md, ['invocationId', 'startedOn', 'finishedOn'], `${p}.metadata`),
        );
        if (md['invocationId'] !== undefined && typeof md['invocationId'] !== 'string') {
          out.push(`${p}.metadata.invocationId: not a string`);
        }
        for (const k of ['startedOn', 'finishedOn'] as const) {
          if (md[k] !== undefined && !isTimestamp(md[k])) {
            out.push(`${p}.metadata.${k}: not an RFC 3339 UTC timestamp (…T…Z)`);
          }
        }
      }
    }
    out.push(...descriptors(rd['byproducts'], `${p}.byproducts`));
  }
  return out;
}

/**
 * A statement with a SLSA Provenance v1 predicate, checked before it is signed.
 * @throws ProvenanceBuildError PROVENANCE_STATEMENT_INVALID listing every problem
 */
export function assertProvenanceStatement(value: unknown): void {
  const problems = statementProblems(value);
  if (isObject(value)) {
    if (value['predicateType'] !== SLSA_PROVENANCE_V1) {
      problems.push(`predicateType: not ${SLSA_PROVENANCE_V1}`);
    }
    if (isObject(value['predicate']))
      problems.push(...provenancePredicateProblems(value['predicate']));
  }
  if (problems.length > 0) {
    throw new ProvenanceBuildError(
      'PROVENANCE_STATEMENT_INVALID',
      `the provenance statement is not valid SLSA Provenance v1: ${problems.join('; ')}; check the flags that set these fields`,
      { details: { problems } },
    );
  }
}

/** protobuf's Timestamp in JSON: RFC 3339 in UTC with a `Z`, optional fractional seconds. */
export function isTimestamp(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/.test(v)) return false;
  return !Number.isNaN(Date.parse(v));
}

// provenance.proto and resource_descriptor.proto: protobuf JSON readers (in-toto's Go and the
// runners' own) refuse fields the messages do not have.
const RD_FIELDS = [
  'name',
  'uri',
  'digest',
  'content',
  'downloadLocation',
  'mediaType',
  'annotations',
];
const BUILD_DEFINITION_FIELDS = [
  'buildType',
  'externalParameters',
  'internalParameters',
  'resolvedDependencies',
];

function unknownFields(
  o: Record<string, unknown>,
  known: readonly string[],
  path: string,
): string[] {
  return Object.keys(o)
    .filter((k) => !known.includes(k))
    .map((k) => `${path}.${k}: not a field of ${path.replace(/\[\d+\]/g, '[]')}`);
}

function descriptors(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return [`${path}: not an array`];
  return v.flatMap((d, i) => resourceDescriptorProblems(d, `${path}[${i}]`));
}

function stringMap(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  if (!isObject(v)) return [`${path}: not an object`];
  return Object.entries(v)
    .filter(([, x]) => typeof x !== 'string')
    .map(([k]) => `${path}.${k}: not a string`);
}

function nonEmpty(v: unknown): boolean {
  return typeof v === 'string' && v !== '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
