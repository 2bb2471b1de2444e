import { VexLifecycleError } from './errors.js';
import type { Revision } from './statement.js';

/**
 * How much a publication changes a document, for CSAF's semantic versioning (csaf-v2.0 §3.1.11.5,
 * Version Type): `products` when users must match the product tree against their assets again
 * (products or versions added or removed: major), `editorial` for typo and formatting fixes only
 * (patch), `content` for everything else (minor).
 */
export type DocumentChange = 'products' | 'content' | 'editorial';

/**
 * The document-level version of the next publication. Statements keep their own versions (seed
 * 001's "VEX version", which typos do not move); the document's moves on every publication, as
 * the standards require: OpenVEX `version` and CycloneDX `version` are integers from 1, plus one;
 * a CSAF `/document/tracking/version` follows the document's scheme: integer versioning (`"3"`,
 * plus one) or semantic versioning (`"1.4.2"`: `products` a major, `content` a minor, `editorial`
 * a patch step). A first publication is 1 (`"1"`, or `"1.0.0"` for `semver`); a CSAF draft
 * version (`0`, `0.x.y`, or one with a pre-release part) becomes the first final version.
 * @throws VexLifecycleError VEX_DOCUMENT_VERSION_INVALID (the current version is none of these forms)
 */
export function nextDocumentVersion(
  format: 'openvex' | 'cyclonedx' | 'csaf',
  current: string | number | undefined,
  change: DocumentChange,
  csafScheme: 'integer' | 'semver' = 'integer',
): string {
  const text = current === undefined ? undefined : String(current).trim();
  const semver = format === 'csaf' && (csafScheme === 'semver' || text?.includes('.') === true);
  if (!semver) {
    if (text === undefined) return '1';
    if (!/^(0|[1-9]\d*)$/u.test(text)) invalid(format, text);
    return String(Number(text) + 1);
  }
  if (text === undefined) return '1.0.0';
  const m =
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/u.exec(
      text,
    );
  if (m === null) invalid(format, text);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major === 0 || text.includes('-'))
    return major === 0 ? '1.0.0' : `${major}.${minor}.${patch}`;
  if (change === 'products') return `${major + 1}.0.0`;
  if (change === 'content') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * The document change a set of statement revisions makes: `products` when a statement is new or
 * its products changed, `content` when any statement got a new version, else `editorial`.
 */
export function documentChangeOf(revisions: readonly Revision[]): DocumentChange {
  if (
    revisions.some(
      (r) =>
        r.statement.version === 1 ||
        r.trail.some((t) => t.field === 'products' && t.kind === 'substantive'),
    )
  ) {
    return 'products';
  }
  return revisions.some((r) => r.versioned) ? 'content' : 'editorial';
}

/** One entry of CSAF's `/document/tracking/revision_history` for a publication. */
export interface CsafRevision {
  number: string;
  date: string;
  summary: string;
}

/**
 * The revision history after one more publication: the new entry (its number the new version,
 * as CSAF requires) appended. Returns the history and the version to write into tracking.
 */
export function nextCsafRevision(
  history: readonly CsafRevision[],
  current: string | undefined,
  change: DocumentChange,
  entry: { date: string; summary: string },
  scheme: 'integer' | 'semver' = 'integer',
): { version: string; history: CsafRevision[] } {
  const version = nextDocumentVersion('csaf', current, change, scheme);
  return { version, history: [...history, { number: version, ...entry }] };
}

function invalid(format: string, text: string): never {
  throw new VexLifecycleError(
    'VEX_DOCUMENT_VERSION_INVALID',
    `the ${format} document version "${text.slice(0, 40)}" is not one Custody can increment: give an integer (or, for CSAF, MAJOR.MINOR.PATCH)`,
    { details: { format, version: text.slice(0, 40) } },
  );
}
