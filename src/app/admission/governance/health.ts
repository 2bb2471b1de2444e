import { type Caller, requirePermission } from '../../../access/index.js';
import { AdmissionGovernanceError } from '../../../admission/governance-errors.js';
import { isUpstreamName } from '../../../admission/health.js';
import { causeMessage, type HttpClient } from '../../../net/http.js';
import { insertHealthProbe, listHealthProbes } from '../../../store/admission-governance.js';
import { audit } from '../../audit-trail.js';
import { recheckCaller } from '../../recheck-caller.js';
import type { Services } from '../../services.js';

/**
 * Upstream health probes: what overrides' `revertWhenHealthy` rules read. The prober asks each
 * upstream once (short time-out, no retry: a probe measures, it does not insist); an admin may also
 * record a probe by hand (a check run elsewhere).
 */

export const PROBE_TIMEOUT_MS = 3000;
const MAX_DETAIL = 500;

export interface HealthProbeView {
  upstream: string;
  at: string;
  healthy: boolean;
  detail: string | null;
}

/**
 * Record a probe (an admin).
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError ADMISSION_PROBE_INVALID
 */
export async function recordHealthProbe(
  s: Services,
  caller: Caller,
  p: { upstream: string; healthy: boolean; detail?: string },
): Promise<HealthProbeView> {
  requirePermission(caller.principal, 'admin');
  checkProbe(p.upstream, p.detail);
  const at = s.clock().toISOString();
  const row = { upstream: p.upstream, at, healthy: p.healthy, detail: p.detail ?? null };
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    await insertHealthProbe(trx, row);
    await audit(
      trx,
      caller,
      { action: 'admission.health.record', target: `upstream:${p.upstream}`, details: { ...row } },
      at,
    );
  });
  return row;
}

/**
 * Probe each upstream once (GET, PROBE_TIMEOUT_MS, no retries) and record the results: healthy when
 * it answers below 500 — it is up, whatever it thinks of an unauthenticated GET. Pass a client
 * without circuit breaker (`new HttpClient({ breaker: false, retries: 0 })`): an open breaker
 * would record failures without asking.
 */
export async function probeUpstreams(
  s: Services,
  upstreams: readonly { name: string; url: string }[],
  http: HttpClient,
): Promise<HealthProbeView[]> {
  for (const u of upstreams) checkProbe(u.name);
  const results = await Promise.all(
    upstreams.map(async (u): Promise<HealthProbeView> => {
      let healthy = false;
      let detail: string;
      try {
        const { response } = await http.request(u.url, {
          method: 'GET',
          timeoutMs: PROBE_TIMEOUT_MS,
          retries: 0,
        });
        await response.body?.cancel();
        healthy = response.status < 500;
        detail = `HTTP ${response.status}`;
      } catch (e) {
        detail = causeMessage(e).slice(0, MAX_DETAIL);
      }
      return { upstream: u.name, at: s.clock().toISOString(), healthy, detail };
    }),
  );
  await s.db.kysely.transaction().execute(async (trx) => {
    for (const r of results) await insertHealthProbe(trx, r);
  });
  return results;
}

/** Recent probes, newest first. */
export async function listHealthProbeViews(
  s: Services,
  caller: Caller,
  o: { upstream?: string; since?: string; limit?: number },
): Promise<HealthProbeView[]> {
  requirePermission(caller.principal, 'inventory:read');
  if (o.upstream !== undefined) checkProbe(o.upstream);
  const rows = await listHealthProbes(s.db.read, {
    ...(o.upstream !== undefined ? { upstreams: [o.upstream] } : {}),
    ...(o.since !== undefined ? { since: o.since } : {}),
    limit: o.limit ?? 100,
  });
  return rows.map((r) => ({
    upstream: r.upstream,
    at: r.at,
    healthy: r.healthy === 1,
    detail: r.detail,
  }));
}

function checkProbe(upstream: string, detail?: string): void {
  if (!isUpstreamName(upstream))
    throw new AdmissionGovernanceError(
      'ADMISSION_PROBE_INVALID',
      `${JSON.stringify(upstream.slice(0, 40))} is not an upstream name (lower-case letters, digits, . _ -)`,
    );
  if (detail !== undefined && (detail.length > MAX_DETAIL || /\p{Cc}/u.test(detail)))
    throw new AdmissionGovernanceError(
      'ADMISSION_PROBE_INVALID',
      `detail is one line of at most ${MAX_DETAIL} characters`,
    );
}
