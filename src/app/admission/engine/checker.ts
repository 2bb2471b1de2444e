import { createHash } from 'node:crypto';
import type { Caller } from '../../../access/index.js';
import {
  type DecisionKeyInput,
  decisionCacheKey,
  expiryBucket,
} from '../../../admission/cache-key.js';
import {
  classifyVerdict,
  judgeSignatures,
  type SignatureJudgement,
  type VerifiedSignature,
} from '../../../admission/classify.js';
import {
  ADMISSION_DEFAULT_POLICY_NAME,
  ADMISSION_DEFAULT_POLICY_SOURCE,
} from '../../../admission/default-policy.js';
import type {
  AdmissionReason,
  DegradedMark,
  ImageVerdict,
  NamespaceConfig,
  TrustedIdentity,
} from '../../../admission/types.js';
import type { AdmissionCacheSettings } from '../../../config/index.js';
import { CustodyError } from '../../../core/index.js';
import { isNetError } from '../../../net/http.js';
import {
  type ImageReference,
  isOciError,
  parseImageReference,
  type RegistryClient,
} from '../../../oci/index.js';
import {
  BUILTIN_PACK_NAME,
  BUILTIN_PACK_SOURCE,
  compileLinearRegex,
  type Evidence,
  emptyEvidence,
  parsePolicy,
  type SignatureFact,
} from '../../../policy/index.js';
import {
  findAdmissionMaterial,
  pruneAdmissionMaterial,
  saveAdmissionMaterial,
  unpinAdmissionMaterial,
} from '../../../store/admission-material.js';
import { evaluateSource } from '../../policy/evaluate-policy.js';
import { gatherEvidence } from '../../policy/gather-evidence.js';
import { getTeamPolicy } from '../../policy/stored-policies.js';
import type { Services } from '../../services.js';
import type { ImageChecker } from '../ports.js';
import { Lru, SingleFlight } from './lru.js';
import {
  type AttestedSbom,
  type EngineTrust,
  materialDigest,
  type VerifiedMaterial,
  verifyMaterial,
} from './material.js';

export interface EngineOptions {
  /**
   * The registry client admission talks through: its allow-list is CUSTODY_OCI_REGISTRIES (a
   * reference elsewhere is refused before any request) and its HttpClient has the short
   * admission time-outs (openAdmissionRegistry builds one).
   */
  client: RegistryClient;
  trust: EngineTrust;
  /** Signers accepted where a namespace names none (the service's configured identities). */
  defaultIdentities: readonly TrustedIdentity[];
  cache: AdmissionCacheSettings;
  /** Exceptions' and overrides' change counter: part of every decision's cache key. */
  generation: () => number | string;
  /** The engine's clock (ms) for TTLs and staleness; default `s.clock()`. */
  now?: () => number;
  /**
   * A counted signature must be in a transparency log (default true). One that is not (signed
   * with `--log-later` while the log was down) makes the verdict `infra` via `log-later`.
   */
  requireLog?: boolean;
  /**
   * Keep verified material in the database as well (default true), so that a replica restarted
   * during an outage still decides from it, and pinned rollback bundles survive restarts.
   */
  persist?: boolean;
  /** Told of failures that are not the registry's (a bug, the database); the verdict is `infra`. */
  onError?: (e: unknown, image: string) => void;
}

export interface EngineStats {
  /** Checks answered from fresh cached material, without the registry. */
  hits: number;
  /** Of those, checks answered from the decision cache (no policy evaluated). */
  decisionHits: number;
  /** Checks that verified from the registry. */
  misses: number;
  /** Checks that joined a verification already under way. */
  coalesced: number;
  /** Checks answered with material past its TTL because the registry was down. */
  staleServed: number;
  rollbackServed: number;
  /** Verified-material entries held (pinned bundles aside). */
  entries: number;
  pinned: number;
  /** The oldest verification time of the material held (ISO 8601), when any. */
  oldestVerifiedAt?: string;
}

