import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Hash } from '../../model.js';
import {
  basename,
  ComponentCollector,
  guard,
  lockfileError,
  prefixedHash,
  readText,
} from '../lockfile-support.js';

const NAME = 'ruby-gemfile-lock';

interface Spec {
  name: string;
  version: string;
  platform?: string;
  source: string;
  deps: string[];
  ref?: string;
}

const SPEC = /^ {4}([^\s(]+) \(([^)\s]+)\)$/;
const SPEC_DEP = /^ {6}([^\s(]+)(?: \(.*\))?$/;

/**
 * Bundler's `Gemfile.lock`: the `specs:` of GEM, GIT and PATH sections (with their nested
 * dependencies as edges, and `-platform` version suffixes as the purl's `platform` qualifier),
 * `DEPENDENCIES` as the project's direct dependencies, `PLATFORMS` as a property, and the
 * `CHECKSUMS` section (Bundler ≥ 2.5) as hashes. A PATH source at `.` is the project itself.
 * Bundler records no groups, so no scope is set. Untrusted input.
 */
export const gemfileLockCataloger: Cataloger = {
  name: NAME,
  matches: (path) => basename(path) === 'Gemfile.lock' || basename(path) === 'gems.locked',
  sniff: (_path, head) => /^(GEM|GIT|PATH)\n {2}remote: /m.test(head.replace(/\r\n/g, '\n')),
  catalog(path: string, tree: FileTree): CatalogResult {
    const text = readText(tree, path);
    return guard(path, () => buildGemfileLock(text, path));
  },
};

function buildGemfileLock(text: string, path: string): CatalogResult {
  const specs: Spec[] = [];
  const direct: string[] = [];
  const platforms: string[] = [];
  const checksums = new Map<string, Hash[]>();
  let section = '';
  let remote = '';
  let revision = '';
  let inSpecs = false;
  let current: Spec | undefined;
  let sawSection = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      section = line.trim();
      sawSection ||= ['GEM', 'GIT', 'PATH', 'DEPENDENCIES'].includes(section);
      remote = '';
      revision = '';
      inSpecs = false;
      current = undefined;
      continue;
    }
    if (
      section === 'GEM' ||
      section === 'GIT' ||
      section === 'PATH' ||
      section === 'PLUGIN SOURCE'
    ) {
      if (/^ {2}\S/.test(line)) {
        const t = line.trim();
        inSpecs = t === 'specs:';
        if (t.startsWith('remote: ')) remote = t.slice(8);
        if (t.startsWith('revision: ')) revision = t.slice(10);
        continue;
      }
      if (!inSpecs) continue;
      const spec = SPEC.exec(line);
      if (spec) {
        current = specOf(spec[1] as string, spec[2] as string, sourceOf(section, remote, revision));
        specs.push(current);
        continue;
      }
      const dep = SPEC_DEP.exec(line);
      if (dep && current) {
        current.deps.push(dep[1] as string);
        continue;
      }
      throw lockfileError(path, `line ${i + 1} is not a "name (version)" spec or dependency`);
    }
    if (section === 'PLATFORMS') platforms.push(line.trim());
    else if (section === 'DEPENDENCIES') {
      const m = /^ {2}([^\s(!]+)/.exec(line);
      if (m?.[1]) direct.push(m[1]);
    } else if (section === 'CHECKSUMS') {
      const m = /^ {2}([^\s(]+) \(([^)\s]+)\)(?: (.*))?$/.exec(line);
      if (m?.[1] && m[2] && m[3]) {
        const hashes = m[3]
          .split(',')
          .map((h) => prefixedHash(h))
          .filter((h): h is Hash => h !== undefined);
        checksums.set(`${m[1]} ${m[2]}`, hashes);
      }
    }
  }
  if (!sawSection) throw lockfileError(path, 'has no GEM, GIT, PATH or DEPENDENCIES section');
  return collect(specs, direct, platforms, checksums, path);
}

function collect(
  specs: Spec[],
  direct: string[],
  platforms: string[],
  checksums: Map<string, Hash[]>,
  path: string,
): CatalogResult {
  const out = new ComponentCollector(path);
  const rootSpec = specs.find((s) => s.source === 'path:.');
  const byName = new Map<string, Spec[]>();
  for (const s of specs) {
    byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    if (s === rootSpec) continue;
    const properties: Record<string, string> = {};
    if (!s.source.startsWith('rubygems:')) properties['custody:gem:source'] = s.source;
    if (platforms.length > 0) properties['custody:gem:platforms'] = platforms.join(',');
    const full = s.platform ? `${s.version}-${s.platform}` : s.version;
    s.ref = out.add({
      ecosystem: 'gem',
      name: s.name,
      version: s.version,
      purl: formatPurl({
        type: 'gem',
        name: s.name,
        version: s.version,
        qualifiers: s.platform ? { platform: s.platform } : {},
      }),
      hashes: checksums.get(`${s.name} ${full}`) ?? [],
      properties,
    });
  }
  for (const s of specs) {
    for (const d of s.deps) {
      for (const to of byName.get(d) ?? []) {
        if (!to.ref) continue;
        if (s === rootSpec) out.addDirect(to.ref);
        else if (s.ref) out.link(s.ref, to.ref);
      }
    }
  }
  for (const name of direct)
    for (const s of byName.get(name) ?? []) if (s.ref) out.addDirect(s.ref);
  if (!rootSpec) return out.result(NAME);
  return out.result(NAME, {
    name: rootSpec.name,
    version: rootSpec.version,
    ecosystem: 'gem',
    purl: formatPurl({ type: 'gem', name: rootSpec.name, version: rootSpec.version }),
  });
}

// RubyGems versions never contain `-`; what follows the first one is the platform.
function specOf(name: string, raw: string, source: string): Spec {
  const dash = raw.indexOf('-');
  const s: Spec = { name, version: dash === -1 ? raw : raw.slice(0, dash), source, deps: [] };
  if (dash !== -1) s.platform = raw.slice(dash + 1);
  return s;
}

function sourceOf(section: string, remote: string, revision: string): string {
  if (section === 'GIT') return `git:${remote}@${revision}`;
  if (section === 'PATH') return `path:${remote}`;
  return `rubygems:${remote}`;
}
