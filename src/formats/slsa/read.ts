import { CustodyError, decodeUtf8, parseJson } from '../../core/index.js';
import {
  DEFAULT_SLSA_LIMITS,
  type DigestSet,
  type DsseEnvelope,
  type DsseSignature,
  IN_TOTO_PAYLOAD_TYPE,
  type InTotoStatement,
  type ProvenanceSource,
  type ProvenanceV1,
  type ProvenanceV01,
  type ProvenanceV02,
  type ProvenanceView,
  type ResourceDescriptor,
  SLSA_PROVENANCE_V1,
  SLSA_PROVENANCE_V1_DRAFT,
  SLSA_PROVENANCE_V01,
  SLSA_PROVENANCE_V02,
  SLSA_VSA_V1,
  SlsaError,
  type SlsaLimits,
  type SlsaPredicate,
  STATEMENT_V1_TYPE,
  STATEMENT_V01_TYPE,
  type StatementSubject,
  type VerificationSummaryV1,
} from './types.js';

type Obj = Record<string, unknown>;

/** Hex lengths of the digest algorithms in-toto's digest_set.md names; others are taken as given. */
const HEX_LENGTHS: Readonly<Record<string, readonly number[]>> = {
  sha1: [40],
  sha224: [56],
  sha256: [64],
  sha384: [96],
  sha512: [128],
  sha512_224: [56],
  sha512_256: [64],
  sha3_224: [56],
  sha3_256: [64],
  sha3_384: [96],
  sha3_512: [128],
  md5: [32],
  gitCommit: [40, 64],
  gitTree: [40, 64],
  gitBlob: [40, 64],
  dirHash: [64],
};

/**
 * JSON bytes (or a value already parsed) within the limits.
 * @throws SlsaError SLSA_PARSE, SLSA_TOO_LARGE, SLSA_TOO_DEEP
 */
function jsonValue(
  input: Uint8Array | string | unknown,
  what: string,
  limits: SlsaLimits,
): unknown {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      const value = parseJson(input, what, {
        maxBytes: limits.maxBytes,
        maxDepth: limits.maxDepth,
      });
      assertLimits(value, what, limits);
      return value;
    } catch (cause) {
      if (cause instanceof SlsaError || !(cause instanceof CustodyError)) throw cause;
      const code =
        cause.code === 'INPUT_TOO_LARGE'
          ? 'SLSA_TOO_LARGE'
          : cause.code === 'INPUT_TOO_DEEP'
            ? 'SLSA_TOO_DEEP'
            : 'SLSA_PARSE';
      throw new SlsaError(code, cause.message, { cause, details: { ...cause.details } });
    }
  }
  assertLimits(input, what, limits);
  return input;
}

/**
 * Walk a parsed value once, iteratively (a hostile value cannot overflow the stack).
 * @throws SlsaError SLSA_TOO_DEEP, SLSA_TOO_LARGE
 */
function assertLimits(value: unknown, what: string, limits: SlsaLimits): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) tooLarge(what, 'a string', limits.maxStringLength);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth) {
      throw new SlsaError(
        'SLSA_TOO_DEEP',
        `${what} nests deeper than ${limits.maxDepth} levels; it is not an attestation Custody accepts`,
        { details: { what, limit: limits.maxDepth } },
      );
    }
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) tooLarge(what, 'an array', limits.maxArrayLength);
      for (const x of v) stack.push([x, depth + 1]);
    } else {
      for (const x of Object.values(v)) stack.push([x, depth + 1]);
    }
  }
}

function tooLarge(what: string, kind: string, limit: number): never {
  throw new SlsaError('SLSA_TOO_LARGE', `${what}: ${kind} is longer than ${limit}`, {
    details: { what, limit },
  });
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** DSSE allows standard or URL-safe base64 (the protocol says either may be produced). */
function base64(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !(BASE64.test(s) || BASE64URL.test(s))) {
    throw new SlsaError('SLSA_ENVELOPE_INVALID', `${what} is not base64`, { details: { what } });
  }
  return new Uint8Array(Buffer.from(s, BASE64.test(s) ? 'base64' : 'base64url'));
}

/**
 * A DSSE envelope (https://github.com/secure-systems-lab/dsse/blob/v1.0.0/envelope.md), as bytes or
 * as a parsed JSON value. A `.intoto.jsonl` file holds one envelope per line: pass one line.
 * Signatures may carry a PEM `cert` (the legacy slsa-github-generator envelopes do).
 * @throws SlsaError SLSA_PARSE, SLSA_ENVELOPE_INVALID, SLSA_TOO_LARGE, SLSA_TOO_DEEP
 */
