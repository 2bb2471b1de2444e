/**
 * npm run bench -- verify [--count N] [--sigstore-js N] [--runs N] [--workers N] [--shared-leaves N]
 *   [--no-shared] [--no-sct]
 *
 * Sigstore bundle verification: Custody's verifier (src/sign/verify) beside @sigstore/verify 3.1
 * called once per bundle, on the same bundles of one trusted root, with the same verdict required
 * for every bundle. The bundles are synthesised here, as a private Sigstore would make them: a
 * root and an intermediate CA, a CT log whose SCT each signing certificate embeds (as Fulcio's
 * do), a Rekor v1-style log (ECDSA P-256) with a signed entry timestamp and an inclusion proof to
 * a signed checkpoint; one bundle in 50 has a tampered signature and must be refused by both.
 * `--no-sct` leaves the SCT out (a private CA without CT; one signature check fewer).
 *
 * Per bundle that is five ECDSA P-256 signature checks (the artifact signature, the leaf's
 * signature by the intermediate, the SCT, the signed entry timestamp, the checkpoint) plus one key
 * import (the leaf's): the machine's limit is measured in the same run (crypto.verify with a
 * prepared KeyObject, P-256 and P-384, the curve of public-good Fulcio's intermediate) and the
 * rate it allows is printed beside Custody's. `--runs` runs alternate @sigstore/verify and
 * Custody (one core), after an untimed warm-up of both on the first 200 bundles, and print the
 * medians, in bundles a second and in CPU time a bundle; peak RSS is the whole process's.
 *
 * The headline is what keyless signing produces: every bundle has its own short-lived signing
 * certificate and its own checkpoint (the tree when it was logged), so Custody's caches of
 * verified certificates and checkpoints never hit. Custody runs on one core, then on `--workers`
 * worker threads. A second row, named as such, measures shared material: `--shared-leaves`
 * certificates (a CI job signing many artifacts with one) and one checkpoint for all bundles,
 * which Custody verifies once each and @sigstore/verify verifies for every bundle.
 */
import {
  createHash,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  sign,
  webcrypto,
} from 'node:crypto';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { bundleFromJSON } from '@sigstore/bundle';
import { X509Certificate as CoreCertificate } from '@sigstore/core';
import { TrustedRoot as ProtoTrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { parseTrustedRoot } from '../src/sign/trusted-root.js';
import { verifyBundle } from '../src/sign/verify/index.js';
import { formatCheckpoint } from '../src/tlog/checkpoint.js';
import { inclusionProof, leafHash, MerkleTree, rootAt } from '../src/tlog/index.js';
import { signNote } from '../src/tlog/note.js';
import { ecdsaNoteSigner } from '../src/tlog/note-keys.js';
import { signEntryTimestamp } from '../src/tlog/rekor.js';

const IDENTITY = 'https://github.com/example/app/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const POLICY = { identity: IDENTITY, issuer: ISSUER };

// A full collection before each timed phase, so neither side pays for the other's garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface Job {
  root: unknown;
  bundles: string[];
  artifacts: string[];
  /** Whether the signing certificates embed an SCT (the peer then requires one). */
  sct: boolean;
}

