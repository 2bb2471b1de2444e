import {
  type Caller,
  requireOrganisationAdmin,
  requirePermission,
  requireWithinTeams,
} from '../../access/index.js';
import { InventoryError } from '../../inventory/index.js';
import { parseGatePolicy } from '../../sbom/quality/index.js';
import { parseSigningIdentities, type SigningIdentity } from '../../sign/index.js';
import { ensureTeam, findTeam } from '../../store/catalogue.js';
import { audit } from '../audit-trail.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';
import { type TeamView, teamView } from './views.js';

const TEAM = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** @throws InventoryError INVENTORY_INPUT_INVALID for a malformed team name */
export function checkTeamName(name: string): void {
  if (!TEAM.test(name)) {
    throw new InventoryError(
      'INVENTORY_INPUT_INVALID',
      'A team name is 1–63 lower-case letters, digits, dots, dashes or underscores',
      { details: { team: name } },
    );
  }
}

/**
 * Create a team. Only an organisation-wide admin may: a team-scoped admin would create a team
 * outside its own scope, which it could then not hold (its token's teams are fixed), so it asks an
 * organisation-wide admin instead.
 * @throws InventoryError INVENTORY_INPUT_INVALID; AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function createTeam(
  s: Services,
  caller: Caller,
  name: string,
): Promise<{ team: TeamView; created: boolean }> {
  requirePermission(caller.principal, 'admin');
  checkTeamName(name);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, now);
    requireOrganisationAdmin(caller.principal, 'create teams');
    const existing = await findTeam(trx, name);
    if (existing) return { team: teamView(existing), created: false };
    await ensureTeam(trx, name, now);
    await audit(
      trx,
      caller,
      {
        action: 'team.create',
        target: `team:${name}`,
        team: name,
        details: {},
      },
      now,
    );
    const row = await findTeam(trx, name);
    return { team: teamView(row as NonNullable<typeof row>), created: true };
  });
}

/**
 * Set a team's SBOM gate: the YAML (or JSON) policy format of `custody sbom check --policy`. A
 * team-scoped admin sets only its own teams' gates (refused before the team is looked up, so the
 * answer says nothing about other teams).
 * @throws SbomError SBOM_POLICY_INVALID; InventoryError INVENTORY_NOT_FOUND;
 *   AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function setGatePolicy(
  s: Services,
  caller: Caller,
  team: string,
  text: string,
): Promise<TeamView> {
  requirePermission(caller.principal, 'admin');
  requireWithinTeams(caller.principal, [team], 'set gate policies');
  const policy = parseGatePolicy(text, `gate policy of team ${team}`);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, now);
    requireWithinTeams(caller.principal, [team], 'set gate policies');
    const t = await findTeam(trx, team);
    if (!t) throw new InventoryError('INVENTORY_NOT_FOUND', `team ${team} does not exist`);
    await trx
      .updateTable('teams')
      .set({ gate_policy: JSON.stringify(policy) })
      .where('id', '=', t.id)
      .execute();
    await audit(
      trx,
      caller,
      {
        action: 'team.gate-policy',
        target: `team:${team}`,
        team,
        details: { policy },
      },
      now,
    );
    return teamView({ ...t, gate_policy: JSON.stringify(policy) });
  });
}

/**
 * Set who may sign for a team (issuer + subject patterns, registered public keys). Only an
 * organisation-wide admin may: a team-scoped admin setting its own team's list could admit any
 * identity to sign for it, which is what the list exists to prevent.
 * @throws SignError SIGN_IDENTITY_LIST_INVALID; AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID;
 *   InventoryError INVENTORY_NOT_FOUND
 */
export async function setSigningIdentities(
  s: Services,
  caller: Caller,
  team: string,
  input: unknown,
): Promise<TeamView> {
  requirePermission(caller.principal, 'admin');
  requireOrganisationAdmin(caller.principal, "set a team's signing identities");
  const identities = parseSigningIdentities(input);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, now);
    requireOrganisationAdmin(caller.principal, "set a team's signing identities");
    const t = await findTeam(trx, team);
    if (!t) throw new InventoryError('INVENTORY_NOT_FOUND', `team ${team} does not exist`);
    const json = JSON.stringify(identities);
    await trx
      .updateTable('teams')
      .set({ signing_identities: json })
      .where('id', '=', t.id)
      .execute();
    await audit(
      trx,
      caller,
      {
        action: 'team.signing-identities',
        target: `team:${team}`,
        team,
        details: { identities },
      },
      now,
    );
    return teamView({ ...t, signing_identities: json });
  });
}

/** A team's signing identities; an unknown team has none. */
export async function signingIdentitiesOf(
  q: Pick<Services['db'], 'read'>['read'],
  team: string,
): Promise<SigningIdentity[]> {
  const t = await findTeam(q, team);
  return t ? (JSON.parse(t.signing_identities) as SigningIdentity[]) : [];
}