export function parseDsseEnvelope(
  input: Uint8Array | string | unknown,
  what = 'DSSE envelope',
  limits: SlsaLimits = DEFAULT_SLSA_LIMITS,
): DsseEnvelope {
  const v = jsonValue(input, what, limits);
  if (!isObj(v)) throw new SlsaError('SLSA_PARSE', `${what} is not a JSON object`);
  if (typeof v['payloadType'] !== 'string' || v['payloadType'] === '') {
    throw new SlsaError('SLSA_ENVELOPE_INVALID', `${what}: payloadType must be a non-empty string`);
  }
  if (typeof v['payload'] !== 'string') {
    throw new SlsaError('SLSA_ENVELOPE_INVALID', `${what}: payload must be a base64 string`);
  }
  if (!Array.isArray(v['signatures'])) {
    throw new SlsaError('SLSA_ENVELOPE_INVALID', `${what}: signatures must be an array`);
  }
  const signatures: DsseSignature[] = v['signatures'].map((s, i) => {
    if (!isObj(s)) {
      throw new SlsaError('SLSA_ENVELOPE_INVALID', `${what}: signatures[${i}] is not an object`);
    }
    if (s['keyid'] !== undefined && typeof s['keyid'] !== 'string') {
      throw new SlsaError(
        'SLSA_ENVELOPE_INVALID',
        `${what}: signatures[${i}].keyid is not a string`,
      );
    }
    if (s['cert'] !== undefined && s['cert'] !== null && typeof s['cert'] !== 'string') {
      throw new SlsaError(
        'SLSA_ENVELOPE_INVALID',
        `${what}: signatures[${i}].cert is not a string`,
      );
    }
    return {
      ...(typeof s['keyid'] === 'string' ? { keyid: s['keyid'] } : {}),
      sig: base64(s['sig'], `${what}: signatures[${i}].sig`),
      ...(typeof s['cert'] === 'string' && s['cert'] !== '' ? { cert: s['cert'] } : {}),
    };
  });
  return {
    payloadType: v['payloadType'],
    payload: base64(v['payload'], `${what}: payload`),
    signatures,
  };
}

/**
 * The in-toto statement an envelope carries: payloadType must be `application/vnd.in-toto+json`.
 * @throws SlsaError SLSA_ENVELOPE_INVALID, SLSA_PARSE, SLSA_STATEMENT_INVALID, SLSA_TOO_*
 */
export function statementOfEnvelope(
  envelope: Pick<DsseEnvelope, 'payloadType' | 'payload'>,
  limits: SlsaLimits = DEFAULT_SLSA_LIMITS,
): InTotoStatement {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new SlsaError(
      'SLSA_ENVELOPE_INVALID',
      `the envelope's payloadType is "${envelope.payloadType}", not ${IN_TOTO_PAYLOAD_TYPE}: it does not carry an in-toto statement`,
      { details: { payloadType: envelope.payloadType } },
    );
  }
  return parseStatement(envelope.payload, 'the envelope payload', limits);
}

/**
 * An in-toto Statement v0.1 or v1 (bytes or a parsed value).
 * @throws SlsaError SLSA_PARSE, SLSA_STATEMENT_INVALID, SLSA_TOO_LARGE, SLSA_TOO_DEEP
 */
export function parseStatement(
  input: Uint8Array | string | unknown,
  what = 'statement',
  limits: SlsaLimits = DEFAULT_SLSA_LIMITS,
): InTotoStatement {
  const v = jsonValue(input, what, limits);
  if (!isObj(v)) throw new SlsaError('SLSA_PARSE', `${what} is not a JSON object`);
  const bad = (msg: string): never => {
    throw new SlsaError('SLSA_STATEMENT_INVALID', `${what}: ${msg}`);
  };
  if (v['_type'] !== STATEMENT_V01_TYPE && v['_type'] !== STATEMENT_V1_TYPE) {
    bad(
      `_type must be ${STATEMENT_V1_TYPE} or ${STATEMENT_V01_TYPE}, got ${JSON.stringify(v['_type'])}`,
    );
  }
  if (!Array.isArray(v['subject']) || v['subject'].length === 0) {
    bad('subject must be a non-empty array');
  }
  const subjects = v['subject'] as unknown[];
  if (subjects.length > limits.maxSubjects) tooLarge(what, 'the subject list', limits.maxSubjects);
  const subject = subjects.map((s, i): StatementSubject => {
    if (!isObj(s)) return bad(`subject[${i}] is not an object`);
    if (s['name'] !== undefined && typeof s['name'] !== 'string')
      bad(`subject[${i}].name is not a string`);
    const digest = digestSet(s['digest'], `subject[${i}].digest`, bad);
    if (Object.keys(digest).length === 0) bad(`subject[${i}].digest is empty`);
    return { ...(typeof s['name'] === 'string' ? { name: s['name'] } : {}), digest };
  });
  if (typeof v['predicateType'] !== 'string' || v['predicateType'] === '') {
    bad('predicateType must be a non-empty string (a TypeURI)');
  }
  if (v['predicate'] !== undefined && !isObj(v['predicate'])) bad('predicate must be an object');
  return {
    _type: v['_type'] as InTotoStatement['_type'],
    subject,
    predicateType: v['predicateType'] as string,
    predicate: (v['predicate'] as Obj | undefined) ?? {},
  };
}

