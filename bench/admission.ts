/**
 * npm run bench -- admission [--runs 3] [--duration 10] [--connections 50] [--pods 8]
 *   [--containers 8] [--singles 8] [--sign-concurrency 4] [--no-build] [--keep] [--cpu-prof DIR]
 *   [--no-recorder]
 *
 * The admission webhook over HTTP on loopback, on the real parts: `custody serve --dev-oidc`
 * (a child process, SQLite, built from dist/) with CUSTODY_OCI_REGISTRIES naming a real
 * docker-registry on loopback; every image pushed there, then keyless-signed and SBOM-attested
 * with the CLI, as test/admission/e2e.test.ts does. AdmissionReviews are posted to
 * /admission/validate with a registered cluster's bearer token, as a cluster's API server sends
 * them: every allowed review then also records its digests as deployed in that cluster.
 *
 * - cold: each review a pod of `--containers` distinct signed+attested images that the service
 *   has never checked (registry lookups, bundle verification, policy), one review at a time;
 *   then a pod of one image never checked. `--pods` reviews of each kind per run, every run on
 *   images of its own, so runs × (pods × containers + singles) images are signed beforehand
 *   (216 by default: signing takes a few minutes, so the count is kept modest).
 * - warm: `--connections` clients, closed loop, for `--duration` s, posting reviews of the pods
 *   the cold runs checked (8 images each); the service's /metrics counters before and after
 *   show the run was answered from its caches (no miss). Closed loop, mean latency is
 *   connections / throughput (Little's law), so the same is measured again with
 *   `--light-connections` clients: the answer path's own latency, without the queue.
 * - the ceiling: the same load generator with the same bodies against a minimal node:http
 *   server (a child process too) that answers a fixed AdmissionReview response of the same size.
 *
 * - the decision recorder in-process (bench/_admission-recorder.ts): event-loop time held per
 *   decision by the service's recorder beside the recorder as it was before issue [11].
 *
 * Every answer is read: every cold and warm answer must allow; anything else is counted and
 * fails the bench. Median of --runs runs after a warm-up; peak RSS (VmHWM) of the service.
 * The peers (sigstore policy-controller, Kyverno) are Go webhooks that need a Kubernetes cluster:
 * they cannot run here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRegistry } from '../src/app/oci/registry.js';
import { run as cli } from '../src/cli/main.js';
import { MEDIA } from '../src/oci/index.js';
import { CONFORMANCE } from '../test/helpers/conformance.js';
import { buildImageBlobs } from '../test/helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../test/helpers/registry.js';
import { measureReviews, type ReviewStats } from './_admission-load.js';
import { measureRecorder, type RecorderFigures } from './_admission-recorder.js';
import { median } from './_harness.js';
import { buildDist, percentile, stderrOut } from './_service.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
/** Headers of every review posted: JSON, and the bench cluster's token once it is registered. */
const REVIEW_HEADERS: Record<string, string> = { 'content-type': 'application/json' };

const OPTS = {
  runs: Number(arg('runs', '3')),
  durationS: Number(arg('duration', '10')),
  connections: Number(arg('connections', '50')),
  lightConnections: Number(arg('light-connections', '4')),
  pods: Number(arg('pods', '8')),
  containers: Number(arg('containers', '8')),
  singles: Number(arg('singles', '8')),
  signConcurrency: Number(arg('sign-concurrency', '4')),
  build: !argv.includes('--no-build'),
  keep: argv.includes('--keep'),
  cpuProf: argv.includes('--cpu-prof') ? resolve(arg('cpu-prof', 'bench/.data/prof')) : undefined,
};
const TARGETS = { warmPerS: 2000, warmP99Ms: 10, coldP99Ms: 300 };
const OUT = stderrOut();
const say = OUT.say;
const SUBJECT = 'releaser@example.com';

interface Served {
  child: ChildProcess;
  url: string;
  token: string;
  stderr: () => string;
}

