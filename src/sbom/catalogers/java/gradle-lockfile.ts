import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, FileTree, Scope } from '../../model.js';
import {
  basename,
  ComponentCollector,
  guard,
  lockfileError,
  readText,
} from '../lockfile-support.js';

const NAME = 'java-gradle-lockfile';

/**
 * Gradle dependency lock files: `gradle.lockfile` (and `buildscript-gradle.lockfile`), lines
 * `group:name:version=configuration,…`, `empty=…` and `#` comments; also the Gradle 4.8–6 layout of
 * one `gradle/dependency-locks/<configuration>.lockfile` per configuration, lines
 * `group:name:version`. A module locked only for test configurations (`test…`) is dev, the rest
 * required; the configurations are kept as `custody:gradle:configurations`. The lock is flat: no
 * edges, no record of which modules are direct. Untrusted input.
 */
export const gradleLockfileCataloger: Cataloger = {
  name: NAME,
  matches: (path) =>
    /(^|[-/])gradle\.lockfile$/.test(path) ||
    /(^|\/)gradle\/dependency-locks\/[^/]+\.lockfile$/.test(path),
  sniff: (_path, head) =>
    /Gradle generated file for dependency locking/.test(head) ||
    /^[\w.-]+:[\w.-]+:[^\s=:]+=[\w,]+$/m.test(head),
  catalog(path: string, tree: FileTree): CatalogResult {
    const text = readText(tree, path);
    return guard(path, () => parseGradleLockfile(text, path));
  },
};

/** @throws SbomError SBOM_LOCKFILE_PARSE on a line that is not `group:name:version[=configs]`. */
export function parseGradleLockfile(text: string, path: string): CatalogResult {
  const out = new ComponentCollector(path);
  const legacyConfig = /dependency-locks\/([^/]+)\.lockfile$/.exec(path)?.[1];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#') || line.startsWith('empty=')) continue;
    const m = /^([^:=\s]+):([^:=\s]+):([^:=\s]+)(?:=(.*))?$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) {
      throw lockfileError(path, `line ${i + 1} is not "group:name:version=configurations"`);
    }
    const configs = (m[4] ?? legacyConfig ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const [, groupId, artifactId, version] = m;
    out.add({
      ecosystem: 'maven',
      namespace: groupId,
      name: artifactId,
      version,
      purl: formatPurl({ type: 'maven', namespace: groupId, name: artifactId, version }),
      scope: scopeOf(configs, path),
      properties: configs.length > 0 ? { 'custody:gradle:configurations': configs.join(',') } : {},
    });
  }
  return out.result(NAME);
}

function scopeOf(configs: string[], path: string): Scope | undefined {
  if (basename(path).startsWith('buildscript-')) return 'dev'; // build tooling, not shipped
  if (configs.length === 0) return undefined;
  return configs.every((c) => /^test[A-Z]|^test$/.test(c)) ? 'dev' : 'required';
}