if (!isMainThread) {
  // A worker: say it is loaded, then verify the share it is sent and answer the verdicts.
  parentPort?.once('message', (job: Job) => {
    parentPort?.postMessage(custodyVerdicts(job, parseTrustedRoot(job.root)));
  });
  parentPort?.postMessage('ready');
} else {
  await main();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number): number => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const count = flag('count', 2_000);
  const sigstoreCount = Math.min(count, flag('sigstore-js', Math.min(count, 500)));
  const runs = Math.max(1, flag('runs', 3));
  const workers = flag('workers', Math.min(2, availableParallelism()));
  const sharedLeaves = flag('shared-leaves', 100);
  const shared = !args.includes('--no-shared');
  const sct = !args.includes('--no-sct');
  const checks = sct ? 5 : 4;

  const t0 = performance.now();
  const job = await synthesise(count, count, 'per-bundle', sct);
  process.stderr.write(
    `synthesised ${count} bundles (a certificate${sct ? ' with an SCT' : ''} and a checkpoint each) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const limitBefore = ecdsaLimit();
  const own = await measure(job, sigstoreCount, workers, runs);
  const limitAfter = ecdsaLimit();
  const p256 = median([limitBefore.p256, limitAfter.p256]);
  const p384 = median([limitBefore.p384, limitAfter.p384]);
  const p256CpuUs = median([limitBefore.p256CpuUs, limitAfter.p256CpuUs]);
  const rows: [string, number, number][] = [
    ['@sigstore/verify 3.1, once per bundle (1 core)', own.sigstoreRate, 1],
    ['Custody verifyBundle (1 core)', own.oneCoreRate, own.oneCoreRate / own.sigstoreRate],
    [
      `Custody verifyBundle (${workers} worker threads)`,
      own.parallelRate ?? Number.NaN,
      (own.parallelRate ?? Number.NaN) / own.sigstoreRate,
    ],
  ];
  let disagreements = own.disagreements;
  let sharedNote = '';
  if (shared) {
    const t1 = performance.now();
    const sharedJob = await synthesise(count, sharedLeaves, 'shared', sct);
    process.stderr.write(
      `synthesised ${count} bundles (${sharedLeaves} certificates, one checkpoint) in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`,
    );
    const m = await measure(sharedJob, sigstoreCount, 0, 1);
    disagreements += m.disagreements;
    rows.push([
      'Custody verifyBundle, shared material (1 core)',
      m.oneCoreRate,
      m.oneCoreRate / m.sigstoreRate,
    ]);
    sharedNote = `    (the ratio is to @sigstore/verify on these bundles: ${m.sigstoreRate.toFixed(0)} bundles/s)\n`;
  }
  const refused = job.bundles.filter((_, i) => i % 50 === 49).length;
  console.log(
    `\nSigstore bundle verification: ${count} bundles, one trusted root, ${refused} must be refused; median of ${runs} alternating runs (@sigstore/verify on the first ${sigstoreCount})`,
  );
  const print = ([name, rate, ratio]: [string, number, number]) =>
    console.log(
      `    ${name.padEnd(52)} ${rate.toFixed(0).padStart(7)} bundles/s  ${ratio.toFixed(1)}x`,
    );
  console.log(
    `  each bundle with its own signing certificate${sct ? ' (with an SCT)' : ''} and checkpoint (keyless signing):`,
  );
  for (const row of rows.slice(0, workers > 0 ? 3 : 2)) print(row);
  console.log(
    `    runs (bundles/s): @sigstore/verify ${own.sigstoreRuns.map((r) => r.toFixed(0)).join(', ')}; Custody ${own.oneCoreRuns.map((r) => r.toFixed(0)).join(', ')}`,
  );
  console.log(
    `    CPU time a bundle: @sigstore/verify ${own.sigstoreCpuUs.toFixed(0)} µs, Custody ${own.oneCoreCpuUs.toFixed(0)} µs (${(own.sigstoreCpuUs / own.oneCoreCpuUs).toFixed(1)}x)`,
  );
  const perBundleUs = 1e6 / own.oneCoreRate;
  const cryptoUs = (checks * 1e6) / p256;
  console.log(
    `  the ECDSA limit, one core (crypto.verify with a prepared KeyObject): P-256 ${p256.toFixed(0)}/s (${(1e6 / p256).toFixed(0)} µs), P-384 ${p384.toFixed(0)}/s (${(1e6 / p384).toFixed(0)} µs)`,
  );
  console.log(
    `    ${checks} P-256 checks a bundle (artifact signature, certificate chain, ${sct ? 'SCT, ' : ''}signed entry timestamp, checkpoint): at most ${(p256 / checks).toFixed(0)} bundles/s;`,
  );
  console.log(
    `    Custody spends ${perBundleUs.toFixed(0)} µs a bundle, ${cryptoUs.toFixed(0)} µs of it the signature checks: ${((100 * own.oneCoreRate) / (p256 / checks)).toFixed(0)} % of that limit`,
  );
  console.log(
    `    in CPU time: ${own.oneCoreCpuUs.toFixed(0)} µs a bundle, ${(checks * p256CpuUs).toFixed(0)} µs of it the ${checks} checks (${((100 * checks * p256CpuUs) / own.oneCoreCpuUs).toFixed(0)} %)`,
  );
  console.log(
    `    (with public-good Fulcio's P-384 intermediate the chain check alone is ${(1e6 / p384).toFixed(0)} µs)`,
  );
  if (rows.length > 3) {
    console.log(
      `  shared material: ${sharedLeaves} signing certificates and one checkpoint for all bundles:`,
    );
    for (const row of rows.slice(3)) print(row);
    process.stdout.write(sharedNote);
  }
  console.log(
    `  verdicts: ${disagreements === 0 ? 'identical' : `${disagreements} DIFFER`} on the ${sigstoreCount} bundles both verified`,
  );
  console.log(
    `  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (the whole process)`,
  );
  if (disagreements !== 0) process.exitCode = 1;
}

