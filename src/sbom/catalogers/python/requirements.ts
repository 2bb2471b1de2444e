import type { Cataloger, CatalogResult, FileTree, Hash } from '../../model.js';
import {
  basename,
  ComponentCollector,
  dirname,
  guard,
  lockfileError,
  prefixedHash,
  readText,
} from '../lockfile-support.js';
import { parsePep508, pinnedVersion, pypiDraft } from './pypi.js';

const NAME = 'python-requirements';

/**
 * pip requirements files (`requirements.txt`, `requirements-dev.txt`, `requirements/*.txt`).
 * Pinned `==` lines give versions; other lines become components without a version (their
 * specifier kept as `custody:pypi:specifier`). `--hash` options (also after `\` continuations)
 * become hashes. Option lines (`-r`, `-c`, `-e`, `--index-url`, …), local paths and bare URLs are
 * skipped: they name no PyPI package. Untrusted input.
 */
export const requirementsCataloger: Cataloger = {
  name: NAME,
  matches(path) {
    const base = basename(path).toLowerCase();
    if (/^(.*[-_.])?requirements([-_.][^/]*)?\.(txt|in)$/.test(base)) return base.endsWith('.txt');
    return basename(dirname(path)).toLowerCase() === 'requirements' && base.endsWith('.txt');
  },
  sniff(_path, head) {
    const lines = logicalLines(head);
    lines.pop(); // the head may cut the last line short
    let pinned = 0;
    for (const { text } of lines) {
      const kind = classify(text);
      if (kind === 'invalid') return false;
      if (kind === 'requirement' && /==|--hash/.test(text)) pinned++;
    }
    return pinned > 0;
  },
  catalog(path, tree: FileTree): CatalogResult {
    const text = readText(tree, path);
    return guard(path, () => parseRequirements(text, path));
  },
};

/** Parse requirements text into a result. @throws SbomError SBOM_LOCKFILE_PARSE on a bad line. */
export function parseRequirements(text: string, path: string): CatalogResult {
  const out = new ComponentCollector(path);
  for (const { text: line, lineNo } of logicalLines(text)) {
    const kind = classify(line);
    if (kind === 'skip') continue;
    if (kind === 'invalid') {
      throw lockfileError(
        path,
        `line ${lineNo} is not a requirement, option or comment: "${line.slice(0, 60)}"`,
      );
    }
    const { requirement, hashes } = splitOptions(line);
    const req = parsePep508(requirement);
    if (!req) throw lockfileError(path, `line ${lineNo} is not a PEP 508 requirement`);
    const version = pinnedVersion(req.specifier);
    const properties: Record<string, string> = {};
    if (!version && req.specifier) properties['custody:pypi:specifier'] = req.specifier;
    if (req.url) properties['custody:pypi:url'] = req.url;
    if (req.marker) properties['custody:pypi:marker'] = req.marker;
    if (req.extras.length > 0) properties['custody:pypi:extras'] = req.extras.join(',');
    out.addDirect(out.add(pypiDraft(req.name, version, { hashes, scope: 'required', properties })));
  }
  return out.result(NAME);
}

interface LogicalLine {
  text: string;
  lineNo: number;
}

// pip joins `\`-continued lines first, then strips comments (`#` at start or after whitespace).
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const raw = text.split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i] as string;
    if (buf === '') start = i + 1;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    buf += line;
    const stripped = buf.replace(/(^|\s)#.*$/, '').trim();
    if (stripped !== '') out.push({ text: stripped, lineNo: start });
    buf = '';
  }
  const rest = buf.replace(/(^|\s)#.*$/, '').trim();
  if (rest !== '') out.push({ text: rest, lineNo: start });
  return out;
}

type LineKind = 'skip' | 'requirement' | 'invalid';

function classify(line: string): LineKind {
  if (line.startsWith('-')) return 'skip'; // -r/-c/-e/-i/--index-url/…: no package of its own
  if (/^(\.|\/|~|[A-Za-z]:\\)/.test(line) || /^[a-z+]+:\/\//i.test(line)) return 'skip'; // paths, URLs
  if (/\.(whl|zip|tar\.gz|tgz)$/i.test(line.split(/\s/)[0] ?? '')) return 'skip'; // local archives
  return parsePep508(splitOptions(line).requirement) ? 'requirement' : 'invalid';
}

// Per-requirement options follow the requirement: `--hash=alg:hex`, `--global-option`, …
function splitOptions(line: string): { requirement: string; hashes: Hash[] } {
  const at = line.search(/\s--?[a-z]/i);
  if (at === -1) return { requirement: line, hashes: [] };
  const hashes: Hash[] = [];
  const re = /--hash[=\s]\s*([A-Za-z0-9]+:[0-9A-Fa-f]+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const h = prefixedHash(m[1] as string);
    if (h) hashes.push(h);
  }
  return { requirement: line.slice(0, at).trim(), hashes };
}