function digestSet(v: unknown, where: string, bad: (msg: string) => never): DigestSet {
  if (!isObj(v)) return bad(`${where} must be an object of algorithm → digest`);
  const out: DigestSet = {};
  for (const [alg, value] of Object.entries(v)) {
    if (typeof value !== 'string' || value === '')
      bad(`${where}.${alg} must be a non-empty string`);
    const lengths = HEX_LENGTHS[alg];
    const s = value as string;
    if (lengths !== undefined && !(lengths.includes(s.length) && /^[0-9a-fA-F]+$/.test(s))) {
      bad(`${where}.${alg} is not ${lengths.join(' or ')} hex digits`);
    }
    out[alg] = lengths !== undefined ? s.toLowerCase() : s;
  }
  return out;
}

function predicateError(type: string, msg: string): never {
  throw new SlsaError('SLSA_PREDICATE_INVALID', `${type} predicate: ${msg}`, {
    details: { predicateType: type },
  });
}

function str(o: Obj, key: string, type: string, where: string, required: true): string;
function str(
  o: Obj,
  key: string,
  type: string,
  where: string,
  required?: false,
): string | undefined;
function str(o: Obj, key: string, type: string, where: string, required = false) {
  const v = o[key];
  if (v === undefined || (v === null && !required)) {
    if (required) predicateError(type, `${where}${key} is required`);
    return undefined;
  }
  if (typeof v !== 'string') predicateError(type, `${where}${key} must be a string`);
  if (required && v === '') predicateError(type, `${where}${key} must not be empty`);
  return v;
}

function obj(o: Obj, key: string, type: string, where: string, required: true): Obj;
function obj(o: Obj, key: string, type: string, where: string, required?: false): Obj | undefined;
function obj(o: Obj, key: string, type: string, where: string, required = false) {
  const v = o[key];
  if (v === undefined || (v === null && !required)) {
    if (required) predicateError(type, `${where}${key} is required`);
    return undefined;
  }
  if (!isObj(v)) predicateError(type, `${where}${key} must be an object`);
  return v;
}

function descriptors(o: Obj, key: string, type: string, where: string): ResourceDescriptor[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) predicateError(type, `${where}${key} must be an array`);
  return (v as unknown[]).map((d, i) => {
    const at = `${where}${key}[${i}]`;
    if (!isObj(d)) predicateError(type, `${at} must be an object`);
    const out: ResourceDescriptor = {};
    for (const k of ['uri', 'name', 'downloadLocation', 'mediaType', 'content'] as const) {
      const s = str(d, k, type, `${at}.`);
      if (s !== undefined) out[k] = s;
    }
    if (d['digest'] !== undefined && d['digest'] !== null) {
      out.digest = digestSet(d['digest'], `${at}.digest`, (m) => predicateError(type, m));
    }
    const annotations = obj(d, 'annotations', type, `${at}.`);
    if (annotations !== undefined) out.annotations = annotations;
    return out;
  });
}

function metadataV0(p: Obj, type: string): ProvenanceV02['metadata'] {
  const m = obj(p, 'metadata', type, '');
  if (m === undefined) return undefined;
  const out: NonNullable<ProvenanceV02['metadata']> = {};
  for (const k of ['buildInvocationId', 'buildStartedOn', 'buildFinishedOn'] as const) {
    const s = str(m, k, type, 'metadata.');
    if (s !== undefined) out[k] = s;
  }
  const completeness = obj(m, 'completeness', type, 'metadata.');
  if (completeness !== undefined) out.completeness = completeness as Record<string, boolean>;
  if (typeof m['reproducible'] === 'boolean') out.reproducible = m['reproducible'];
  return out;
}

