import { defaultNamespaceConfig } from '../../../admission/namespaces.js';
import type {
  ActiveException,
  ActiveOverride,
  AdmissionMode,
  AdmissionReason,
  ClusterIdentity,
  NamespaceConfig,
} from '../../../admission/types.js';
import {
  clusterByCredential,
  effectiveNamespaceRows,
  exceptionApprovals,
  listExceptions,
  listOverrides,
  overrideApprovals,
  readGovernanceGeneration,
} from '../../../store/admission-governance.js';
import type { Services } from '../../services.js';
import type { AdmissionGovernance } from '../ports.js';
import { clusterTokenHash, normaliseFingerprint } from './clusters.js';
import { exceptionView } from './exceptions.js';
import { configOfRow } from './namespaces.js';
import { overrideView } from './overrides.js';
import { localGovernanceWrites } from './shared.js';

export interface GovernanceReaderOptions {
  /** `--admission-default-mode`: the mode of a namespace nobody configured (default enforce). */
  defaultMode?: AdmissionMode;
  /**
   * How often the shared generation row is read to notice other replicas' writes (default 1 s).
   * This replica's own writes are seen at once.
   */
  refreshMs?: number;
  /** Wall clock for the refresh interval (tests). */
  now?: () => number;
  /** Cached answers kept per kind before the cache is emptied (default 10,000). */
  maxEntries?: number;
}

interface Filled<T> {
  /** The `at` the rows were read for: a read for an earlier time goes to the store. */
  at: number;
  value: T;
}

/**
 * The admission decision's view of governance (ports.ts `AdmissionGovernance`). Every webhook
 * request reads it, so answers are cached and the cache is emptied whenever the governance
 * generation changes: at once for this replica's writes, within `refreshMs` for another
 * replica's. Expiry needs no invalidation: cached exceptions and overrides are filtered by the
 * `at` of each read, so an expired one stops applying by itself.
 *
 * `generation()` changes whenever configuration, clusters, exceptions or overrides change; a
 * decision cache keys on it (and, because expiry is by time, on the ids of the active exceptions
 * and override it read).
 */
export class StoredAdmissionGovernance implements AdmissionGovernance {
  private readonly defaultMode: AdmissionMode;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;
  private gen = -1;
  private seenLocal = -1;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> | undefined;
  private configs = new Map<string, NamespaceConfig>();
  private exceptions = new Map<string, Filled<(ActiveException & { expiresMs: number })[]>>();
  private overrides: Filled<(ActiveOverride & { expiresMs: number })[]> | undefined;
  private clusters = new Map<string, ClusterIdentity>();

  constructor(
    private readonly s: Services,
    o: GovernanceReaderOptions = {},
  ) {
    this.defaultMode = o.defaultMode ?? 'enforce';
    this.refreshMs = o.refreshMs ?? 1000;
    this.now = o.now ?? Date.now;
    this.maxEntries = o.maxEntries ?? 10_000;
  }

  /** The governance generation last seen (−1 before the first read). */
  generation(): number {
    return this.gen;
  }

  async namespaceConfig(cluster: string | undefined, namespace: string): Promise<NamespaceConfig> {
    await this.sync();
    const key = `${cluster ?? ''}\u0000${namespace}`;
    const hit = this.configs.get(key);
    if (hit) return hit;
    const rows = await effectiveNamespaceRows(this.s.db.read, cluster, namespace);
    const row = rows[0];
    const config = row
      ? { ...configOfRow(row), cluster: cluster ?? row.cluster }
      : defaultNamespaceConfig(cluster ?? '*', namespace, this.defaultMode);
    this.put(this.configs, key, config);
    return config;
  }

