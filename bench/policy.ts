/**
 * npm run bench -- policy [--count N] [--runs R]
 *
 * The built-in policy pack (11 CEL rules, Briefs 2 and 4) evaluated over one artifact's evidence,
 * as admission will for every image: Custody's evaluator (cel-js behind Custody's interface, with
 * its step budget, time budget and linear-time `matches()`) beside @bufbuild/cel with every rule
 * planned once, both on the same documents with the same verdict required for every rule.
 * The evidence is a realistic one (one SBOM with `--licenses` licences, one provenance) and one in
 * eight documents has a fact broken so that a rule fails. Each side converts the JSON document
 * into its own values per evaluation, as a caller must. Median of R runs after a warm-up run;
 * peak RSS of the process at the end.
 */
import { celEnv, parse, plan } from '@bufbuild/cel';
import {
  BUILTIN_PACK_SOURCE,
  compilePolicy,
  EVIDENCE_SHAPE,
  type Evidence,
  evaluatePolicy,
  parsePolicy,
  toCel,
} from '../src/policy/index.js';
import { goodEvidence } from '../test/policy/good-evidence.js';
import { median } from './_harness.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const COUNT = flag('count', 5_000);
const RUNS = flag('runs', 5);
const LICENSES = flag('licenses', 40);

const docs: Evidence[] = Array.from({ length: COUNT }, (_, i) => {
  const e = goodEvidence();
  e.sbom.licenses = Array.from({ length: LICENSES }, (_, k) => `LicenseRef-${k}-${i % 7}`);
  if (i % 8 === 0) e.sbom.signed = false;
  if (i % 16 === 4) e.sbom.licenses.push('AGPL-3.0-only');
  return e;
});

const pack = compilePolicy(parsePolicy(BUILTIN_PACK_SOURCE, 'builtin'));
const env = celEnv();
const planned = pack.rules.map(({ rule }) => ({
  name: rule.name,
  run: plan(env, parse(rule.expression)),
}));
const params = forBuf(toCel(pack.document.params, 'json'));

/** @bufbuild/cel's values: maps as Map (toCel gives CEL's ints and doubles). */
function forBuf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(forBuf);
  if (v !== null && typeof v === 'object')
    return new Map(Object.entries(v).map(([k, e]) => [k, forBuf(e)]));
  return v;
}

function custody(): string[] {
  return docs.map((d) =>
    evaluatePolicy(pack, d)
      .results.map((r) => (r.outcome === 'pass' ? '1' : '0'))
      .join(''),
  );
}

function peer(): string[] {
  return docs.map((d) => {
    const bindings = { evidence: forBuf(toCel(d, EVIDENCE_SHAPE)), params } as never;
    return planned.map((p) => (p.run(bindings) === true ? '1' : '0')).join('');
  });
}

// Same verdicts, rule by rule, before anything is timed.
const a = custody();
const b = peer();
for (let i = 0; i < COUNT; i++)
  if (a[i] !== b[i]) throw new Error(`document ${i}: custody ${a[i]}, @bufbuild/cel ${b[i]}`);
const failing = a.filter((v) => v.includes('0')).length;

const times = { custody: [] as number[], peer: [] as number[] };
for (let r = 0; r < RUNS; r++) {
  // Alternate which goes first, so neither always runs on a warmer heap.
  const order = r % 2 === 0 ? (['custody', 'peer'] as const) : (['peer', 'custody'] as const);
  for (const side of order) {
    const t0 = performance.now();
    if (side === 'custody') custody();
    else peer();
    times[side].push(performance.now() - t0);
  }
}
const us = (ms: number) => ((ms * 1000) / COUNT).toFixed(1);
const c = median(times.custody);
const p = median(times.peer);
console.log(
  `built-in pack (${pack.rules.length} rules), ${COUNT} evidence documents (${LICENSES} licences each; ${failing} with a failing rule), median of ${RUNS}`,
);
console.log(
  `  custody policy eval   ${us(c)} µs per document (${(COUNT / (c / 1000)).toFixed(0)}/s)`,
);
console.log(
  `  @bufbuild/cel, planned ${us(p)} µs per document (${(COUNT / (p / 1000)).toFixed(0)}/s)`,
);
console.log(`  ratio (peer / custody) ${(p / c).toFixed(2)}×`);
console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