export interface AdmissionEngine extends ImageChecker {
  stats(): EngineStats;
  /** Re-verify material in its last fifth of TTL (and past it, within max staleness). */
  refresh(): Promise<{ refreshed: number; failed: number }>;
  /**
   * Verify an image now and keep what verified as its rollback bundle, with no staleness limit:
   * a high-risk namespace may deploy it while the registry is down.
   * @throws OciError (the reference, the registry)
   */
  pin(image: string): Promise<{ digest: string; verifiedAt: string }>;
  unpin(digest: string): Promise<boolean>;
  /**
   * The next check of this digest verifies again, whatever the TTL (reconciliation after an
   * upstream recovered, a `custody log upload`); cached material still stands in if the
   * registry is down then.
   */
  invalidate(digest: string): void;
  close(): void;
}

/**
 * The principal admission reads Custody's own index with (stored SBOM, findings, VEX of a
 * digest): organisation-wide read, nothing else — an image may be any team's.
 */
export const ADMISSION_CALLER: Caller = {
  principal: {
    actor: 'system:admission',
    person: 'system:admission',
    role: 'viewer',
    teams: undefined,
  },
  source: 'admission',
};

interface MaterialEntry {
  ref: ImageReference & { digest: string };
  material: VerifiedMaterial;
  /** Custody's own facts about the digest (undefined: the index does not know it). */
  index: Evidence | undefined;
  digest: string;
}

interface TagEntry {
  digest: string;
  at: number;
}

interface PolicyText {
  name: string;
  source: string;
  what: string;
  version: string;
  digest: string;
  expressions: Map<string, string>;
}

type Got<T> = { ok: T; degraded?: DegradedMark } | { infra: string } | { missing: string };