/** ECDSA verifications a second on one core, with the key prepared once: the floor per check. */
function ecdsaLimit(): { p256: number; p384: number; p256CpuUs: number; p384CpuUs: number } {
  const rate = (curve: string, hash: string, n: number) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const data = Buffer.alloc(300, 1);
    const sig = sign(hash, data, privateKey);
    for (let i = 0; i < 50; i++) cryptoVerify(hash, data, publicKey, sig);
    const t = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) cryptoVerify(hash, data, publicKey, sig);
    return { rate: n / ((performance.now() - t) / 1000), cpuUs: cpuMicros(cpu) / n };
  };
  const a = rate('P-256', 'sha256', 4000);
  const b = rate('P-384', 'sha384', 500);
  return { p256: a.rate, p384: b.rate, p256CpuUs: a.cpuUs, p384CpuUs: b.cpuUs };
}

function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface Measured {
  sigstoreRate: number;
  oneCoreRate: number;
  sigstoreRuns: number[];
  oneCoreRuns: number[];
  /** CPU time a bundle (process.cpuUsage), steadier than rates on a shared machine. */
  sigstoreCpuUs: number;
  oneCoreCpuUs: number;
  parallelRate: number | undefined;
  disagreements: number;
}

/**
 * `runs` times, alternating: @sigstore/verify on the first `sigstoreCount`, Custody on all
 * (1 core); then Custody on `workers` threads once. Rates are the medians.
 */
