import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { compileImagePattern } from '../../admission/image-pattern.js';
import type { TrustedIdentity } from '../../admission/types.js';
import {
  type AdmissionCacheSettings,
  type AdmissionSettings,
  type AdmissionTrustSettings,
  loadAdmissionCacheSettings,
  loadAdmissionSettings,
  loadAdmissionTrustSettings,
  loadOciSettings,
  loadSloSettings,
  type SloSettings,
} from '../../config/index.js';
import { readVerificationKey } from '../../fs/key-files.js';
import { readTrustedRoots } from '../../fs/trusted-root-files.js';
import { HttpClient } from '../../net/http.js';
import { parseTrustedRoot } from '../../sign/index.js';
import { runningImagesIn } from '../../store/admission-decisions.js';
import type { Services } from '../services.js';
import { createAdmission } from './admit.js';
import { type AdmissionEngine, createImageChecker, openAdmissionRegistry } from './engine/index.js';
import type { AdmissionFace } from './face.js';
import {
  type BlastRadiusFn,
  probeUpstreams,
  revertHealedOverrides,
  StoredAdmissionGovernance,
} from './governance/index.js';
import {
  type BatchingDecisionRecorder,
  createDecisionRecorder,
  type ReconcileDeps,
  type RecorderHooks,
} from './records/index.js';

export interface OpenAdmissionOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** `--admission-default-mode` (wins over CUSTODY_ADMISSION_DEFAULT_MODE). */
  defaultMode?: string | undefined;
  /** The trusted root this service serves (its CA, when keyless signing is on, and its log). */
  ownTrustedRoot?: (() => unknown) | undefined;
  /** The OIDC issuers this service's CA certifies identities of (the default trusted identities). */
  caIssuers: readonly string[];
  /** Where relative file settings are read from. */
  cwd: string;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>) => void;
  /** Background work: material refresh, health probes and override reverts (default on). */
  jobs?: boolean;
}

export interface OpenedAdmission {
  face: AdmissionFace;
  engine: AdmissionEngine;
  governance: StoredAdmissionGovernance;
  recorder: BatchingDecisionRecorder;
  settings: AdmissionSettings;
  cache: AdmissionCacheSettings;
  slo: SloSettings;
  reconcile: ReconcileDeps;
  blastRadius: BlastRadiusFn;
  /** Where the recorder's counters go: set once `/metrics` exists. */
  hooks: { current: RecorderHooks | undefined };
  close(): Promise<void>;
}

/**
 * Compose admission from the service's settings: the governance reader (namespaces, exceptions,
 * overrides, clusters), the image checker (registry allow-list, trust, caches), the decision
 * recorder, and the periodic work that keeps deciding through outages (material refreshed before
 * it expires, upstream health probed, healed overrides reverted).
 * @throws CoreError USAGE (settings); SignError (a trusted root or key file)
 */
export function openAdmission(s: Services, o: OpenAdmissionOptions): OpenedAdmission {
  const settings = loadAdmissionSettings(o.env, { defaultMode: o.defaultMode });
  const cache = loadAdmissionCacheSettings(o.env);
  const trustSettings = loadAdmissionTrustSettings(o.env);
  const slo = loadSloSettings(o.env);
  const oci = loadOciSettings(o.env);
  const governance = new StoredAdmissionGovernance(s, { defaultMode: settings.defaultMode });
  const engine = createImageChecker(s, {
    client: openAdmissionRegistry(oci, cache),
    trust: engineTrust(o, trustSettings),
    defaultIdentities: defaultIdentities(trustSettings, o.caIssuers),
    cache,
    generation: () => governance.generation(),
    requireLog: trustSettings.requireLog,
    onError: (err, image) => o.log('error', 'admission check failed', { err, image }),
  });
  const hooks: { current: RecorderHooks | undefined } = { current: undefined };
  const recorder = createDecisionRecorder(s, {
    deploymentRefreshMs: 60_000,
    // A record waits up to 50 ms for others to share its commit (and takes up to 256 of them):
    // under load one synced commit per 50 ms instead of one per event-loop turn.
    lingerMs: 50,
    maxBatch: 256,
    recorded: (d) => hooks.current?.recorded?.(d),
    failed: (e, n) => {
      hooks.current?.failed?.(e, n);
      o.log('error', 'admission decisions not recorded yet (kept and retried)', { err: e, n });
    },
    dropped: (n) => hooks.current?.dropped?.(n),
  });
  const patterns = new Map<string, ReturnType<typeof compileImagePattern>>();
  const face = createAdmission({
    checker: engine,
    governance,
    recorder,
    matches: (pattern, image) => {
      let p = patterns.get(pattern);
      if (p === undefined) {
        if (patterns.size > 10_000) patterns.clear();
        p = compileImagePattern(pattern);
        patterns.set(pattern, p);
      }
      return p.test(image);
    },
    clock: s.clock,
    onCheckError: (err, image) => o.log('error', 'admission check threw', { err, image }),
  });
  const stops: (() => void)[] = [];
  if (o.jobs !== false) {
    stops.push(every(Math.max(1000, cache.ttlMs / 5), () => engine.refresh()));
    const upstreams =
      trustSettings.upstreams ??
      oci.registries.map((r) => ({
        name: r,
        url: `${oci.insecure.includes(r) ? 'http' : 'https'}://${r}/v2/`,
      }));
    const http = new HttpClient({ breaker: false, retries: 0 });
    stops.push(
      every(30_000, async () => {
        if (upstreams.length > 0) await probeUpstreams(s, upstreams, http);
        const reverted = await revertHealedOverrides(s, s.clock());
        if (reverted.length > 0)
          o.log('info', 'mode overrides reverted: upstream health held', { reverted });
      }),
    );
  }
  return {
    face,
    engine,
    governance,
    recorder,
    settings,
    cache,
    slo,
    reconcile: {
      checker: engine,
      governanceNs: (cluster, ns) => governance.namespaceConfig(cluster, ns),
    },
    blastRadius: async (namespaces) => {
      const r = await runningImagesIn(s.db.read, namespaces);
      return { namespaces: r.namespaces, images: r.images };
    },
    hooks,
    async close() {
      for (const stop of stops) stop();
      await recorder.close();
      await engine.close();
    },
  };
}

function engineTrust(o: OpenAdmissionOptions, t: AdmissionTrustSettings) {
  const own = o.ownTrustedRoot?.();
  const roots = [
    ...(own !== undefined ? [parseTrustedRoot(own)] : []),
    // Only the files named: readTrustedRoots falls back to public Sigstore's root when given none.
    ...(t.trustedRootFiles.length > 0 ? readTrustedRoots(t.trustedRootFiles, o.cwd) : []),
  ];
  const keys = t.keys.map((k) => ({
    name: basename(k.file),
    key: readVerificationKey(k.file).publicKey,
    role: k.role,
  }));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(own ?? null))
    .update(JSON.stringify(t.trustedRootFiles))
    .update(
      JSON.stringify(
        keys.map((k) => [k.name, k.role, k.key.export({ type: 'spki', format: 'pem' })]),
      ),
    )
    .digest('hex');
  return { roots, keys, rootsFingerprint: fingerprint };
}

function defaultIdentities(
  t: AdmissionTrustSettings,
  caIssuers: readonly string[],
): TrustedIdentity[] {
  if (t.identities !== undefined) return t.identities;
  return caIssuers.map((issuer) => ({ issuer, subjectRegexp: '.+' }));
}

/** Run `task` every `ms` (never two at once); a failure waits for the next tick. */
function every(ms: number, task: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