function builderId(p: Obj, type: string, where: string): string {
  const b = obj(p, 'builder', type, where, true);
  return str(b, 'id', type, `${where}builder.`, true);
}

/**
 * SLSA provenance v0.1, v0.2 or v1 from a statement, checked against its spec's required fields.
 * @throws SlsaError SLSA_PREDICATE_UNSUPPORTED, SLSA_PREDICATE_INVALID
 */
export function parseSlsaProvenance(statement: InTotoStatement): SlsaPredicate {
  const type = statement.predicateType;
  const p = statement.predicate;
  if (type === SLSA_PROVENANCE_V1 || type === SLSA_PROVENANCE_V1_DRAFT)
    return {
      predicateType: type as typeof SLSA_PROVENANCE_V1,
      version: '1',
      predicate: v1(p),
    };
  if (type === SLSA_PROVENANCE_V02) {
    const invocation = obj(p, 'invocation', type, '');
    const configSource = invocation && obj(invocation, 'configSource', type, 'invocation.');
    const predicate: ProvenanceV02 = {
      builder: { id: builderId(p, type, '') },
      buildType: str(p, 'buildType', type, '', true),
      ...(invocation !== undefined
        ? {
            invocation: {
              ...(configSource !== undefined
                ? {
                    configSource: {
                      ...optional(
                        'uri',
                        str(configSource, 'uri', type, 'invocation.configSource.'),
                      ),
                      ...(configSource['digest'] !== undefined
                        ? {
                            digest: digestSet(
                              configSource['digest'],
                              'invocation.configSource.digest',
                              (m) => predicateError(type, m),
                            ),
                          }
                        : {}),
                      ...optional(
                        'entryPoint',
                        str(configSource, 'entryPoint', type, 'invocation.configSource.'),
                      ),
                    },
                  }
                : {}),
              ...(invocation['parameters'] !== undefined
                ? { parameters: invocation['parameters'] }
                : {}),
              ...(invocation['environment'] !== undefined
                ? { environment: invocation['environment'] }
                : {}),
            },
          }
        : {}),
      ...(p['buildConfig'] !== undefined ? { buildConfig: p['buildConfig'] } : {}),
      ...optional('metadata', metadataV0(p, type)),
      materials: descriptors(p, 'materials', type, ''),
    };
    return { predicateType: type, version: '0.2', predicate };
  }
  if (type === SLSA_PROVENANCE_V01) {
    const recipe = obj(p, 'recipe', type, '');
    const predicate: ProvenanceV01 = {
      builder: { id: builderId(p, type, '') },
      ...(recipe !== undefined
        ? {
            recipe: {
              type: str(recipe, 'type', type, 'recipe.', true),
              ...(typeof recipe['definedInMaterial'] === 'number'
                ? { definedInMaterial: recipe['definedInMaterial'] }
                : {}),
              ...optional('entryPoint', str(recipe, 'entryPoint', type, 'recipe.')),
              ...(recipe['arguments'] !== undefined ? { arguments: recipe['arguments'] } : {}),
              ...(recipe['environment'] !== undefined
                ? { environment: recipe['environment'] }
                : {}),
            },
          }
        : {}),
      ...optional('metadata', metadataV0(p, type)),
      materials: descriptors(p, 'materials', type, ''),
    };
    return { predicateType: type, version: '0.1', predicate };
  }
  throw new SlsaError(
    'SLSA_PREDICATE_UNSUPPORTED',
    `predicateType ${type} is not SLSA provenance (${SLSA_PROVENANCE_V1}, ${SLSA_PROVENANCE_V02} or ${SLSA_PROVENANCE_V01})`,
    { details: { predicateType: type } },
  );
}

function optional<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}

