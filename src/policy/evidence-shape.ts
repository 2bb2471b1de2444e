import { PolicyError } from './errors.js';
import { EVIDENCE_SCHEMA, type Evidence } from './evidence.js';

/**
 * The evidence document's shape, as data: `parseEvidence` checks an untrusted document against it
 * (a local `--evidence` file, an admission request's), and the CEL conversion reads from it which
 * numbers are doubles (CEL keeps int and double apart: `ratio` is a double even when it is 1).
 */
export type Shape =
  | 'string'
  | 'string?'
  | 'int'
  | 'double'
  | 'bool'
  | 'bool?'
  | 'json'
  | { list: Shape; max: number }
  | { fields: Record<string, Shape> }
  | { oneOf: readonly string[] };

/** Longest string anywhere in the document; lists have their own caps below. */
export const MAX_EVIDENCE_STRING = 4096;
const MAX_JSON_DEPTH = 8;
const MAX_JSON_NODES = 2000;

const COUNTS = {
  fields: { critical: 'int', high: 'int', medium: 'int', low: 'int', unknown: 'int' },
} as const;

export const EVIDENCE_SHAPE: Shape = {
  fields: {
    schema: { oneOf: [EVIDENCE_SCHEMA] },
    artifact: {
      fields: {
        digest: 'string',
        name: 'string?',
        product: 'string?',
        release: 'string?',
        team: 'string?',
        ticket: 'string?',
        supplier: 'bool',
      },
    },
    signatures: {
      max: 64,
      list: {
        fields: {
          kind: { oneOf: ['sigstore', 'cosign', 'notation', 'key'] },
          identity: 'string?',
          issuer: 'string?',
          keyHint: 'string?',
          emergency: 'bool',
          logged: 'bool',
          verifiedAt: 'string',
        },
      },
    },
    provenance: {
      max: 16,
      list: {
        fields: {
          predicateType: 'string',
          builderId: 'string',
          buildType: 'string',
          source: { fields: { uri: 'string?', digest: 'string?', ref: 'string?' } },
          externalParameters: 'json',
          resolvedDependencies: { fields: { total: 'int', pinned: 'int', ratio: 'double' } },
          signer: { fields: { identity: 'string?', issuer: 'string?', key: 'string?' } },
          level: 'int',
        },
      },
    },
    slsa: { fields: { level: 'int', reproducible: 'bool?' } },
    sbom: {
      fields: {
        present: 'bool',
        signed: 'bool',
        signers: {
          max: 64,
          list: {
            fields: {
              kind: { oneOf: ['identity', 'key'] },
              identity: 'string?',
              issuer: 'string?',
              keyHint: 'string?',
            },
          },
        },
        subjectMatchesArtifact: 'bool',
        format: 'string?',
        quality: {
          fields: {
            score: 'double',
            grade: 'string?',
            failures: { list: 'string', max: 64 },
          },
        },
        components: 'int',
        licenses: { list: 'string', max: 10_000 },
        noAssertion: 'int',
      },
    },
    vulnerabilities: { fields: { open: COUNTS, kev: 'int', fixable: 'int' } },
    vex: {
      fields: {
        statements: {
          fields: {
            not_affected: 'int',
            affected: 'int',
            fixed: 'int',
            under_investigation: 'int',
          },
        },
        unanswered: { fields: { critical: 'int', high: 'int' } },
      },
    },
    commit: { fields: { signed: 'bool', identity: 'string?', issuer: 'string?' } },
  },
};

/**
 * Check an untrusted evidence document: every field present with its type, no others, lists and
 * strings within their caps. Collects every problem.
 * @throws PolicyError POLICY_EVIDENCE_INVALID
 */
export function parseEvidence(value: unknown, what: string): Evidence {
  const problems: string[] = [];
  checkShape(value, EVIDENCE_SHAPE, '', problems, { nodes: 0 });
  if (problems.length > 0) {
    throw new PolicyError(
      'POLICY_EVIDENCE_INVALID',
      `${what} is not an evidence document (${EVIDENCE_SCHEMA}): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}; print one with \`custody policy show-evidence\``,
      { details: { what, problems: problems.slice(0, 50) } },
    );
  }
  return value as Evidence;
}

function checkShape(
  v: unknown,
  shape: Shape,
  path: string,
  problems: string[],
  budget: { nodes: number },
): void {
  if (problems.length > 50) return;
  const at = path === '' ? 'the document' : path;
  if (typeof shape === 'string') {
    checkScalar(v, shape, at, problems, budget);
    return;
  }
  if ('oneOf' in shape) {
    if (typeof v !== 'string' || !shape.oneOf.includes(v))
      problems.push(`${at}: one of ${shape.oneOf.join(', ')}`);
    return;
  }
  if ('list' in shape) {
    if (!Array.isArray(v)) return void problems.push(`${at}: a list`);
    if (v.length > shape.max) return void problems.push(`${at}: at most ${shape.max} entries`);
    v.forEach((e, i) => {
      checkShape(e, shape.list, `${path}[${i}]`, problems, budget);
    });
    return;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return void problems.push(`${at}: an object`);
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj))
    if (!Object.hasOwn(shape.fields, k))
      problems.push(`${path}.${k}: not a field`.replace(/^\./, ''));
  for (const [k, s] of Object.entries(shape.fields)) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!Object.hasOwn(obj, k)) problems.push(`${p}: missing`);
    else checkShape(obj[k], s, p, problems, budget);
  }
}

function checkScalar(
  v: unknown,
  shape: Extract<Shape, string>,
  at: string,
  problems: string[],
  budget: { nodes: number },
): void {
  switch (shape) {
    case 'string?':
      if (v !== null) checkScalar(v, 'string', at, problems, budget);
      return;
    case 'string':
      if (typeof v !== 'string') return void problems.push(`${at}: a string`);
      if (v.length > MAX_EVIDENCE_STRING)
        problems.push(`${at}: at most ${MAX_EVIDENCE_STRING} characters`);
      return;
    case 'bool?':
      if (v !== null) checkScalar(v, 'bool', at, problems, budget);
      return;
    case 'bool':
      if (typeof v !== 'boolean') problems.push(`${at}: true or false`);
      return;
    case 'int':
      if (!Number.isSafeInteger(v) || (v as number) < 0) problems.push(`${at}: a whole number ≥ 0`);
      return;
    case 'double':
      if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${at}: a number`);
      return;
    case 'json':
      if (!jsonWithin(v, 0, budget)) {
        problems.push(`${at}: JSON within ${MAX_JSON_DEPTH} levels and ${MAX_JSON_NODES} values`);
      }
      return;
    default: {
      const never: never = shape;
      throw new Error(`unknown shape ${String(never)}`);
    }
  }
}

/** Free-form JSON (a predicate's external parameters, a policy's params) stays small and shallow. */
export function isSmallJson(v: unknown): boolean {
  return jsonWithin(v, 0, { nodes: 0 });
}

// Free-form JSON (a predicate's external parameters) stays small and shallow.
function jsonWithin(v: unknown, depth: number, budget: { nodes: number }): boolean {
  if (++budget.nodes > MAX_JSON_NODES || depth > MAX_JSON_DEPTH) return false;
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return v.length <= MAX_EVIDENCE_STRING;
  if (Array.isArray(v)) return v.every((e) => jsonWithin(e, depth + 1, budget));
  if (typeof v === 'object')
    return Object.entries(v).every(
      ([k, e]) => k.length <= MAX_EVIDENCE_STRING && jsonWithin(e, depth + 1, budget),
    );
  return false;
}