async function measure(
  job: Job,
  sigstoreCount: number,
  workers: number,
  runs: number,
): Promise<Measured> {
  const count = job.bundles.length;
  const sj = {
    ...job,
    bundles: job.bundles.slice(0, sigstoreCount),
    artifacts: job.artifacts.slice(0, sigstoreCount),
  };
  // Warm-up, untimed: both verify the first bundles once, so the first timed run does not pay
  // for compiling either (a verifier in a service or a CI job's loop is warm).
  const warm = (xs: string[]) => xs.slice(0, Math.min(200, sigstoreCount));
  sigstoreJsVerdicts({ ...sj, bundles: warm(sj.bundles) });
  custodyVerdicts({ ...job, bundles: warm(job.bundles) }, parseTrustedRoot(job.root));
  const sigstoreRuns: number[] = [];
  const oneCoreRuns: number[] = [];
  const sigstoreCpu: number[] = [];
  const oneCoreCpu: number[] = [];
  let sigstoreVerdicts: boolean[] = [];
  let oneCore: boolean[] = [];
  for (let r = 0; r < runs; r++) {
    // @sigstore/verify, once per bundle, as an application calling it would.
    collectGarbage();
    let t = performance.now();
    let cpu = process.cpuUsage();
    sigstoreVerdicts = sigstoreJsVerdicts(sj);
    sigstoreRuns.push(sigstoreCount / ((performance.now() - t) / 1000));
    sigstoreCpu.push(cpuMicros(cpu) / sigstoreCount);
    // Custody, one core (a fresh parse of the root: caches start cold).
    collectGarbage();
    t = performance.now();
    cpu = process.cpuUsage();
    oneCore = custodyVerdicts(job, parseTrustedRoot(job.root));
    oneCoreRuns.push(count / ((performance.now() - t) / 1000));
    oneCoreCpu.push(cpuMicros(cpu) / count);
  }

  let parallel: boolean[] | undefined;
  let parallelRate: number | undefined;
  if (workers > 0) {
    // Custody on worker threads, each with its share: timed from dispatch to the pool, started
    // beforehand as a service keeps it (loading TypeScript under tsx takes a second per worker).
    const pool = await Promise.all(Array.from({ length: workers }, () => startBenchWorker()));
    const t = performance.now();
    parallel = (
      await Promise.all(
        pool.map((w, n) => {
          const share = (xs: string[]) => xs.filter((_, i) => i % workers === n);
          return runJob(w, {
            root: job.root,
            bundles: share(job.bundles),
            artifacts: share(job.artifacts),
            sct: job.sct,
          });
        }),
      )
    ).reduce<boolean[]>((all, v, n) => {
      v.forEach((verdict, i) => {
        all[i * workers + n] = verdict;
      });
      return all;
    }, []);
    parallelRate = count / ((performance.now() - t) / 1000);
    for (const w of pool) void w.terminate();
  }
  const disagreements = sigstoreVerdicts.filter(
    (v, i) => v !== oneCore[i] || (parallel !== undefined && v !== parallel[i]),
  ).length;
  return {
    sigstoreRate: median(sigstoreRuns),
    oneCoreRate: median(oneCoreRuns),
    sigstoreRuns,
    oneCoreRuns,
    sigstoreCpuUs: median(sigstoreCpu),
    oneCoreCpuUs: median(oneCoreCpu),
    parallelRate,
    disagreements,
  };
}

function custodyVerdicts(job: Job, trust: ReturnType<typeof parseTrustedRoot>): boolean[] {
  return job.bundles.map((b, i) => {
    try {
      verifyBundle(JSON.parse(b), { data: Buffer.from(job.artifacts[i] ?? '') }, POLICY, trust);
      return true;
    } catch {
      return false;
    }
  });
}

function sigstoreJsVerdicts(job: Job): boolean[] {
  const verifier = new Verifier(toTrustMaterial(ProtoTrustedRoot.fromJSON(job.root)), {
    ctlogThreshold: job.sct ? 1 : 0,
  });
  return job.bundles.map((b, i) => {
    try {
      const entity = toSignedEntity(
        bundleFromJSON(JSON.parse(b)),
        Buffer.from(job.artifacts[i] ?? ''),
      );
      verifier.verify(entity, { subjectAlternativeName: IDENTITY, extensions: { issuer: ISSUER } });
      return true;
    } catch {
      return false;
    }
  });
}

function startBenchWorker(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    // Under tsx a worker registers the loader anew (as src/workers/worker-thread.ts does).
    const w = new Worker(
      `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); })`,
      { eval: true },
    );
    w.once('message', () => resolve(w));
    w.once('error', reject);
  });
}

function runJob(w: Worker, job: Job): Promise<boolean[]> {
  return new Promise((resolve, reject) => {
    w.once('message', (v: boolean[]) => resolve(v));
    w.once('error', reject);
    w.postMessage(job);
  });
}

