/**
 * npm run bench -- sbom-validate [--runs N] [--sizes 1000,5000,50000] [--peer-timeout S]
 *
 * Validating a CycloneDX 1.6 SBOM against its official JSON schema: Custody's precompiled
 * validator side by side with @cyclonedx/cyclonedx-library's `Validation.JsonStrictValidator`
 * (ajv compiled at run time). Each run is a fresh process given the document's bytes; it reports
 * "cold" (import/compile + parse + validate, what one CLI run pays) and "warm" (a second
 * validation in the same process). The verdicts of both must agree. The library's ajv checks
 * `uniqueItems` pairwise, which is quadratic in the number of components, so on the largest
 * document it may not finish within --peer-timeout: that is reported as a lower bound.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateCycloneDx } from './_gen-cyclonedx.js';
import { fmtMs, median } from './_harness.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};

type Tool = 'custody' | 'cyclonedx-library';
interface WorkerResult {
  coldMs: number;
  warmMs: number;
  valid: boolean;
}

if (process.argv[2] === '--worker') {
  const result = await worker(process.argv[3] as Tool, process.argv[4] as string);
  process.stdout.write(JSON.stringify(result));
} else {
  await main();
}

/** One measured process: validate the file twice, report times and the verdict. */
async function worker(tool: Tool, file: string): Promise<WorkerResult> {
  const bytes = readFileSync(file);
  if (tool === 'custody') {
    const t0 = performance.now();
    const { validateSbom } = await import('../src/formats/index.js');
    const first = await validateSbom(bytes, { what: file });
    const coldMs = performance.now() - t0;
    const t1 = performance.now();
    await validateSbom(bytes, { what: file });
    return { coldMs, warmMs: performance.now() - t1, valid: first.valid };
  }
  const text = bytes.toString('utf8');
  const t0 = performance.now();
  const { Validation, Spec } = await import('@cyclonedx/cyclonedx-library');
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  const errors = await validator.validate(text);
  const coldMs = performance.now() - t0;
  const t1 = performance.now();
  await validator.validate(text);
  return { coldMs, warmMs: performance.now() - t1, valid: errors === null };
}

interface Measured {
  tool: Tool;
  cold: number[];
  warm: number[];
  valid?: boolean;
  timedOut: boolean;
  error?: string;
}

function measure(tool: Tool, file: string, runs: number, timeoutMs: number): Measured {
  const m: Measured = { tool, cold: [], warm: [], timedOut: false };
  for (let i = 0; i <= runs; i++) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/sbom-validate.ts'), '--worker', tool, file],
      { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 26 },
    );
    if (r.error || r.signal) {
      m.timedOut = true;
      return m;
    }
    if (r.status !== 0) {
      m.error = (r.stderr || r.stdout).split('\n').slice(0, 3).join(' ').slice(0, 200);
      return m;
    }
    const out = JSON.parse(r.stdout) as WorkerResult;
    m.valid = out.valid;
    if (i === 0) continue; // warm-up: file cache, tsx's transform cache
    m.cold.push(out.coldMs);
    m.warm.push(out.warmMs);
  }
  return m;
}

async function main(): Promise<void> {
  const runs = Number(arg('--runs', '5'));
  const sizes = arg('--sizes', '1000,5000,50000').split(',').map(Number);
  const timeoutMs = Number(arg('--peer-timeout', '120')) * 1000;
  const dir = join(ROOT, 'bench/.data/sbom-validate');
  mkdirSync(dir, { recursive: true });
  for (const size of sizes) {
    const file = join(dir, `bom-${size}.cdx.json`);
    const text = generateCycloneDx(size);
    writeFileSync(file, text);
    console.log(
      `\n## CycloneDX 1.6, ${size.toLocaleString('en')} components, ${(text.length / 1e6).toFixed(1)} MB` +
        `  (median of ${runs} fresh processes after a warm-up)`,
    );
    const custody = measure('custody', file, runs, 10 * 60_000);
    // The quadratic peer gets fewer runs on big inputs so the bench ends in minutes.
    const peerRuns = size > 10_000 ? 1 : runs;
    const peer = measure('cyclonedx-library', file, peerRuns, timeoutMs);
    for (const m of [custody, peer]) {
      const state = m.timedOut
        ? `did not finish within ${timeoutMs / 1000} s`
        : m.error
          ? `failed: ${m.error}`
          : `cold ${fmtMs(median(m.cold)).padStart(8)}   warm ${fmtMs(median(m.warm)).padStart(8)}   valid=${m.valid}`;
      console.log(`  ${m.tool.padEnd(18)} ${state}`);
    }
    if (custody.valid === undefined) continue;
    if (peer.valid !== undefined && peer.valid !== custody.valid) {
      console.log('  VERDICTS DIFFER: the comparison is void');
      process.exitCode = 1;
      continue;
    }
    const c = median(custody.cold);
    if (peer.timedOut) {
      console.log(
        `  ratio: custody is more than ${(timeoutMs / c).toFixed(0)}x faster (cold; peer timed out)`,
      );
    } else if (peer.cold.length > 0) {
      console.log(
        `  ratio: custody is ${(median(peer.cold) / c).toFixed(1)}x faster cold, ` +
          `${(median(peer.warm) / median(custody.warm)).toFixed(1)}x warm (target: faster)`,
      );
    }
  }
}
