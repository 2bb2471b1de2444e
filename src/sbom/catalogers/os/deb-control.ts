import { SbomError } from '../../errors.js';

/** One paragraph of a Debian control file (deb822): field names lower-cased, values as written. */
export interface ControlParagraph {
  /** 1-based line of the paragraph's first field (for error messages). */
  line: number;
  fields: Map<string, string>;
}

/**
 * Split deb822 text (dpkg's `status`, `status.d/*`) into paragraphs. Continuation lines (leading
 * space or tab) are appended to the previous field with a newline; `#` comments are skipped.
 * Linear in the input. Untrusted input.
 *
 * @throws SbomError SBOM_LOCKFILE_PARSE when a line is neither a field, a continuation nor blank.
 */
export function parseControlParagraphs(text: string, file: string): ControlParagraph[] {
  const out: ControlParagraph[] = [];
  let current: ControlParagraph | undefined;
  let lastKey: string | undefined;
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const raw = text.slice(pos, end);
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    lineNo++;
    pos = end + 1;
    if (line.trim() === '') {
      current = undefined;
      lastKey = undefined;
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 0x23) continue; // '#'
    if (first === 0x20 || first === 0x09) {
      if (!current || lastKey === undefined) throw malformed(file, lineNo, 'a continuation line');
      current.fields.set(lastKey, `${current.fields.get(lastKey) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(file, lineNo, 'a line that is not "Field: value"');
    if (!current) {
      current = { line: lineNo, fields: new Map() };
      out.push(current);
    }
    lastKey = line.slice(0, colon).trim().toLowerCase();
    current.fields.set(lastKey, line.slice(colon + 1).trim());
  }
  return out;
}

function malformed(file: string, line: number, what: string): SbomError {
  return new SbomError(
    'SBOM_LOCKFILE_PARSE',
    `${file} line ${line}: unexpected ${what}; a dpkg database holds "Field: value" paragraphs`,
    { details: { file, line } },
  );
}