function v1(p: Obj): ProvenanceV1 {
  const type = SLSA_PROVENANCE_V1;
  const bd = obj(p, 'buildDefinition', type, '', true);
  const rd = obj(p, 'runDetails', type, '', true);
  const builder = obj(rd, 'builder', type, 'runDetails.', true);
  const version = obj(builder, 'version', type, 'runDetails.builder.');
  const meta = obj(rd, 'metadata', type, 'runDetails.');
  const metadata: NonNullable<ProvenanceV1['runDetails']['metadata']> = {};
  if (meta !== undefined) {
    for (const k of ['invocationId', 'startedOn', 'finishedOn'] as const) {
      const s = str(meta, k, type, 'runDetails.metadata.');
      if (s !== undefined) metadata[k] = s;
    }
  }
  const internal = obj(bd, 'internalParameters', type, 'buildDefinition.');
  const byproducts = descriptors(rd, 'byproducts', type, 'runDetails.');
  const builderDependencies = descriptors(
    builder,
    'builderDependencies',
    type,
    'runDetails.builder.',
  );
  return {
    buildDefinition: {
      buildType: str(bd, 'buildType', type, 'buildDefinition.', true),
      externalParameters: obj(bd, 'externalParameters', type, 'buildDefinition.', true),
      ...(internal !== undefined ? { internalParameters: internal } : {}),
      resolvedDependencies: descriptors(bd, 'resolvedDependencies', type, 'buildDefinition.'),
    },
    runDetails: {
      builder: {
        id: str(builder, 'id', type, 'runDetails.builder.', true),
        ...(version !== undefined ? { version: version as Record<string, string> } : {}),
        ...(builderDependencies.length > 0 ? { builderDependencies } : {}),
      },
      ...(meta !== undefined ? { metadata } : {}),
      ...(byproducts.length > 0 ? { byproducts } : {}),
    },
  };
}

/**
 * A Verification Summary Attestation v1 from a statement.
 * @throws SlsaError SLSA_PREDICATE_UNSUPPORTED, SLSA_PREDICATE_INVALID
 */
export function parseVerificationSummary(statement: InTotoStatement): VerificationSummaryV1 {
  const type = statement.predicateType;
  if (type !== SLSA_VSA_V1) {
    throw new SlsaError(
      'SLSA_PREDICATE_UNSUPPORTED',
      `predicateType ${type} is not a SLSA verification summary (${SLSA_VSA_V1})`,
      { details: { predicateType: type } },
    );
  }
  const p = statement.predicate;
  const verifier = obj(p, 'verifier', type, '', true);
  const policy = obj(p, 'policy', type, '', true);
  const result = str(p, 'verificationResult', type, '', true);
  if (result !== 'PASSED' && result !== 'FAILED') {
    predicateError(type, `verificationResult must be PASSED or FAILED, got ${result}`);
  }
  const levels = p['verifiedLevels'];
  if (!Array.isArray(levels) || !levels.every((l) => typeof l === 'string')) {
    predicateError(type, 'verifiedLevels must be an array of strings');
  }
  const version = obj(verifier, 'version', type, 'verifier.');
  const deps = obj(p, 'dependencyLevels', type, '');
  const policyUri = str(policy, 'uri', type, 'policy.');
  return {
    verifier: {
      id: str(verifier, 'id', type, 'verifier.', true),
      ...(version !== undefined ? { version: version as Record<string, string> } : {}),
    },
    ...optional('timeVerified', str(p, 'timeVerified', type, '')),
    resourceUri: str(p, 'resourceUri', type, '', true),
    policy: {
      ...optional('uri', policyUri),
      ...(policy['digest'] !== undefined
        ? { digest: digestSet(policy['digest'], 'policy.digest', (m) => predicateError(type, m)) }
        : {}),
    },
    inputAttestations: descriptors(p, 'inputAttestations', type, ''),
    verificationResult: result,
    verifiedLevels: levels as string[],
    ...(deps !== undefined ? { dependencyLevels: deps as Record<string, number> } : {}),
    ...optional('slsaVersion', str(p, 'slsaVersion', type, '')),
  };
}

/**
 * Split `git+https://github.com/o/r@refs/heads/main` into the URI and the ref. Only a ref (refs/…)
 * or a commit is taken after the last `@`, so an `@` in a path or in user info stays in the URI.
 */
export function splitSourceRef(uri: string): { uri: string; ref?: string } {
  const m = /^(.+?)@(refs\/[^@]+|[0-9a-f]{40}|[0-9a-f]{64})$/.exec(uri);
  return m ? { uri: m[1] as string, ref: m[2] as string } : { uri };
}

