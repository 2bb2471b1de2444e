import { createHash } from 'node:crypto';
import { CustodyError, parseJson } from '../core/index.js';
import { SignError } from './errors.js';

/** in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md). */
export const STATEMENT_V1_TYPE = 'https://in-toto.io/Statement/v1';
/** The DSSE payloadType of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Short names for predicate types, as cosign's `--type` takes them. */
export const PREDICATE_TYPE_ALIASES = {
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  cyclonedx: 'https://cyclonedx.org/bom',
  spdx: 'https://spdx.dev/Document',
  openvex: 'https://openvex.dev/ns',
} as const;
export type PredicateTypeAlias = keyof typeof PREDICATE_TYPE_ALIASES;

/** A ResourceDescriptor as a statement's subject: a name and at least one digest. */
export interface Subject {
  name?: string;
  digest: Record<string, string>;
}

export interface Statement {
  _type: typeof STATEMENT_V1_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

const PREDICATE_LIMITS = { maxBytes: 64 * 1024 * 1024, maxDepth: 256 };

/**
 * An alias (`slsaprovenance1`, `cyclonedx`, `spdx`, `openvex`) or an absolute URI, as the URI.
 * @throws SignError SIGN_STATEMENT_INVALID for anything else
 */
export function resolvePredicateType(s: string): string {
  const alias = PREDICATE_TYPE_ALIASES[s as PredicateTypeAlias];
  if (alias !== undefined) return alias;
  if (isAbsoluteUri(s)) return s;
  throw new SignError(
    'SIGN_STATEMENT_INVALID',
    `predicate type "${s}" is neither an alias (${Object.keys(PREDICATE_TYPE_ALIASES).join(', ')}) ` +
      'nor an absolute URI such as https://example.com/my-predicate/v1',
    { details: { predicateType: s } },
  );
}

/** A subject from the artifact's bytes (SHA-256). */
export function subjectFromBytes(name: string, data: Uint8Array): Subject {
  return { name, digest: { sha256: createHash('sha256').update(data).digest('hex') } };
}

/**
 * A subject from `sha256:<hex>` (the way OCI and `custody attest sha256:…` write digests).
 * @throws SignError SIGN_STATEMENT_INVALID when it is not 64 hex digits of SHA-256
 */
export function subjectFromDigest(digest: string, name?: string): Subject {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(digest);
  if (!m) {
    throw new SignError(
      'SIGN_STATEMENT_INVALID',
      `subject digest "${digest}" is not sha256:<64 hex digits>`,
      { details: { digest } },
    );
  }
  return {
    ...(name !== undefined ? { name } : {}),
    digest: { sha256: (m[1] as string).toLowerCase() },
  };
}

/**
 * Parse a predicate file: a JSON object. Untrusted input.
 * @throws SignError SIGN_STATEMENT_INVALID when it is not JSON or not an object
 */
export function parsePredicate(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(bytes, what, PREDICATE_LIMITS);
  } catch (cause) {
    if (!(cause instanceof CustodyError)) throw cause;
    throw new SignError('SIGN_STATEMENT_INVALID', `${what}: ${cause.message}`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SignError(
      'SIGN_STATEMENT_INVALID',
      `${what}: a predicate must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * An in-toto Statement v1.
 * @throws SignError SIGN_STATEMENT_INVALID without subjects or with a bad predicate type
 */
export function buildStatement(o: {
  subjects: readonly Subject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}): Statement {
  if (o.subjects.length === 0) {
    throw new SignError('SIGN_STATEMENT_INVALID', 'a statement needs at least one subject');
  }
  return {
    _type: STATEMENT_V1_TYPE,
    subject: o.subjects.map((s) => ({ ...s, digest: { ...s.digest } })),
    predicateType: resolvePredicateType(o.predicateType),
    predicate: o.predicate,
  };
}

/** The bytes that are signed: compact JSON, written once and never re-serialized. */
export function statementToBytes(s: Statement): Uint8Array {
  return Buffer.from(JSON.stringify(s), 'utf8');
}

/**
 * Parse a DSSE payload as an in-toto Statement v1. Untrusted input.
 * @throws SignError SIGN_STATEMENT_INVALID when it is not one
 */
export function parseStatement(payload: Uint8Array): Statement {
  let value: unknown;
  try {
    value = parseJson(payload, 'the DSSE payload', PREDICATE_LIMITS);
  } catch (cause) {
    if (!(cause instanceof CustodyError)) throw cause;
    throw new SignError('SIGN_STATEMENT_INVALID', cause.message, { cause });
  }
  const problems: string[] = [];
  const v = value as Partial<Record<keyof Statement, unknown>> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push('the payload is not a JSON object');
  } else {
    if (v._type !== STATEMENT_V1_TYPE) problems.push(`_type is not ${STATEMENT_V1_TYPE}`);
    if (typeof v.predicateType !== 'string') problems.push('predicateType is not a string');
    if (!Array.isArray(v.subject) || v.subject.length === 0) {
      problems.push('subject is not a non-empty array');
    } else {
      v.subject.forEach((s: unknown, i) => {
        const d = (s as { digest?: unknown } | null)?.digest;
        if (
          typeof d !== 'object' ||
          d === null ||
          Object.values(d).some((x) => typeof x !== 'string')
        ) {
          problems.push(`subject[${i}].digest is not an object of strings`);
        }
      });
    }
  }
  if (problems.length > 0) {
    throw new SignError(
      'SIGN_STATEMENT_INVALID',
      `not an in-toto Statement v1: ${problems.join('; ')}`,
      { details: { problems } },
    );
  }
  return value as Statement;
}

// RFC 3986 scheme followed by something; `new URL` alone would also accept "a:" style strings.
function isAbsoluteUri(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * An attestation is about what was asked: its predicate type is `predicateType` (alias or URI) and
 * one of its subjects has the SHA-256 `sha256` (hex), when given.
 * @throws SignError SIGN_ATTESTATION_MISMATCH naming what was found; SIGN_STATEMENT_INVALID for a
 *   predicate type that is neither alias nor URI
 */
export function assertAttestation(
  statement: Statement,
  expected: { predicateType?: string; sha256?: string },
): void {
  if (expected.predicateType !== undefined) {
    const want = resolvePredicateType(expected.predicateType);
    if (statement.predicateType !== want) {
      throw new SignError(
        'SIGN_ATTESTATION_MISMATCH',
        `the attestation's predicate type is ${statement.predicateType}, not ${want}`,
        { details: { expected: want, found: statement.predicateType } },
      );
    }
  }
  if (expected.sha256 !== undefined) {
    const want = expected.sha256.toLowerCase();
    const found = statement.subject.map((s) => s.digest['sha256']);
    if (!found.some((d) => d?.toLowerCase() === want)) {
      throw new SignError(
        'SIGN_ATTESTATION_MISMATCH',
        `no subject of the attestation has sha256:${want}`,
        { details: { expected: want, found: found.filter((d) => d !== undefined) } },
      );
    }
  }
}
