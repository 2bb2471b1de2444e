import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree } from '../../model.js';
import {
  basename,
  ComponentCollector,
  dirname,
  guard,
  joinPath,
  lockfileError,
  readOptionalText,
  readText,
} from '../lockfile-support.js';
import { parseGoSum } from './go-sum.js';

const NAME = 'go-mod';

interface Require {
  path: string;
  version: string;
  indirect: boolean;
}

interface Replace {
  oldPath: string;
  oldVersion?: string;
  newPath: string;
  newVersion?: string;
}

const KNOWN = new Set([
  'module',
  'go',
  'toolchain',
  'require',
  'replace',
  'exclude',
  'retract',
  'tool',
  'godebug',
  'ignore',
]);

/**
 * `go.mod`: every `require` is a component (`// indirect` ones are transitive, the rest are the
 * module's direct dependencies); `replace` directives are applied (a local-path replacement keeps
 * the module path and drops the version). `go.sum` in the same folder supplies each module's `h1:`
 * hash as property `custody:go:h1` — it is a SHA-256 over a dirhash listing, not over a file, so
 * it is not a component hash. purl `pkg:golang/<module path>@<version>`: the path keeps its case
 * (Go module paths are case-sensitive; OSV and the Go proxy use them as written). Untrusted input.
 */
export const goModCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'go.mod',
  sniff: (_path, head) => /^\s*module[ \t]+\S+/m.test(head) && /^\s*(go|require)[ \t(]/m.test(head),
  catalog(path: string, tree: FileTree): CatalogResult {
    const text = readText(tree, path);
    const sumPath = joinPath(dirname(path), 'go.sum');
    const sum = readOptionalText(tree, sumPath);
    return guard(path, () => buildGoMod(text, path, sum, sumPath));
  },
};

function buildGoMod(
  text: string,
  path: string,
  sumText: string | undefined,
  sumPath: string,
): CatalogResult {
  const { module, requires, replaces } = parseGoMod(text, path);
  const sums = sumText === undefined ? new Map<string, string>() : parseGoSum(sumText, sumPath);
  const out = new ComponentCollector(path);
  for (const req of requires) {
    const rep =
      replaces.find((r) => r.oldPath === req.path && r.oldVersion === req.version) ??
      replaces.find((r) => r.oldPath === req.path && r.oldVersion === undefined);
    const properties: Record<string, string> = {};
    let modPath = req.path;
    let version: string | undefined = req.version;
    if (rep) {
      if (rep.newVersion === undefined) {
        properties['custody:go:replace-path'] = rep.newPath;
        version = undefined;
      } else {
        properties['custody:go:replaces'] = `${req.path}@${req.version}`;
        modPath = rep.newPath;
        version = rep.newVersion;
      }
    }
    if (req.indirect) properties['custody:go:indirect'] = 'true';
    const h1 = version === undefined ? undefined : sums.get(`${modPath} ${version}`);
    if (h1) properties['custody:go:h1'] = h1;
    const ref = out.add({ ...golangIdentity(modPath, version), scope: 'required', properties });
    if (!req.indirect) out.addDirect(ref);
  }
  if (!module) return out.result(NAME);
  const id = golangIdentity(module, undefined);
  return out.result(NAME, {
    name: module,
    ecosystem: 'golang',
    ...(id.purl ? { purl: id.purl } : {}),
  });
}

/**
 * purl parts for a Go module: namespace is the path before its last segment. A one-segment path
 * (legal with a local `replace`) has no namespace, which the golang purl type refuses: such a
 * module gets no purl (its ref is then `golang:<path>@<version>`).
 */
export function golangIdentity(
  modPath: string,
  version: string | undefined,
): { ecosystem: string; namespace?: string; name: string; version?: string; purl?: string } {
  const slash = modPath.lastIndexOf('/');
  const namespace = slash === -1 ? undefined : modPath.slice(0, slash);
  const name = slash === -1 ? modPath : modPath.slice(slash + 1);
  return {
    ecosystem: 'golang',
    name,
    ...(namespace
      ? { namespace, purl: formatPurl({ type: 'golang', namespace, name, version }) }
      : {}),
    ...(namespace ? { namespace } : {}),
    ...(version ? { version } : {}),
  };
}

/**
 * The directives Custody needs from go.mod text.
 * @throws SbomError SBOM_LOCKFILE_PARSE on an unbalanced block or a malformed require/replace.
 */
export function parseGoMod(
  text: string,
  path: string,
): { module?: string; requires: Require[]; replaces: Replace[] } {
  let module: string | undefined;
  const requires: Require[] = [];
  const replaces: Replace[] = [];
  let block: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const comment = raw.indexOf('//');
    const indirect = comment !== -1 && /^\/\/\s*indirect\b/.test(raw.slice(comment).trim());
    const tokens = tokenize(comment === -1 ? raw : raw.slice(0, comment), path, i + 1);
    if (tokens.length === 0) continue;
    let verb: string;
    let args: string[];
    if (block !== undefined) {
      if (tokens[0] === ')' && tokens.length === 1) {
        block = undefined;
        continue;
      }
      verb = block;
      args = tokens;
    } else {
      verb = tokens[0] as string;
      args = tokens.slice(1);
      if (!KNOWN.has(verb)) {
        if (/^[a-z]+$/.test(verb)) continue; // a directive newer than this reader
        throw lockfileError(path, `line ${i + 1}: "${verb}" is not a go.mod directive`);
      }
      if (args.length === 1 && args[0] === '(') {
        block = verb;
        continue;
      }
    }
    if (verb === 'module') module = args[0];
    else if (verb === 'require') requires.push(requireOf(args, indirect, path, i + 1));
    else if (verb === 'replace') replaces.push(replaceOf(args, path, i + 1));
  }
  if (block !== undefined) throw lockfileError(path, `the "${block} (" block is never closed`);
  return { ...(module ? { module } : {}), requires, replaces };
}

function requireOf(args: string[], indirect: boolean, path: string, line: number): Require {
  const [modPath, version] = args;
  if (args.length !== 2 || !modPath || !version) {
    throw lockfileError(path, `line ${line}: a require needs "module/path version"`);
  }
  return { path: modPath, version, indirect };
}

function replaceOf(args: string[], path: string, line: number): Replace {
  const arrow = args.indexOf('=>');
  const left = args.slice(0, arrow);
  const right = args.slice(arrow + 1);
  if (arrow < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
    throw lockfileError(path, `line ${line}: a replace needs "old [version] => new [version]"`);
  }
  const r: Replace = { oldPath: left[0] as string, newPath: right[0] as string };
  if (left[1]) r.oldVersion = left[1];
  if (right[1]) r.newVersion = right[1];
  return r;
}

// go.mod tokens: words, `(`/`)`, `=>`, "interpreted" and `raw` strings.
function tokenize(line: string, path: string, lineNo: number): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(=>)|([()])|([^\s"`()]+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'));
    else out.push((m[2] ?? m[3] ?? m[4] ?? m[5]) as string);
  }
  if (/["`]/.test(line.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, ''))) {
    throw lockfileError(path, `line ${lineNo}: unterminated quoted string`);
  }
  return out;
}
