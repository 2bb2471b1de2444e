import { lockfileError } from '../lockfile-support.js';

/**
 * `go.sum` lines `<module> <version>[/go.mod] h1:<base64>` → map `"<module> <version>"` → the
 * module zip's `h1:` hash (the `/go.mod` lines hash only the go.mod file and are skipped).
 * @throws SbomError SBOM_LOCKFILE_PARSE naming go.sum when a line is not three fields.
 */
export function parseGoSum(text: string, path: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    if (f.length !== 3 || !/^h\d+:/.test(f[2] as string)) {
      throw lockfileError(path, `line ${i + 1} is not "<module> <version> h1:<hash>"`);
    }
    const [mod, version, hash] = f as [string, string, string];
    if (version.endsWith('/go.mod')) continue;
    out.set(`${mod} ${version}`, hash);
  }
  return out;
}