/** Build the image checker (one per replica): caches, coalescing and verification. */
export function createImageChecker(s: Services, o: EngineOptions): AdmissionEngine {
  const clock = o.now ?? (() => s.clock().getTime());
  const ttl = o.cache.ttlMs;
  const maxStale = o.cache.maxStalenessMs;
  const requireLog = o.requireLog ?? true;
  const persist = o.persist ?? true;
  const materials = new Lru<string, MaterialEntry>(o.cache.entries);
  const tags = new Lru<string, TagEntry>(o.cache.entries);
  const decisions = new Lru<string, Omit<ImageVerdict, 'image'> & { expires: number }>(
    o.cache.entries,
  );
  const pins = new Map<string, MaterialEntry>();
  const pinnedTags = new Map<string, TagEntry>();
  const invalidated = new Set<string>();
  const flights = new SingleFlight<MaterialEntry>();
  const tagFlights = new SingleFlight<string>();
  const storedPolicies = new Lru<string, { at: number; text: PolicyText }>(256);
  const counters = { hits: 0, decisionHits: 0, misses: 0, staleServed: 0, rollbackServed: 0 };
  const trustFingerprint = fingerprintOf(o.trust, o.defaultIdentities, requireLog);
  /**
   * decisionCacheKey remembered by the plain JSON of its inputs: sorting the namespace's keys at
   * every depth and hashing them, for every image of every review, was an eighth of the service's
   * time on warm reviews (`npm run bench -- admission`). Plain JSON of equal inputs is equal, so
   * this changes no key; it is content, not object identity, so a namespace object changed in
   * place still misses.
   */
  const decisionKeys = new Lru<string, string>(o.cache.entries);
  const decisionKeyOf = (i: DecisionKeyInput): string => {
    const plain = JSON.stringify([
      i.imageDigest,
      i.namespace,
      i.policyDigest,
      i.trustFingerprint,
      i.governanceGeneration,
      i.materialBucket,
      i.materialDigest,
    ]);
    let key = decisionKeys.get(plain);
    if (key === undefined) {
      key = decisionCacheKey(i);
      decisionKeys.set(plain, key);
    }
    return key;
  };
  const builtins = new Map<string, PolicyText>(
    [
      [ADMISSION_DEFAULT_POLICY_NAME, ADMISSION_DEFAULT_POLICY_SOURCE],
      [BUILTIN_PACK_NAME, BUILTIN_PACK_SOURCE],
    ].map(([name, source]) => [name as string, policyText(source as string, `policy ${name}`)]),
  );
  const regexes = new Map<string, { test(s: string): boolean }>();
  const match = (pattern: string, value: string): boolean => {
    let r = regexes.get(pattern);
    if (r === undefined) {
      try {
        r = compileLinearRegex(`^(?:${pattern})$`, 'identity');
      } catch {
        r = { test: () => false };
      }
      if (regexes.size > 1_000) regexes.clear();
      regexes.set(pattern, r);
    }
    return r.test(value);
  };

  const materialKey = (digest: string) => `${digest}|${trustFingerprint}`;

  async function verifyFresh(
    ref: ImageReference & { digest: string },
    pinned?: boolean,
  ): Promise<MaterialEntry> {
    const material = await verifyMaterial(o.client, ref, o.trust, new Date(clock()));
    material.verifiedAt = clock();
    const index = await indexFacts(s, ref.digest);
    const e = { ref, material, index, digest: materialDigest(material, index) };
    if (persist) {
      try {
        await saveAdmissionMaterial(s.db.kysely, {
          key: materialKey(ref.digest),
          digest: ref.digest,
          registry: ref.registry,
          repository: ref.repository,
          verifiedAt: new Date(material.verifiedAt).toISOString(),
          material: JSON.stringify(e),
          ...(pinned !== undefined ? { pinned } : {}),
        });
      } catch (err) {
        // The memory cache still holds it; only a restart would miss it.
        o.onError?.(err, `${ref.registry}/${ref.repository}@${ref.digest}`);
      }
    }
    return e;
  }

  /** Material another process (or this one before a restart) stored, moved into memory. */
  async function stored(key: string): Promise<MaterialEntry | undefined> {
    if (!persist) return undefined;
    try {
      const row = await findAdmissionMaterial(s.db.read, key);
      if (row === undefined) return undefined;
      const e = JSON.parse(row.material) as MaterialEntry;
      const mem = materials.peek(key);
      if (mem !== undefined && mem.material.verifiedAt >= e.material.verifiedAt) return mem;
      materials.set(key, e);
      if (row.pinned) pins.set(key, e);
      return e;
    } catch (err) {
      o.onError?.(err, key);
      return undefined;
    }
  }

  async function material(
    ref: ImageReference & { digest: string },
    ns: NamespaceConfig,
    fresh: boolean,
  ): Promise<Got<MaterialEntry>> {
    const key = materialKey(ref.digest);
    // After the database read, memory again: a verification may have finished meanwhile.
    const cached = materials.get(key) ?? (await stored(key)) ?? materials.get(key);
    const now = clock();
    if (
      cached !== undefined &&
      !fresh &&
      now - cached.material.verifiedAt < ttl &&
      !invalidated.has(key)
    ) {
      counters.hits++;
      return { ok: cached };
    }
    try {
      const fresh = await flights.run(key, async () => {
        counters.misses++;
        const e = await verifyFresh(ref);
        materials.set(key, e);
        invalidated.delete(key);
        return e;
      });
      return { ok: fresh };
    } catch (e) {
      if (isOciError(e, 'OCI_MANIFEST_NOT_FOUND'))
        return { missing: `${ref.registry}/${ref.repository}@${ref.digest} does not exist` };
      const why = infraDetail(e);
      if (!isUpstreamFailure(e)) o.onError?.(e, `${ref.registry}/${ref.repository}@${ref.digest}`);
      const age = cached === undefined ? Infinity : now - cached.material.verifiedAt;
      if (!ns.highRisk && cached !== undefined && age <= maxStale) {
        counters.staleServed++;
        return {
          ok: cached,
          degraded: {
            upstream: 'registry',
            via: 'cached-material',
            verifiedAt: new Date(cached.material.verifiedAt).toISOString(),
            detail: `the registry did not answer (${why}); material verified ${Math.round(age / 1000)} s ago stood in`,
          },
        };
      }
      const pinned = pins.get(key);
      if (pinned !== undefined) {
        counters.rollbackServed++;
        return {
          ok: pinned,
          degraded: {
            upstream: 'registry',
            via: 'rollback-bundle',
            verifiedAt: new Date(pinned.material.verifiedAt).toISOString(),
            detail: `the registry did not answer (${why}); the pinned rollback bundle stood in`,
          },
        };
      }
      return {
        infra:
          cached !== undefined && !ns.highRisk
            ? `the registry did not answer (${why}) and the cached material (verified ${new Date(cached.material.verifiedAt).toISOString()}) is past the maximum staleness`
            : `the registry did not answer (${why}) and ${ns.highRisk ? 'no rollback bundle is pinned for this high-risk namespace' : 'nothing verified is cached for this image'}`,
      };
    }
  }

  async function resolveTag(ref: ImageReference, ns: NamespaceConfig): Promise<Got<string>> {
    const key = tagKey(ref);
    const cached = tags.get(key);
    const now = clock();
    if (cached !== undefined && now - cached.at < ttl) return { ok: cached.digest };
    try {
      const digest = await tagFlights.run(key, async () => {
        const m = await o.client.resolve({ ...ref, tag: ref.tag ?? 'latest' });
        tags.set(key, { digest: m.digest, at: clock() });
        return m.digest;
      });
      return { ok: digest };
    } catch (e) {
      if (isOciError(e, 'OCI_MANIFEST_NOT_FOUND')) return { missing: `${key} does not exist` };
      if (!ns.highRisk && cached !== undefined && now - cached.at <= maxStale)
        return {
          ok: cached.digest,
          degraded: {
            upstream: 'registry',
            via: 'cached-material',
            verifiedAt: new Date(cached.at).toISOString(),
            detail: `the registry did not answer (${infraDetail(e)}); the tag's cached digest stood in`,
          },
        };
      const pinned = pinnedTags.get(key);
      if (pinned !== undefined)
        return {
          ok: pinned.digest,
          degraded: {
            upstream: 'registry',
            via: 'rollback-bundle',
            verifiedAt: new Date(pinned.at).toISOString(),
            detail: `the registry did not answer (${infraDetail(e)}); the pinned rollback bundle's digest stood in`,
          },
        };
      return {
        infra: `the registry did not answer resolving ${key} (${infraDetail(e)})${cached !== undefined && !ns.highRisk ? '; its cached digest is past the maximum staleness' : ''}`,
      };
    }
  }

  async function policyFor(ns: NamespaceConfig): Promise<PolicyText> {
    const p = ns.policy;
    switch (p.kind) {
      case 'admission-default':
        return builtins.get(ADMISSION_DEFAULT_POLICY_NAME) as PolicyText;
      case 'builtin':
        return builtins.get(BUILTIN_PACK_NAME) as PolicyText;
      case 'stored': {
        const key = `${p.team}/${p.name}@${p.version ?? 'latest'}`;
        const hit = storedPolicies.get(key);
        if (hit !== undefined && clock() - hit.at < ttl) return hit.text;
        const v = await getTeamPolicy(s, ADMISSION_CALLER, p.team, p.name, p.version);
        const text = policyText(v.source ?? '', `policy ${p.team}/${p.name} v${v.version}`);
        storedPolicies.set(key, { at: clock(), text });
        return text;
      }
      default: {
        const never: never = p;
        throw new Error(`unknown policy kind ${String(never)}`);
      }
    }
  }

  async function check(
    image: string,
    ns: NamespaceConfig,
    at: Date,
    o2: { fresh?: boolean } = {},
  ): Promise<ImageVerdict> {
    // Reconciliation asks for a fresh check: material within its TTL may predate what it must
    // see (a signature uploaded to the log since, one withdrawn from the registry).
    const fresh = o2.fresh === true;
    const v = (x: Omit<ImageVerdict, 'image' | 'cached'> & { cached?: boolean }): ImageVerdict => ({
      image,
      cached: false,
      ...x,
    });
    let ref: ImageReference;
    try {
      ref = parseImageReference(image);
    } catch (e) {
      return v({ outcome: 'fail', reason: 'request-invalid', message: messageOf(e) });
    }
    try {
      o.client.assertAllowed(ref.registry);
    } catch {
      return v({
        outcome: 'fail',
        reason: 'registry-not-allowed',
        message: `${ref.registry} is not one of the registries this cluster may pull from (CUSTODY_OCI_REGISTRIES); nothing was asked of it`,
      });
    }
    if (ref.digest === undefined && ns.requireDigest)
      return v({
        outcome: 'fail',
        reason: 'digest-required',
        message: `${image} names a tag only; this namespace requires images by digest (${ref.registry}/${ref.repository}@sha256:…)`,
      });
    const infra = (detail: string, digest?: string, degraded?: DegradedMark) =>
      v({
        ...(digest !== undefined ? { digest } : {}),
        outcome: 'infra',
        reason: 'infrastructure',
        message: detail,
        ...(degraded !== undefined ? { degraded } : {}),
      });
    try {
      let digest = ref.digest;
      let degraded: DegradedMark | undefined;
      if (digest === undefined) {
        const r = await resolveTag(ref, ns);
        if ('infra' in r) return infra(r.infra);
        if ('missing' in r)
          return v({ outcome: 'fail', reason: 'request-invalid', message: r.missing });
        digest = r.ok;
        degraded = r.degraded;
      }
      const dref = { ...ref, digest };
      const m = await material(dref, ns, fresh);
      if ('infra' in m) return infra(m.infra, digest);
      if ('missing' in m)
        return v({ digest, outcome: 'fail', reason: 'request-invalid', message: m.missing });
      degraded ??= m.degraded;
      let policy: PolicyText;
      try {
        policy = await policyFor(ns);
      } catch (e) {
        if (e instanceof CustodyError && e.code.startsWith('POLICY_'))
          return v({ digest, outcome: 'fail', reason: 'request-invalid', message: messageOf(e) });
        throw e;
      }
      const key =
        degraded === undefined
          ? decisionKeyOf({
              imageDigest: digest,
              namespace: ns,
              policyDigest: policy.digest,
              trustFingerprint,
              governanceGeneration: o.generation(),
              materialBucket: expiryBucket(m.ok.material.verifiedAt + ttl, ttl),
              materialDigest: m.ok.digest,
            })
          : undefined;
      if (key !== undefined && !fresh) {
        const hit = decisions.get(key);
        if (hit !== undefined && hit.expires > clock()) {
          counters.decisionHits++;
          const { expires: _e, ...rest } = hit;
          return { ...rest, image, cached: true };
        }
      }
      const verdict = decide(image, dref, ns, m.ok, policy, at, degraded);
      if (key !== undefined && verdict.outcome !== 'infra') {
        const { image: _i, ...rest } = verdict;
        decisions.set(key, { ...rest, expires: m.ok.material.verifiedAt + ttl });
      }
      return verdict;
    } catch (e) {
      if (!isUpstreamFailure(e)) o.onError?.(e, image);
      return infra(`the check could not finish: ${infraDetail(e)}`);
    }
  }

  function decide(
    image: string,
    ref: ImageReference & { digest: string },
    ns: NamespaceConfig,
    entry: MaterialEntry,
    policy: PolicyText,
    _at: Date,
    degraded: DegradedMark | undefined,
  ): ImageVerdict {
    const mat = entry.material;
    const rules = {
      identities: ns.identities.length > 0 ? ns.identities : o.defaultIdentities,
      expectedIssuer: ns.expectedIssuer,
      acceptFallback: ns.acceptFallback,
    };
    const judged = judgeSignatures(mat.signaturesFound, mat.signatures, rules, match);
    const evidence = buildEvidence(ref.digest, entry, judged, rules, match);
    let decision: ReturnType<typeof evaluateSource>;
    try {
      decision = evaluateSource(policy.source, policy.what, evidence);
    } catch (e) {
      // A policy that cannot be evaluated (over its budget, malformed) decides nothing: the image
      // is refused as a request Custody cannot judge, not as an upstream's failure.
      if (e instanceof CustodyError && e.code.startsWith('POLICY_'))
        return {
          image,
          digest: ref.digest,
          outcome: 'fail',
          reason: 'request-invalid',
          message: `${policy.what} could not be evaluated: ${e.message}`,
          cached: false,
          ...(degraded !== undefined ? { degraded } : {}),
        };
      throw e;
    }
    const failed = decision.results
      .filter((r) => r.level === 'deny' && r.outcome !== 'pass')
      .map((r) => ({
        name: r.name,
        expression: policy.expressions.get(r.name) ?? '',
        message: r.message,
      }));
    const c = classifyVerdict({
      signatures: judged,
      failedRules: failed,
      sbomPresent: evidence.sbom.present,
    });
    const base = {
      image,
      digest: ref.digest,
      policy: { name: policy.name, version: policy.version, digest: policy.digest },
      cached: false,
      ...(degraded !== undefined ? { degraded } : {}),
      ...(judged.counted.some((x) => x.emergency) ? { emergency: true } : {}),
      ...(judged.counted.length > 0 && judged.fallback ? { fallback: true } : {}),
    };
    if (c.outcome === 'fail')
      return {
        ...base,
        outcome: 'fail',
        reason: c.reason,
        failedRules: c.rules,
        message: failMessage(c.reason, judged, failed, mat),
      };
    if (requireLog && judged.unlogged)
      return {
        ...base,
        outcome: 'infra',
        reason: 'infrastructure',
        message:
          'the signature verified but is not in the transparency log yet (signed while the log was down); it is re-checked once uploaded',
        degraded: {
          upstream: 'log',
          via: 'log-later',
          verifiedAt: new Date(mat.verifiedAt).toISOString(),
          detail: 'a counted signature has no transparency-log entry',
        },
      };
    return { ...base, outcome: 'pass', message: `${judged.detail}; policy ${policy.name} passed` };
  }

  return {
    check,
    stats() {
      let oldest: number | undefined;
      for (const e of materials.values())
        if (oldest === undefined || e.material.verifiedAt < oldest) oldest = e.material.verifiedAt;
      return {
        hits: counters.hits,
        decisionHits: counters.decisionHits,
        misses: counters.misses,
        coalesced: flights.joined,
        staleServed: counters.staleServed,
        rollbackServed: counters.rollbackServed,
        entries: materials.size,
        pinned: pins.size,
        ...(oldest !== undefined ? { oldestVerifiedAt: new Date(oldest).toISOString() } : {}),
      };
    },
    async refresh() {
      const now = clock();
      let refreshed = 0;
      let failed = 0;
      const due = [...materials.entries()].filter(
        ([, e]) =>
          now - e.material.verifiedAt >= ttl * 0.8 && now - e.material.verifiedAt <= maxStale,
      );
      const dueTags = [...tags.entries()].filter(
        ([, e]) => now - e.at >= ttl * 0.8 && now - e.at <= maxStale,
      );
      for (const [key] of dueTags) {
        const ref = parseImageReference(key);
        try {
          await tagFlights.run(key, async () => {
            const m = await o.client.resolve(ref);
            tags.set(key, { digest: m.digest, at: clock() });
            return m.digest;
          });
          refreshed++;
        } catch {
          failed++;
        }
      }
      for (const [key, e] of due) {
        try {
          await flights.run(key, async () => {
            const fresh = await verifyFresh(e.ref);
            materials.set(key, fresh);
            return fresh;
          });
          refreshed++;
        } catch {
          failed++;
        }
      }
      if (persist)
        await pruneAdmissionMaterial(s.db.kysely, new Date(now - maxStale).toISOString());
      return { refreshed, failed };
    },
    async pin(image: string) {
      const ref = parseImageReference(image);
      o.client.assertAllowed(ref.registry);
      const digest = ref.digest ?? (await o.client.resolve(ref)).digest;
      const e = await verifyFresh({ ...ref, digest }, true);
      if (ref.digest === undefined)
        pinnedTags.set(tagKey(ref), { digest, at: e.material.verifiedAt });
      pins.set(materialKey(digest), e);
      materials.set(materialKey(digest), e);
      return { digest, verifiedAt: new Date(e.material.verifiedAt).toISOString() };
    },
    async unpin(digest: string) {
      for (const [k, v] of pinnedTags) if (v.digest === digest) pinnedTags.delete(k);
      if (persist) await unpinAdmissionMaterial(s.db.kysely, digest);
      return pins.delete(materialKey(digest));
    },
    invalidate(digest: string) {
      invalidated.add(materialKey(digest));
      if (invalidated.size > o.cache.entries) invalidated.clear();
    },
    close() {
      materials.clear();
      tags.clear();
      decisions.clear();
      pins.clear();
      pinnedTags.clear();
    },
  };
}