async function main(): Promise<void> {
  if (OPTS.build) buildDist(ROOT, OUT);
  const dir = mkdtempSync(join(tmpdir(), 'custody-bench-admission-'));
  const reg = await startRegistry();
  let served: Served | undefined;
  let ceiling: Served | undefined;
  try {
    served = await serve(join(dir, 'data'), reg);
    say(`service up on ${served.url} (data dir ${dir}), registry ${reg.host}`);
    // The reviews come from a registered cluster (its kubeconfig's bearer token), as in production.
    const added = await fetch(`${served.url}/api/v1/admission/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${served.token}` },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (added.status !== 201) throw new Error(`cluster not registered: ${await added.text()}`);
    REVIEW_HEADERS['authorization'] = `Bearer ${((await added.json()) as { token: string }).token}`;
    const env = {
      CUSTODY_URL: served.url,
      CUSTODY_TOKEN: served.token,
      CUSTODY_DEV_OIDC_SUBJECT: SUBJECT,
      CUSTODY_OCI_REGISTRIES: reg.host,
    };
    writeFileSync(
      join(dir, 'sbom.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }),
    );

    // Images for every cold review of every run (and the warm-up run), each never checked.
    const perRun = OPTS.pods * OPTS.containers + OPTS.singles;
    const total = (OPTS.runs + 1) * perRun;
    const t0 = performance.now();
    const images = await prepareImages(reg, dir, env, total);
    const prepS = (performance.now() - t0) / 1000;
    say(
      `${total} images pushed, keyless-signed and SBOM-attested through the CLI in ${prepS.toFixed(0)} s`,
    );

    // Cold: one review at a time, each on images of its own.
    const coldPods: number[][] = [];
    const coldSingles: number[][] = [];
    const warmPods: string[][] = [];
    let wrong = 0;
    let firstWrong: string | undefined;
    let uid = 0;
    const post = async (imgs: string[], ns: string) => {
      const body = reviewBody(imgs, ns, `cold-${++uid}`);
      const t = performance.now();
      const r = await fetch(`${served?.url}/admission/validate?timeout=10s`, {
        method: 'POST',
        headers: REVIEW_HEADERS,
        body,
      });
      const text = await r.text();
      const ms = performance.now() - t;
      if (r.status !== 200 || !allowed(text)) {
        wrong++;
        firstWrong ??= `${r.status} ${text.slice(0, 400)}`;
      }
      return ms;
    };
    for (let runNo = 0; runNo <= OPTS.runs; runNo++) {
      const mine = images.slice(runNo * perRun, (runNo + 1) * perRun);
      const pods: number[] = [];
      const singles: number[] = [];
      for (let p = 0; p < OPTS.pods; p++) {
        const pod = mine.slice(p * OPTS.containers, (p + 1) * OPTS.containers);
        pods.push(await post(pod, 'shop'));
        warmPods.push(pod);
      }
      for (let s = 0; s < OPTS.singles; s++)
        singles.push(await post([mine[OPTS.pods * OPTS.containers + s] as string], 'shop'));
      OUT.progress(`cold run ${runNo}: pod p50 ${percentile(pods, 50).toFixed(1)} ms`);
      if (runNo === 0) continue; // warm-up: JIT, connections to the registry
      coldPods.push(pods);
      coldSingles.push(singles);
    }

    // Warm: the pods the cold runs checked, many clients at once.
    const bodies = Array.from({ length: 200 }, (_, i) =>
      reviewBody(warmPods[i % warmPods.length] as string[], 'shop', `warm-${i}`),
    );
    const answer = await (
      await fetch(`${served.url}/admission/validate`, {
        method: 'POST',
        headers: REVIEW_HEADERS,
        body: bodies[0] as string,
      })
    ).text();
    ceiling = await ceilingServer(answer);
    // One at a time first: the answer path alone, without queueing behind other clients.
    const serial: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      const r = await fetch(`${served.url}/admission/validate`, {
        method: 'POST',
        headers: REVIEW_HEADERS,
        body: bodies[i % bodies.length] as string,
      });
      const text = await r.text();
      serial.push(performance.now() - t);
      if (r.status !== 200 || !allowed(text)) {
        wrong++;
        firstWrong ??= `${r.status} ${text.slice(0, 400)}`;
      }
    }
    const load = (url: string, durationS: number, connections = OPTS.connections) =>
      measureReviews({
        url,
        connections,
        durationS,
        bodies,
        headers: REVIEW_HEADERS,
        verify: allowed,
      });
    const before = await metrics(served);
    await load(`${served.url}/admission/validate`, 2); // warm-up
    await load(`${ceiling.url}/admission/validate`, 2);
    const warm: ReviewStats[] = [];
    const limit: ReviewStats[] = [];
    const light: ReviewStats[] = [];
    for (let r = 0; r < OPTS.runs; r++) {
      // Alternate which goes first, so neither always runs on a cooler machine.
      const order = r % 2 === 0 ? ['svc', 'lim'] : ['lim', 'svc'];
      for (const side of order) {
        OUT.progress(`warm run ${r + 1}/${OPTS.runs}: ${side}`);
        if (side === 'svc')
          warm.push(await load(`${served.url}/admission/validate`, OPTS.durationS));
        else limit.push(await load(`${ceiling.url}/admission/validate`, OPTS.durationS));
      }
      // Closed loop, latency is connections / throughput (Little's law): 50 clients at 2,000/s
      // wait 25 ms on average whatever the service does. A few clients show the answer path.
      OUT.progress(`warm run ${r + 1}/${OPTS.runs}: ${OPTS.lightConnections} clients`);
      light.push(
        await load(`${served.url}/admission/validate`, OPTS.durationS, OPTS.lightConnections),
      );
    }
    const after = await metrics(served);
    const rssMiB = vmHwmMiB(served.child.pid as number);

    report({
      coldPods,
      coldSingles,
      warm,
      limit,
      light,
      before,
      after,
      rssMiB,
      prepS,
      total,
      wrong,
      firstWrong,
      serial,
      answerBytes: Buffer.byteLength(answer),
      requestBytes: Buffer.byteLength(bodies[0] as string),
    });
    const failed = wrong > 0 || [...warm, ...limit].some((s) => s.errors > 0 || s.wrongAnswers > 0);
    if (failed) process.exitCode = 1;
  } finally {
    if (ceiling) await stop(ceiling.child);
    if (served) await stop(served.child);
    await reg.stop();
    if (OPTS.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  if (!argv.includes('--no-recorder')) {
    // In this process, after the service is gone: what recording costs the event loop.
    const rec = await measureRecorder(OPTS.runs);
    const f = (x: RecorderFigures) =>
      `${x.heldUs.toFixed(0)} µs of event loop held per decision (in its transactions), ${x.cpuUs.toFixed(0)} µs CPU, ${x.perTransaction.toFixed(0)} decisions a transaction`;
    console.log(
      `decision recorder in-process, 2,000 decisions/s of 8 admitted images, SQLite, median of ${OPTS.runs}:`,
    );
    console.log(`  the service's (linger 50 ms, prepared rows)  ${f(rec.service)}`);
    console.log(`  as before [11] (a commit per loop turn)     ${f(rec.before)}`);
    console.log(`  event loop held: ${(rec.before.heldUs / rec.service.heldUs).toFixed(1)}× less`);
  }
}

// ---------------------------------------------------------------------------------------------

function allowed(body: string): boolean {
  return body.includes('"allowed":true');
}

const EXAMPLE = readFileSync(
  join(CONFORMANCE, 'admission/example-request-pod-create.json'),
  'utf8',
);

/** The conformance example's pod, in `ns`, its containers replaced by `images`. */
function reviewBody(images: string[], ns: string, uid: string): string {
  const body = JSON.parse(EXAMPLE);
  body.request.uid = uid;
  body.request.namespace = ns;
  body.request.object.metadata.namespace = ns;
  body.request.object.spec.initContainers = [];
  body.request.object.spec.containers = images.map((image, i) => ({ name: `c${i}`, image }));
  return JSON.stringify(body);
}

async function prepareImages(
  reg: TestRegistry,
  dir: string,
  env: Record<string, string>,
  n: number,
): Promise<string[]> {
  const { client } = openRegistry({ CUSTODY_OCI_REGISTRIES: reg.host });
  const out: string[] = new Array(n);
  const run = async (...args: string[]) => {
    let text = '';
    const code = await cli(args, {
      stdout: { write: (s: string) => (text += s) },
      stderr: { write: (s: string) => (text += s) },
      env,
      cwd: dir,
    });
    if (code !== 0) throw new Error(`custody ${args.join(' ')}: exit ${code}: ${text}`);
  };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const name = `app-${i}`;
      const built = await buildImageBlobs({
        layers: [{ files: [{ path: 'app', content: `${name}\n` }], gzip: true }],
      });
      const repo = { registry: reg.host, repository: `bench/${name}` };
      for (const [d, bytes] of built.blobs)
        if (d !== built.manifestDigest)
          await client.pushBlob(repo, bytes, 'application/octet-stream');
      await client.putManifest(
        repo,
        '1.0',
        built.blobs.get(built.manifestDigest) as Uint8Array,
        MEDIA.ociManifest,
      );
      const ref = `${reg.host}/bench/${name}@${built.manifestDigest}`;
      await run('sign', ref);
      await run('attest', ref, '--type', 'cyclonedx', '--predicate', 'sbom.json');
      out[i] = ref;
      OUT.progress(`images signed and attested: ${++done}/${n}`);
    }
  };
  await Promise.all(Array.from({ length: OPTS.signConcurrency }, worker));
  return out;
}