function sourceFrom(d: ResourceDescriptor | undefined, ref?: string): ProvenanceSource | undefined {
  if (d?.uri === undefined) return undefined;
  const split = splitSourceRef(d.uri);
  const r = split.ref ?? ref;
  return { uri: split.uri, digest: d.digest ?? {}, ...(r !== undefined ? { ref: r } : {}) };
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The source a v1 provenance names, by the conventions of the build types in use. */
function sourceV1(p: ProvenanceV1): ProvenanceSource | undefined {
  const ext = p.buildDefinition.externalParameters;
  const deps = p.buildDefinition.resolvedDependencies ?? [];
  const gitDep = deps.find((d) => d.uri?.startsWith('git+') === true);
  // GitHub's workflow build type (actions/attest, npm): externalParameters.workflow.
  const workflow = isObj(ext['workflow']) ? ext['workflow'] : undefined;
  if (workflow !== undefined && asString(workflow['repository']) !== undefined) {
    const ref = asString(workflow['ref']);
    const repo = workflow['repository'] as string;
    const matching = deps.find(
      (d) => d.uri !== undefined && splitSourceRef(d.uri).uri === `git+${repo}`,
    );
    const base = sourceFrom(matching ?? gitDep, ref);
    return base ?? { uri: repo, digest: {}, ...(ref !== undefined ? { ref } : {}) };
  }
  // The container-based builder: externalParameters.source.
  if (isObj(ext['source']) && asString(ext['source']['uri']) !== undefined) {
    const src = sourceFrom(ext['source'] as ResourceDescriptor);
    // A source named without its digest: the resolved dependency with the same URI has it.
    const dep = deps.find((d) => d.uri === (ext['source'] as Obj)['uri']);
    if (src !== undefined && Object.keys(src.digest).length === 0 && dep?.digest !== undefined) {
      return { ...src, digest: dep.digest };
    }
    return src;
  }
  // Google Cloud Build v1: externalParameters.buildConfigSource {repository, ref}.
  if (
    isObj(ext['buildConfigSource']) &&
    asString(ext['buildConfigSource']['repository']) !== undefined
  ) {
    const repo = ext['buildConfigSource']['repository'] as string;
    const ref = asString(ext['buildConfigSource']['ref']);
    const dep = deps.find((d) => d.uri !== undefined && splitSourceRef(d.uri).uri === repo);
    return {
      uri: repo,
      digest: dep?.digest ?? {},
      ...(ref !== undefined ? { ref } : {}),
    };
  }
  return sourceFrom(gitDep ?? deps[0]);
}

/**
 * The normalized view of a provenance statement (any SLSA version): builder, build type, source,
 * dependencies, subjects.
 * @throws SlsaError SLSA_PREDICATE_UNSUPPORTED, SLSA_PREDICATE_INVALID
 */
export function provenanceView(statement: InTotoStatement): ProvenanceView {
  const parsed = parseSlsaProvenance(statement);
  const subjects = statement.subject;
  if (parsed.version === '1') {
    const p = parsed.predicate;
    const meta = p.runDetails.metadata;
    return {
      predicateType: parsed.predicateType,
      slsaVersion: '1',
      builderId: p.runDetails.builder.id,
      buildType: p.buildDefinition.buildType,
      ...optional('source', sourceV1(p)),
      resolvedDependencies: p.buildDefinition.resolvedDependencies ?? [],
      subjects,
      ...optional('invocationId', meta?.invocationId),
      ...optional('startedOn', meta?.startedOn),
      ...optional('finishedOn', meta?.finishedOn),
    };
  }
  const p = parsed.predicate;
  const materials = p.materials ?? [];
  const meta = p.metadata;
  let source: ProvenanceSource | undefined;
  let buildType: string;
  if (parsed.version === '0.2') {
    const cs = parsed.predicate.invocation?.configSource;
    source =
      cs?.uri !== undefined
        ? sourceFrom({ uri: cs.uri, ...optional('digest', cs.digest) })
        : undefined;
    buildType = parsed.predicate.buildType;
  } else {
    const recipe = parsed.predicate.recipe;
    const index = recipe?.definedInMaterial;
    source = sourceFrom(index !== undefined ? materials[index] : materials[0]);
    buildType = recipe?.type ?? '';
  }
  return {
    predicateType: parsed.predicateType,
    slsaVersion: parsed.version,
    builderId: p.builder.id,
    buildType,
    ...optional('source', source ?? sourceFrom(materials[0])),
    resolvedDependencies: materials,
    subjects,
    ...optional('invocationId', meta?.buildInvocationId),
    ...optional('startedOn', meta?.buildStartedOn),
    ...optional('finishedOn', meta?.buildFinishedOn),
  };
}

/** The text of a JSON-lines file's non-empty lines (`.intoto.jsonl`). */
export function jsonLines(bytes: Uint8Array): string[] {
  return decodeUtf8(bytes)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
