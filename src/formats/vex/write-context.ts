import { VexFormatError } from './errors.js';
import type { VexDocument } from './model.js';

/**
 * What a writer needs besides the model, and what it reports: the time to use where the target
 * requires one the model lacks (the caller's clock, SOURCE_DATE_EPOCH, or a fixed value for
 * reproducible output — writers never read the clock), and notes on every value that had to be
 * defaulted or could only be encoded with loss.
 */
export class VexWriteContext {
  readonly notes: string[] = [];
  constructor(readonly now: string | undefined) {}

  /** `value`, else the context's time; a target that needs a time and has none is refused. */
  time(value: string | undefined, what: string): string {
    if (value !== undefined) return value;
    if (this.now === undefined) {
      throw new VexFormatError(
        'VEX_WRITE_INVALID',
        `the document has no ${what} and no time was given to write one (pass now, or set SOURCE_DATE_EPOCH)`,
      );
    }
    this.notes.push(`${what}: none in the source, written as ${this.now}`);
    return this.now;
  }

  defaulted<T>(what: string, value: T): T {
    this.notes.push(`${what}: none in the source, written as ${JSON.stringify(value)}`);
    return value;
  }

  lossy(note: string): void {
    this.notes.push(note);
  }

  /** The document version as the positive integer OpenVEX and CycloneDX require. */
  integerVersion(doc: VexDocument): number {
    const v = doc.version;
    if (v === undefined) return this.defaulted('document version', 1);
    if (/^[1-9]\d{0,8}$/.test(v)) return Number(v);
    // CSAF also allows semantic versions; their publication count is the revision history's length.
    const n = Math.max(1, doc.revisions?.length ?? 1);
    this.lossy(`document version ${v}: written as ${n} (the number of publications)`);
    return n;
  }
}
