import { readSbom, type SchemaError, validateSbom } from '../formats/index.js';
import { type SbomDocument, SbomError } from '../sbom/index.js';
import {
  evaluateGate,
  type GatePolicy,
  type GateResult,
  type QualityReport,
  scoreSbom,
} from '../sbom/quality/index.js';
import { type IndexedComponent, indexRows } from './index-rows.js';

/**
 * Everything ingest needs from a document, computed without the database: what it is, its quality
 * and gate verdict, its subject and its index rows. Plain data, so it can be computed on a worker
 * thread and passed back.
 */
export interface PreparedSbom {
  format: 'cyclonedx' | 'spdx';
  specVersion: string;
  serialNumber: string | null;
  timestamp: string | null;
  mediaType: string;
  subject: {
    /** `sha256:<hex>` from the subject's SHA-256 or an OCI purl's digest. */
    digest: string | null;
    /** The subject's purl, or name@version. */
    name: string | null;
  };
  quality: QualityReport;
  gate: GateResult;
  /** What validation allowed but flagged (purls that break the purl spec), first 100. */
  validationWarnings: SchemaError[];
  rows: IndexedComponent[];
}

/** The signature ingest calls: in-process by default, or a worker pool (workers/prepare-pool.ts). */
export type PrepareSbom = (
  bytes: Uint8Array,
  nowIso: string,
  policy: GatePolicy,
) => Promise<PreparedSbom>;

/**
 * Read, validate, model, score, gate and index one SBOM (untrusted bytes).
 * @throws SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN, SBOM_SCHEMA_INVALID; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export async function prepareSbom(
  bytes: Uint8Array,
  nowIso: string,
  policy: GatePolicy,
): Promise<PreparedSbom> {
  const { doc, quality, mediaType, warnings } = await readDocument(bytes, new Date(nowIso));
  const subject = doc.subject;
  return {
    format: doc.format,
    specVersion: doc.specVersion,
    serialNumber: doc.serialNumber ?? null,
    timestamp: doc.timestamp ?? null,
    mediaType,
    subject: {
      digest: subjectDigest(doc) ?? null,
      name:
        subject?.purl ??
        (subject ? `${subject.name}${subject.version ? `@${subject.version}` : ''}` : null),
    },
    quality,
    gate: evaluateGate(quality, doc, policy),
    validationWarnings: warnings.slice(0, 100),
    rows: indexRows(doc),
  };
}

async function readDocument(
  bytes: Uint8Array,
  now: Date,
): Promise<{
  doc: SbomDocument;
  quality: QualityReport;
  mediaType: string;
  warnings: SchemaError[];
}> {
  const what = 'the SBOM';
  const loaded = readSbom(bytes, what);
  const validation = await validateSbom(loaded.data, { what });
  if (!validation.valid) {
    throw new SbomError(
      'SBOM_SCHEMA_INVALID',
      `${what} does not validate against the ${loaded.format} ${loaded.specVersion} schema and spec rules (${validation.errors.length} errors, e.g. ${firstError(validation.errors)}); run custody sbom validate on it`,
      { details: { errors: validation.errors.slice(0, 20) } },
    );
  }
  const doc = loaded.document;
  const quality = scoreSbom(doc, { now, schemaValid: true, schemaErrors: 0 });
  const mediaType =
    loaded.format === 'cyclonedx'
      ? loaded.encoding === 'xml'
        ? 'application/vnd.cyclonedx+xml'
        : 'application/vnd.cyclonedx+json'
      : loaded.encoding === 'json'
        ? 'application/spdx+json'
        : loaded.encoding === 'yaml'
          ? 'application/spdx+yaml'
          : 'text/spdx';
  return { doc, quality, mediaType, warnings: validation.warnings };
}

function firstError(errors: readonly SchemaError[]): string {
  const e = errors[0];
  return e ? `${e.pointer || '/'}: ${e.message}`.slice(0, 300) : 'none listed';
}

function subjectDigest(doc: SbomDocument): string | undefined {
  const h = doc.subject?.hashes.find((x) => x.alg === 'SHA-256');
  if (h && /^[0-9a-f]{64}$/.test(h.content)) return `sha256:${h.content}`;
  const m = /^pkg:oci\/[^@]+@(sha256(?::|%3A)[0-9a-f]{64})/i.exec(doc.subject?.purl ?? '');
  return m ? (m[1] as string).replace(/%3A/i, ':').toLowerCase() : undefined;
}
