/**
 * Writing the model in each VEX format, deterministically: members in a fixed order, no clock
 * read (the caller passes `now`), and document-level versions moved only by publishVex.
 */
import { modelToCsaf } from './csaf.js';
import { type CycloneDxVexVersion, modelToCycloneDx } from './cyclonedx-vex.js';
import type { VexFormat } from './detect.js';
import { VexFormatError } from './errors.js';
import type { VexDocument, VexRevision } from './model.js';
import { modelToOpenVex } from './openvex.js';
import { VexWriteContext } from './write-context.js';

export interface VexWriteOptions {
  /**
   * ISO 8601 time written where the target needs one the document lacks (OpenVEX `timestamp`,
   * CSAF release dates). Writers never read the clock: pass the current time, or
   * SOURCE_DATE_EPOCH's, for reproducible output. Without it such a document is refused.
   */
  now?: string;
  /** CycloneDX version to write (default 1.6). */
  cyclonedxVersion?: CycloneDxVexVersion;
}

export interface VexWritten {
  /** The document as JSON text (two-space indented, newline-terminated). */
  text: string;
  /** The same document as a JSON value. */
  data: Record<string, unknown>;
  /** Values defaulted or encoded with loss (what the reader of the target will not get back as it was). */
  notes: string[];
}

/**
 * Write a VEX document in `format`. Same model and options, same bytes.
 * @throws VexFormatError VEX_WRITE_INVALID (no statements, a product without identifier, no time)
 */
export function writeVex(
  doc: VexDocument,
  format: VexFormat,
  opts: VexWriteOptions = {},
): VexWritten {
  if (doc.statements.length === 0) {
    throw new VexFormatError('VEX_WRITE_INVALID', 'a VEX document needs at least one statement');
  }
  const ctx = new VexWriteContext(opts.now);
  let data: Record<string, unknown>;
  switch (format) {
    case 'openvex':
      data = modelToOpenVex(doc, ctx);
      break;
    case 'cyclonedx':
      data = modelToCycloneDx(doc, ctx, opts.cyclonedxVersion ?? '1.6');
      break;
    case 'csaf':
      data = modelToCsaf(doc, ctx);
      break;
    default:
      throw new VexFormatError(
        'VEX_CONVERT_UNSUPPORTED',
        `Custody writes openvex, cyclonedx and csaf, not ${String(format)}`,
      );
  }
  return { text: `${JSON.stringify(data, null, 2)}\n`, data, notes: ctx.notes };
}

export interface PublishOptions {
  /** ISO 8601 time of this publication. */
  at: string;
  /**
   * The document as last published (any format, read back into the model): this publication
   * gets its version + 1 and keeps its first publication time and revision history.
   */
  previous?: VexDocument;
  /** Or the publication number itself (1 for the first), when no previous document is at hand. */
  number?: number;
  /** Revision history summary (default "Initial version." / "Update."). */
  summary?: string;
}

/**
 * The document as published once more: every format's document-level version moves on every
 * publication (OpenVEX and CycloneDX `version`, CSAF `tracking.version`), CSAF's revision
 * history gets an entry, the last-updated time is `at`, the first publication time stays. The
 * statements' own versions (seed 001's "VEX version") are the lifecycle's (vex/), untouched here.
 */
export function publishVex(doc: VexDocument, opts: PublishOptions): VexDocument {
  const prev = opts.previous;
  const prevNumber = prev === undefined ? undefined : Number(prev.version ?? '0');
  if (prevNumber !== undefined && !Number.isInteger(prevNumber)) {
    throw new VexFormatError(
      'VEX_WRITE_INVALID',
      `the previous document's version ${prev?.version} is not an integer`,
    );
  }
  const number = prevNumber !== undefined ? prevNumber + 1 : (opts.number ?? 1);
  if (!Number.isInteger(number) || number < 1) {
    throw new VexFormatError(
      'VEX_WRITE_INVALID',
      `publication number ${number} is not a positive integer`,
    );
  }
  const history: VexRevision[] = [...(prev?.revisions ?? doc.revisions ?? [])].filter(
    (r) => Number(r.number) < number,
  );
  history.push({
    number: String(number),
    date: opts.at,
    summary: opts.summary ?? (number === 1 ? 'Initial version.' : 'Update.'),
  });
  const first = prev?.timestamp ?? history[0]?.date ?? opts.at;
  return {
    ...doc,
    id: prev?.id ?? doc.id,
    version: String(number),
    timestamp: first,
    lastUpdated: opts.at,
    revisions: history,
  };
}
