/**
 * The syntax shared by yarn.lock v1 and Berry lockfiles: indentation-nested blocks of
 * `key value` (v1) or `key: value` (Berry, a YAML subset), keys and values optionally in JSON-style
 * double quotes, top-level keys listing several descriptors (`"a@^1", "a@^1.1":` in v1,
 * `"a@npm:^1, a@npm:^1.1":` in Berry). A hand-written reader, because Berry files repeat keys (which
 * YAML forbids) and v1 files are not YAML at all; and because it is linear and allocation-light.
 */

/** A parsed block: scalars are strings, nested blocks are objects. */
export interface YarnBlock {
  [key: string]: string | YarnBlock;
}

/** A syntax problem, with the 1-based line it is on. */
export class YarnSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Parse yarn.lock text into nested blocks. A repeated top-level key keeps its first block (Berry
 * writes exact duplicates for some patched packages).
 * @throws YarnSyntaxError on unbalanced quotes or indentation no block opened.
 */
export function parseYarnSyntax(text: string): YarnBlock {
  const root: YarnBlock = Object.create(null);
  // Each open block with the indentation of its lines; the root's lines start in column 0.
  const stack: { indent: number; block: YarnBlock }[] = [{ indent: 0, block: root }];
  // Where a `key:` line with nothing after it opened a block: the next deeper line fills it.
  let pending: { indent: number; block: YarnBlock } | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line =
      text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
    if (pending) {
      if (indent > pending.indent) stack.push({ indent, block: pending.block });
      pending = undefined;
    }
    while (stack.length > 1 && indent < (stack[stack.length - 1] as { indent: number }).indent) {
      stack.pop();
    }
    const top = stack[stack.length - 1] as { indent: number; block: YarnBlock };
    if (indent !== top.indent) {
      throw new YarnSyntaxError(lineNo, `indentation of ${indent} matches no open block`);
    }
    const { key, rest } = readKey(line, indent, lineNo);
    if (rest === '') {
      const child: YarnBlock = Object.create(null);
      if (!(key in top.block)) top.block[key] = child;
      pending = { indent, block: child };
    } else if (!(key in top.block)) {
      top.block[key] = readValue(rest, lineNo);
    }
  }
  return root;
}

// A key: one or more quoted/bare descriptors joined by ", ", ended by ':' (a block) or by the
// value's separator (': ' in Berry, ' ' in v1). Several descriptors are kept joined by ", ".
function readKey(line: string, from: number, lineNo: number): { key: string; rest: string } {
  const parts: string[] = [];
  let i = from;
  for (;;) {
    let part: string;
    if (line.charCodeAt(i) === 34 /* " */) {
      const close = closingQuote(line, i, lineNo);
      part = unquote(line.slice(i, close + 1), lineNo);
      i = close + 1;
    } else {
      let j = i;
      while (j < line.length) {
        const c = line.charCodeAt(j);
        if (c === 32 || c === 44 /* , */) break;
        if (c === 58 /* : */ && (j + 1 === line.length || line.charCodeAt(j + 1) === 32)) break;
        j++;
      }
      part = line.slice(i, j);
      i = j;
    }
    parts.push(part);
    if (line.charCodeAt(i) === 44 && line.charCodeAt(i + 1) === 32) {
      i += 2;
      continue;
    }
    break;
  }
  const key = parts.join(', ');
  if (key === '') throw new YarnSyntaxError(lineNo, 'a line with no key');
  if (i >= line.length) throw new YarnSyntaxError(lineNo, `"${key}" has neither a value nor ':'`);
  if (line.charCodeAt(i) === 58) {
    const rest = line.slice(i + 1).trim();
    return { key, rest };
  }
  if (line.charCodeAt(i) !== 32)
    throw new YarnSyntaxError(lineNo, `unexpected text after "${key}"`);
  return { key, rest: line.slice(i + 1).trim() };
}

function readValue(rest: string, lineNo: number): string {
  if (rest.charCodeAt(0) !== 34) return rest;
  const close = closingQuote(rest, 0, lineNo);
  return unquote(rest.slice(0, close + 1), lineNo);
}

function closingQuote(s: string, open: number, lineNo: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34) return i;
  }
  throw new YarnSyntaxError(lineNo, 'unterminated quoted string');
}

// Yarn quotes with JSON.stringify, so JSON.parse reads it back (escapes included).
function unquote(quoted: string, lineNo: number): string {
  if (!quoted.includes('\\')) return quoted.slice(1, -1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new YarnSyntaxError(lineNo, `bad escape in ${quoted}`);
  }
}