async function serve(dataDir: string, reg: TestRegistry): Promise<Served> {
  const nodeArgs = OPTS.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${OPTS.cpuProf}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(ROOT, 'bin/custody.js'),
      'serve',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--dev-oidc',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CUSTODY_DATABASE_URL: '',
        CUSTODY_LOG_LEVEL: 'warn',
        CUSTODY_TLOG_RATE: '0',
        CUSTODY_OCI_REGISTRIES: reg.host,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
    if (err.length > 1 << 20) err = err.slice(-(1 << 19));
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /Custody is listening on (http:\/\/\S+)/.exec(err)?.[1];
    const token = /CUSTODY_TOKEN=(\S+)/.exec(out)?.[1];
    if (url && token) return { child, url, token, stderr: () => err };
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`custody serve did not start: ${err.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** node:http in a child process answering every POST with `answer`: the loopback ceiling. */
async function ceilingServer(answer: string): Promise<Served> {
  const src = `
    const http = require('node:http');
    const answer = Buffer.from(${JSON.stringify(answer)});
    const srv = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer));
    });
    srv.keepAliveTimeout = 60000;
    srv.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + srv.address().port + '\\n'));
  `;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'ignore', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  for (let i = 0; i < 200; i++) {
    const url = /listening on (http:\/\/\S+)/.exec(err)?.[1];
    if (url) return { child, url, token: '', stderr: () => err };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the ceiling server did not start: ${err}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

const COUNTERS = [
  'custody_admission_cache_hits',
  'custody_admission_cache_decision_hits',
  'custody_admission_cache_misses',
  'custody_admission_cache_coalesced',
  'custody_admission_cache_stale_served',
] as const;

async function metrics(s: Served): Promise<Record<string, number>> {
  const text = await (
    await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.token}` } })
  ).text();
  const out: Record<string, number> = {};
  for (const name of COUNTERS) {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    out[name] = m ? Number(m[1]) : Number.NaN;
  }
  const decisions = [
    ...text.matchAll(/^custody_admission_decisions_total\{([^}]*)\} (\S+)$/gm),
  ].map((m) => [m[1], Number(m[2])] as const);
  out['decisions_allowed'] = decisions
    .filter(([l]) => l?.includes('result="allowed"'))
    .reduce((a, [, n]) => a + n, 0);
  out['decisions_denied'] = decisions
    .filter(([l]) => !l?.includes('result="allowed"'))
    .reduce((a, [, n]) => a + n, 0);
  return out;
}

function vmHwmMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

function report(r: {
  coldPods: number[][];
  coldSingles: number[][];
  warm: ReviewStats[];
  limit: ReviewStats[];
  light: ReviewStats[];
  before: Record<string, number>;
  after: Record<string, number>;
  rssMiB: number;
  prepS: number;
  total: number;
  wrong: number;
  firstWrong: string | undefined;
  serial: number[];
  answerBytes: number;
  requestBytes: number;
}): void {
  const f = (n: number) => (Number.isNaN(n) ? 'n/a' : n < 10 ? n.toFixed(2) : n.toFixed(1));
  const med = (xs: ReviewStats[], k: keyof ReviewStats) => median(xs.map((x) => x[k] as number));
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const allPods = r.coldPods.flat();
  const allSingles = r.coldSingles.flat();
  const perRunMed = (runs: number[][], p: number) => median(runs.map((xs) => percentile(xs, p)));
  const lines: string[] = [];
  lines.push(
    `admission webhook: custody serve (SQLite, dist/) + docker-registry on loopback, ${r.total} images signed and attested through the CLI (${r.prepS.toFixed(0)} s), median of ${OPTS.runs} runs after a warm-up`,
  );
  lines.push(
    `cold, ${OPTS.containers} distinct never-checked images per pod, one review at a time (${OPTS.pods} per run, ${allPods.length} in all):`,
  );
  lines.push(
    `  pod review      p50 ${f(perRunMed(r.coldPods, 50))} ms  p95 ${f(perRunMed(r.coldPods, 95))} ms  p99 ${f(perRunMed(r.coldPods, 99))} ms  (all runs pooled: p50 ${f(percentile(allPods, 50))}, p99 ${f(percentile(allPods, 99))}, max ${f(Math.max(...allPods))} ms)  target p99 < ${TARGETS.coldP99Ms} ms: ${verdict(percentile(allPods, 99) < TARGETS.coldP99Ms)}`,
  );
  lines.push(
    `  single image    p50 ${f(perRunMed(r.coldSingles, 50))} ms  p95 ${f(perRunMed(r.coldSingles, 95))} ms  p99 ${f(perRunMed(r.coldSingles, 99))} ms  (pooled max ${f(Math.max(...allSingles))} ms)`,
  );
  const w = {
    rps: med(r.warm, 'requestsPerS'),
    p50: med(r.warm, 'p50Ms'),
    p95: med(r.warm, 'p95Ms'),
    p99: med(r.warm, 'p99Ms'),
  };
  const l = {
    rps: med(r.limit, 'requestsPerS'),
    p50: med(r.limit, 'p50Ms'),
    p95: med(r.limit, 'p95Ms'),
    p99: med(r.limit, 'p99Ms'),
  };
  lines.push(
    `warm, ${OPTS.connections} clients closed loop, ${OPTS.durationS} s per run, pods of ${OPTS.containers} images already checked:`,
  );
  lines.push(
    `  one client, one review at a time (${r.serial.length})  p50 ${f(percentile(r.serial, 50))} ms  p95 ${f(percentile(r.serial, 95))} ms  p99 ${f(percentile(r.serial, 99))} ms  (review ${r.requestBytes} bytes, answer ${r.answerBytes} bytes)`,
  );
  lines.push(
    `  custody serve   ${w.rps.toFixed(0)} reviews/s  p50 ${f(w.p50)} ms  p95 ${f(w.p95)} ms  p99 ${f(w.p99)} ms  (runs: ${r.warm.map((x) => x.requestsPerS.toFixed(0)).join(', ')}/s)  targets ≥ ${TARGETS.warmPerS}/s: ${verdict(w.rps >= TARGETS.warmPerS)}, p99 < ${TARGETS.warmP99Ms} ms: ${verdict(w.p99 < TARGETS.warmP99Ms)}`,
  );
  lines.push(
    `  custody serve, ${OPTS.lightConnections} clients  ${med(r.light, 'requestsPerS').toFixed(0)} reviews/s  p50 ${f(med(r.light, 'p50Ms'))} ms  p95 ${f(med(r.light, 'p95Ms'))} ms  p99 ${f(med(r.light, 'p99Ms'))} ms  p99 < ${TARGETS.warmP99Ms} ms: ${verdict(med(r.light, 'p99Ms') < TARGETS.warmP99Ms)}`,
  );
  lines.push(
    `  node:http fixed answer (the loopback ceiling, same load generator and bodies)  ${l.rps.toFixed(0)} reviews/s  p50 ${f(l.p50)} ms  p95 ${f(l.p95)} ms  p99 ${f(l.p99)} ms`,
  );
  lines.push(`  custody / ceiling  ${((w.rps / l.rps) * 100).toFixed(1)} % of the throughput`);
  const d = (k: string) => (r.after[k] ?? Number.NaN) - (r.before[k] ?? Number.NaN);
  lines.push(
    `  service counters over the warm runs (/metrics): image cache hits +${d('custody_admission_cache_hits')}, decision cache hits +${d('custody_admission_cache_decision_hits')}, misses +${d('custody_admission_cache_misses')}, coalesced +${d('custody_admission_cache_coalesced')}, stale served +${d('custody_admission_cache_stale_served')}; decisions allowed +${d('decisions_allowed')}, other +${d('decisions_denied')}`,
  );
  const warmReq = [...r.warm, ...r.light, ...r.limit];
  lines.push(
    `answers checked: cold ${allPods.length + allSingles.length + OPTS.pods + OPTS.singles} (warm-up run included), not allowed or failed: ${r.wrong}${r.firstWrong ? ` (first: ${r.firstWrong})` : ''}; warm ${[...r.warm, ...r.light].reduce((a, x) => a + x.requests, 0)} custody / ${r.limit.reduce((a, x) => a + x.requests, 0)} ceiling, errors ${warmReq.reduce((a, x) => a + x.errors, 0)}${
      warmReq.some((x) => x.errorKinds)
        ? ` (${warmReq
            .map((x) => x.errorKinds)
            .filter(Boolean)
            .join('; ')})`
        : ''
    }, not allowed ${warmReq.reduce((a, x) => a + x.wrongAnswers, 0)}`,
  );
  lines.push(`peak RSS of custody serve (VmHWM) ${r.rssMiB.toFixed(0)} MiB`);
  lines.push(
    'peers: sigstore policy-controller and Kyverno are Go webhooks inside a Kubernetes cluster; neither can run here',
  );
  console.log(lines.join('\n'));
}

await main().catch((e: unknown) => {
  say(`admission bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