function tagKey(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`;
}

/** Custody's own facts about a digest, or undefined when the index does not know it. */
async function indexFacts(s: Services, digest: string): Promise<Evidence | undefined> {
  try {
    return await gatherEvidence(s, ADMISSION_CALLER, digest);
  } catch (e) {
    if (e instanceof CustodyError && e.code === 'INVENTORY_NOT_FOUND') return undefined;
    throw e;
  }
}

function buildEvidence(
  digest: string,
  entry: MaterialEntry,
  judged: SignatureJudgement,
  rules: Parameters<typeof judgeSignatures>[2],
  match: (p: string, v: string) => boolean,
): Evidence {
  const e: Evidence =
    entry.index !== undefined ? structuredClone(entry.index) : emptyEvidence(digest);
  const verifiedAt = new Date(entry.material.verifiedAt).toISOString();
  e.signatures = judged.counted.map((x) => signatureFact(x, verifiedAt));
  // Provenance from the registry joins what the index verified on push (every one is judged:
  // a second provenance from another builder is no less suspect for the first).
  e.provenance = [...e.provenance, ...(entry.material.provenance ?? [])];
  if (e.provenance.length > 0)
    e.slsa = { ...e.slsa, level: Math.max(e.slsa.level, ...e.provenance.map((p) => p.level)) };
  // An attested SBOM counts when its signer is one this namespace trusts.
  const trusted = entry.material.sboms.filter(
    (sb) => judgeSignatures(1, [sb.signer], rules, match).counted.length > 0,
  );
  const best = trusted.find((sb) => sb.subjectMatches) ?? trusted[0];
  if (
    best !== undefined &&
    !(e.sbom.present && e.sbom.subjectMatchesArtifact && !best.subjectMatches)
  )
    e.sbom = sbomFacts(best, trusted);
  return e;
}

function sbomFacts(best: AttestedSbom, all: AttestedSbom[]): Evidence['sbom'] {
  return {
    present: true,
    signed: true,
    signers: all.slice(0, 64).map((sb) => ({
      kind: sb.signer.key !== null ? 'key' : 'identity',
      identity: sb.signer.identity,
      issuer: sb.signer.issuer,
      keyHint: sb.signer.key,
    })),
    subjectMatchesArtifact: best.subjectMatches,
    format: best.format,
    quality: { score: best.score, grade: gradeOf(best.score), failures: best.failures },
    components: best.components,
    licenses: best.licenses,
    noAssertion: best.noAssertion,
  };
}

function signatureFact(x: VerifiedSignature, verifiedAt: string): SignatureFact {
  return {
    kind: x.key !== null ? 'key' : 'sigstore',
    identity: x.identity,
    issuer: x.issuer,
    keyHint: x.key,
    emergency: x.emergency,
    logged: x.logged,
    verifiedAt,
  };
}

function policyText(source: string, what: string): PolicyText {
  const doc = parsePolicy(source, what);
  return {
    name: doc.name,
    source,
    what,
    version: String(doc.version),
    digest: doc.digest,
    expressions: new Map(doc.rules.map((r) => [r.name, r.expression])),
  };
}

function failMessage(
  reason: AdmissionReason,
  judged: SignatureJudgement,
  failed: { name: string; message: string }[],
  m: VerifiedMaterial,
): string {
  if (reason === 'unsigned' || reason === 'identity' || reason === 'issuer-drift') {
    const why =
      reason === 'unsigned' && m.failures.length > 0
        ? ` (${m.failures.map((f) => f.code).join(', ')})`
        : '';
    return `${judged.detail}${why}`;
  }
  if (reason === 'emergency-certificate')
    return 'the only trusted signature was made with an emergency certificate; an exception or override must cover it';
  return failed.map((f) => `${f.name}: ${f.message}`).join('; ');
}

/** Failures of an upstream (the registry did not answer or answered wrongly). */
function isUpstreamFailure(e: unknown): boolean {
  return isNetError(e) || (isOciError(e) && e.code !== 'OCI_REFERENCE_INVALID');
}

function infraDetail(e: unknown): string {
  if (isOciError(e) || isNetError(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function fingerprintOf(
  trust: EngineTrust,
  identities: readonly TrustedIdentity[],
  requireLog: boolean,
): string {
  const keys = trust.keys
    .map((k) => ({
      name: k.name,
      role: k.role,
      spki: k.key.export({ format: 'der', type: 'spki' }).toString('base64'),
    }))
    .sort((a, b) => (a.spki < b.spki ? -1 : a.spki > b.spki ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify({ roots: trust.rootsFingerprint, keys, identities, requireLog }))
    .digest('hex');
}

// Custody's quality grades (sbom/quality/score.ts): A ≥ 9, B ≥ 8, C ≥ 7, D ≥ 5, else F.
function gradeOf(score: number): string {
  if (score >= 9) return 'A';
  if (score >= 8) return 'B';
  if (score >= 7) return 'C';
  if (score >= 5) return 'D';
  return 'F';
}