  async activeExceptions(namespace: string, at: Date): Promise<ActiveException[]> {
    await this.sync();
    const t = at.getTime();
    let filled = this.exceptions.get(namespace);
    if (filled === undefined || t < filled.at) {
      const rows = await listExceptions(this.s.db.read, {
        namespace,
        unexpiredAt: at.toISOString(),
        limit: 1000,
      });
      const approvals = await exceptionApprovals(
        this.s.db.read,
        rows.map((r) => r.id),
      );
      const value = rows
        .map((r) => exceptionView(r, approvals, at))
        .filter((v) => v.state === 'active')
        .map((v) => ({
          id: v.id,
          namespace: v.namespace,
          imagePattern: v.imagePattern,
          ticket: v.ticket,
          expiresAt: v.expiresAt,
          reasons: v.reasons as AdmissionReason[],
          expiresMs: Date.parse(v.expiresAt),
        }));
      filled = { at: t, value };
      if (filled.at >= (this.exceptions.get(namespace)?.at ?? Number.NEGATIVE_INFINITY))
        this.put(this.exceptions, namespace, filled);
    }
    return filled.value.filter((e) => t < e.expiresMs).map(({ expiresMs: _, ...e }) => e);
  }

  async activeOverride(namespace: string, at: Date): Promise<ActiveOverride | undefined> {
    await this.sync();
    const t = at.getTime();
    let filled = this.overrides;
    if (filled === undefined || t < filled.at) {
      const rows = await listOverrides(this.s.db.read, {
        unexpiredAt: at.toISOString(),
        limit: 1000,
      });
      const approvals = await overrideApprovals(
        this.s.db.read,
        rows.map((r) => r.id),
      );
      const value = rows
        .map((r) => overrideView(r, approvals, at))
        .filter((v) => v.state === 'active')
        .map((v) => ({
          id: v.id,
          namespaces: v.namespaces,
          mode: v.mode,
          ticket: v.ticket,
          expiresAt: v.expiresAt,
          expiresMs: Date.parse(v.expiresAt),
        }));
      filled = { at: t, value };
      if (this.overrides === undefined || filled.at >= this.overrides.at) this.overrides = filled;
    }
    // The newest active override that names the namespace wins (rows come newest first).
    const o = filled.value.find((x) => t < x.expiresMs && x.namespaces.includes(namespace));
    if (o === undefined) return undefined;
    const { expiresMs: _, ...out } = o;
    return out;
  }

  async identifyCluster(c: {
    certFingerprint?: string;
    bearerToken?: string;
  }): Promise<ClusterIdentity> {
    await this.sync();
    if (c.certFingerprint !== undefined) {
      const fp = normaliseFingerprint(c.certFingerprint);
      if (fp !== undefined) {
        const found = await this.lookup(`c:${fp}`, 'cert-sha256', fp, 'client-certificate');
        if (found.known) return found;
      }
    }
    if (c.bearerToken !== undefined && c.bearerToken.length > 0 && c.bearerToken.length <= 4096) {
      const h = clusterTokenHash(c.bearerToken);
      return this.lookup(`t:${h}`, 'token-sha256', h, 'bearer-token');
    }
    return { known: false };
  }

  private async lookup(
    key: string,
    kind: 'cert-sha256' | 'token-sha256',
    value: string,
    via: 'client-certificate' | 'bearer-token',
  ): Promise<ClusterIdentity> {
    const hit = this.clusters.get(key);
    if (hit) return hit;
    const name = await clusterByCredential(this.s.db.read, kind, value);
    const id: ClusterIdentity =
      name === undefined ? { known: false } : { known: true, cluster: name, via };
    this.put(this.clusters, key, id);
    return id;
  }

  private put<V>(m: Map<string, V>, k: string, v: V): void {
    if (m.size >= this.maxEntries) m.clear();
    m.set(k, v);
  }

  /** Empty the caches when the generation moved (read at most every refreshMs, or after a local write). */
  private async sync(): Promise<void> {
    const local = localGovernanceWrites(this.s);
    if (local === this.seenLocal && this.now() - this.checkedAt < this.refreshMs) return;
    this.syncing ??= (async () => {
      try {
        const seenLocal = localGovernanceWrites(this.s);
        const g = await readGovernanceGeneration(this.s.db.read);
        this.checkedAt = this.now();
        this.seenLocal = seenLocal;
        if (g !== this.gen) {
          this.configs.clear();
          this.exceptions.clear();
          this.overrides = undefined;
          this.clusters.clear();
          this.gen = g;
        }
      } finally {
        this.syncing = undefined;
      }
    })();
    await this.syncing;
  }
}
