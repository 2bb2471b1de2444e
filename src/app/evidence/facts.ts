import { type CustodyFacts, summarizeTrust } from '../../evidence/index.js';
import { parseSigningIdentities, type SigningIdentity } from '../../sign/index.js';
import type { Q } from '../../store/db.js';
import { roleHolders, teamSigningIdentities } from '../../store/evidence.js';
import { nowIso, type Services } from '../services.js';
import { logTrustedRoot } from '../trust/served-trusted-root.js';
import type { EvidenceSettings } from './settings.js';

/** The trusted root in force: the one the service serves, else its own log's. */
export function trustedRootInForce(s: Services, o: EvidenceSettings): unknown {
  const served = o.trustedRoot ?? logTrustedRoot(s);
  return served?.() ?? null;
}

/**
 * The facts the narrative and the runbook are written from, for a product of `team`: the
 * service's configuration, the team's signing identities and who holds which role.
 */
export async function gatherFacts(
  s: Services,
  q: Q,
  o: EvidenceSettings,
  p: { product: string; team: string; teamId: number },
): Promise<CustodyFacts> {
  const [idsText, holders] = await Promise.all([
    teamSigningIdentities(q, p.teamId),
    roleHolders(q, nowIso(s)),
  ]);
  const roles = holders
    .map((h) => ({ person: h.person, role: h.role, teams: parseTeams(h.teams) }))
    .filter((h) => h.teams.length === 0 || h.teams.includes(p.team));
  // One line per person and role (a person's several tokens of one role say the same).
  const seen = new Set<string>();
  const unique = roles.filter((r) => {
    const k = `${r.person}\n${r.role}\n${r.teams.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return {
    serviceUrl: (o.publicUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    product: p.product,
    team: p.team,
    oidcIssuers:
      o.ca?.configuration().issuers.map((i) => ({ issuer: i.issuerUrl, audience: i.audience })) ??
      [],
    emergencyIssuer: o.ca?.emergencyIssuer ?? null,
    signingIdentities: parseIdentities(idsText),
    trust: summarizeTrust(trustedRootInForce(s, o)),
    witnesses: [...(o.witnesses ?? [])],
    roles: unique,
    serviceKey: s.vexKey ? { hint: s.vexKey.hint, pem: s.vexKey.publicPem } : null,
  };
}

function parseTeams(text: string): string[] {
  try {
    const t = JSON.parse(text) as unknown;
    return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function parseIdentities(text: string): SigningIdentity[] {
  try {
    return parseSigningIdentities(JSON.parse(text));
  } catch {
    return [];
  }
}