/**
 * `count` bundles signed by `leafCount` certificates in turn; `checkpoints` per-bundle: each
 * bundle proves inclusion under the checkpoint of the tree it was logged into (size index + 1),
 * as a bundle made at logging time does; shared: all under one checkpoint of the whole tree.
 */
async function synthesise(
  count: number,
  leafCount: number,
  checkpoints: 'per-bundle' | 'shared',
  sct: boolean,
): Promise<Job> {
  // Loaded here only: the workers do not need it, and it needs Reflect metadata first.
  await import('../src/sign/ca/reflect-metadata.js');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const now = new Date();
  const day = 86_400_000;
  const rootKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=bench-root, O=custody',
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + 365 * day),
    keys: rootKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const interKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const inter = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=bench-intermediate, O=custody',
    issuer: root.subject,
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + 180 * day),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  // Fulcio's issuer extension (v2): a DER UTF8String.
  const issuerExt = Buffer.concat([Buffer.from([0x0c, ISSUER.length]), Buffer.from(ISSUER)]);
  const ct = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctSpki = ct.publicKey.export({ format: 'der', type: 'spki' });
  const ctLogId = createHash('sha256').update(ctSpki).digest();
  const issuerKeyHash = createHash('sha256')
    .update(Buffer.from(await webcrypto.subtle.exportKey('spki', interKeys.publicKey)))
    .digest();
  const leaves: { der: Buffer; key: KeyObject }[] = [];
  for (let i = 0; i < leafCount; i++) {
    const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pub = await webcrypto.subtle.importKey(
      'spki',
      kp.publicKey.export({ format: 'der', type: 'spki' }),
      alg,
      true,
      ['verify'],
    );
    const fields = {
      serialNumber: (1000 + i).toString(16).padStart(4, '0'),
      subject: '',
      issuer: inter.subject,
      notBefore: new Date(now.getTime() - 600_000),
      notAfter: new Date(now.getTime() + 600_000),
      publicKey: pub,
      signingKey: interKeys.privateKey,
      signingAlgorithm: alg,
    };
    const extensions = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3']),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: IDENTITY }], true),
      new x509.Extension('1.3.6.1.4.1.57264.1.8', false, issuerExt),
      await x509.AuthorityKeyIdentifierExtension.create(interKeys.publicKey),
    ];
    if (sct) {
      // RFC 6962 §3.2: the CT log signs the precertificate, the TBS without the SCT extension
      // (the same fields, so the same bytes as the final certificate's TBS minus that extension).
      const pre = await x509.X509CertificateGenerator.create({ ...fields, extensions });
      const tbs = CoreCertificate.parse(Buffer.from(pre.rawData)).tbsCertificate.toDER();
      extensions.push(new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, sctList(tbs)));
    }
    const cert = await x509.X509CertificateGenerator.create({ ...fields, extensions });
    leaves.push({ der: Buffer.from(cert.rawData), key: kp.privateKey });
  }
  /** The SCT extension's value: a DER OCTET STRING of the TLS SignedCertificateTimestampList. */
  function sctList(tbs: Buffer): Buffer {
    const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(now.getTime()));
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // v1, certificate_timestamp
      timestamp,
      u16(1), // precert_entry
      issuerKeyHash,
      Buffer.from([tbs.length >> 16, (tbs.length >> 8) & 0xff, tbs.length & 0xff]),
      tbs,
      u16(0), // no extensions
    ]);
    const sig = sign('sha256', signed, ct.privateKey);
    const one = Buffer.concat([
      Buffer.from([0]),
      ctLogId,
      timestamp,
      u16(0),
      Buffer.from([4, 3]), // sha256, ecdsa
      u16(sig.length),
      sig,
    ]);
    const list = Buffer.concat([u16(one.length + 2), u16(one.length), one]);
    const len = list.length < 128 ? [list.length] : [0x81, list.length];
    return Buffer.concat([Buffer.from([0x04, ...len]), list]);
  }

  const log = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logSpki = log.publicKey.export({ format: 'der', type: 'spki' });
  const logId = createHash('sha256').update(logSpki).digest();
  const integratedTime = Math.floor(now.getTime() / 1000);
  const tree = new MerkleTree();
  const pending: {
    body: Buffer;
    artifact: string;
    sig: Buffer;
    digest: Buffer;
    leaf: Buffer;
    bad: boolean;
  }[] = [];
  for (let i = 0; i < count; i++) {
    const artifact = `artifact ${i}\n`;
    const leaf = leaves[i % leafCount] as { der: Buffer; key: KeyObject };
    const digest = createHash('sha256').update(artifact).digest();
    const sig = sign('sha256', Buffer.from(artifact), leaf.key);
    const pem = `-----BEGIN CERTIFICATE-----\n${leaf.der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const body = Buffer.from(
      JSON.stringify({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
          signature: {
            content: sig.toString('base64'),
            publicKey: { content: Buffer.from(pem).toString('base64') },
          },
        },
      }),
    );
    tree.append(leafHash(body));
    pending.push({ body, artifact, sig, digest, leaf: leaf.der, bad: i % 50 === 49 });
  }
  const checkpointAt = (size: number) => {
    const rootHash = rootAt(tree, size);
    const envelope = signNote(
      formatCheckpoint({ origin: 'bench.custody.example - 1', size, rootHash, extensions: [] }),
      [ecdsaNoteSigner('bench.custody.example', log.privateKey)],
    );
    return { size, rootHash, envelope };
  };
  const whole = checkpoints === 'shared' ? checkpointAt(tree.size) : undefined;
  const bundles = pending.map((p, i) => {
    const { size, rootHash, envelope } = whole ?? checkpointAt(i + 1);
    const set = signEntryTimestamp(log.privateKey, {
      body: p.body,
      integratedTime,
      logID: logId,
      logIndex: i,
    });
    const signature = Buffer.from(p.sig);
    if (p.bad) signature.writeUInt8((signature.at(-1) ?? 0) ^ 1, signature.length - 1);
    return JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        certificate: { rawBytes: p.leaf.toString('base64') },
        tlogEntries: [
          {
            logIndex: String(i),
            logId: { keyId: logId.toString('base64') },
            kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
            integratedTime: String(integratedTime),
            inclusionPromise: { signedEntryTimestamp: Buffer.from(set).toString('base64') },
            inclusionProof: {
              logIndex: String(i),
              rootHash: Buffer.from(rootHash).toString('base64'),
              treeSize: String(size),
              hashes: inclusionProof(tree, i, size).map((h) => Buffer.from(h).toString('base64')),
              checkpoint: { envelope },
            },
            canonicalizedBody: p.body.toString('base64'),
          },
        ],
      },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: p.digest.toString('base64') },
        signature: signature.toString('base64'),
      },
    });
  });
  const start = new Date(now.getTime() - day).toISOString();
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://bench.custody.example',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: logSpki.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'custody', commonName: 'bench-root' },
        uri: 'https://ca.custody.example',
        certChain: {
          certificates: [
            { rawBytes: Buffer.from(inter.rawData).toString('base64') },
            { rawBytes: Buffer.from(root.rawData).toString('base64') },
          ],
        },
        validFor: { start },
      },
    ],
    ctlogs: sct
      ? [
          {
            baseUrl: 'https://ct.custody.example',
            hashAlgorithm: 'SHA2_256',
            publicKey: {
              rawBytes: ctSpki.toString('base64'),
              keyDetails: 'PKIX_ECDSA_P256_SHA_256',
              validFor: { start },
            },
            logId: { keyId: ctLogId.toString('base64') },
          },
        ]
      : [],
    timestampAuthorities: [],
  };
  return { root: trustedRoot, bundles, artifacts: pending.map((p) => p.artifact), sct };
}
