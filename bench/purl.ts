// npm run bench -- purl: formatPurl / parsePurl / normalizePurl over 20,000 npm-like components.
import { formatPurl, normalizePurl, type PurlParts, parsePurl } from '../src/core/purl/index.js';
import { median } from './_harness.js';

const N = 20_000;
const parts: PurlParts[] = Array.from({ length: N }, (_, i) => ({
  type: i % 5 === 0 ? 'pypi' : 'npm',
  ...(i % 3 === 0 && i % 5 !== 0 ? { namespace: `@scope${i % 50}` } : {}),
  name: i % 5 === 0 ? `Some_Package${i}` : `package-${i}`,
  version: `1.${i % 100}.${i % 7}${i % 11 === 0 ? '+build.1' : ''}`,
  ...(i % 4 === 0 ? { qualifiers: { vcs_url: `git+https://example.com/r${i}.git` } } : {}),
}));
const strings = parts.map(formatPurl);

function time(name: string, fn: () => void): void {
  const runs: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t0 = performance.now();
    fn();
    if (r > 0) runs.push(performance.now() - t0); // first run warms the JIT
  }
  console.log(`${name.padEnd(28)} ${median(runs).toFixed(2)} ms per ${N}`);
}

time('formatPurl', () => {
  for (const p of parts) formatPurl(p);
});
time('parsePurl', () => {
  for (const s of strings) parsePurl(s);
});
time('normalizePurl', () => {
  for (const s of strings) normalizePurl(s);
});
