import { type Caller, requireOrganisationAdmin, requirePermission } from '../../access/index.js';
import { InventoryError } from '../../inventory/index.js';
import {
  DEFAULT_SLSA_BUILDERS,
  parseSlsaBuilders,
  type SlsaBuilderTrust,
  type SlsaBuildLevel,
  SlsaLevelError,
} from '../../policy/index.js';
import { findTeamSlsaSettings, setTeamSlsaSettings } from '../../store/release-evidence.js';
import { audit } from '../audit-trail.js';
import { requireTeam } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';

/** A team's SLSA settings: builders it trusts beyond the defaults, and supplier intake's bar. */
export interface SlsaSettings {
  builders: SlsaBuilderTrust[];
  /** The level supplier intake requires unless the caller asks for another; default 0 (none). */
  supplierLevel: SlsaBuildLevel;
}

export interface SlsaSettingsView extends SlsaSettings {
  team: string;
  /** The roots of trust every team has (after the team's own). */
  defaults: readonly SlsaBuilderTrust[];
}

const EMPTY: SlsaSettings = { builders: [], supplierLevel: 0 };

/** Stored JSON (written by setSlsaSettings, so already checked) → settings. */
export function slsaSettingsOf(json: string | null): SlsaSettings {
  return json === null ? EMPTY : { ...EMPTY, ...(JSON.parse(json) as Partial<SlsaSettings>) };
}

/** The roots of trust a team's assessments use: its own first, then the defaults. */
export function buildersOf(settings: SlsaSettings): SlsaBuilderTrust[] {
  return [...settings.builders, ...DEFAULT_SLSA_BUILDERS];
}

/**
 * Parse settings from an untrusted body.
 * @throws SlsaLevelError SLSA_SETTINGS_INVALID
 */
export function parseSlsaSettings(input: unknown): SlsaSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SlsaLevelError('SLSA_SETTINGS_INVALID', 'The SLSA settings must be a JSON object');
  }
  const o = input as Record<string, unknown>;
  const level = o['supplierLevel'] ?? 0;
  if (level !== 0 && level !== 1 && level !== 2 && level !== 3) {
    throw new SlsaLevelError('SLSA_SETTINGS_INVALID', 'supplierLevel must be 0, 1, 2 or 3');
  }
  // JSON has no -0: a -0 read here would not survive being stored and read back.
  return {
    builders: parseSlsaBuilders(o['builders'] ?? []),
    supplierLevel: level === 0 ? 0 : level,
  };
}

export async function getSlsaSettings(
  s: Services,
  caller: Caller,
  team: string,
): Promise<SlsaSettingsView> {
  requirePermission(caller.principal, 'inventory:read');
  requireTeam(caller, team, `team ${team}`);
  const t = await findTeamSlsaSettings(s.db.read, team);
  if (!t) throw new InventoryError('INVENTORY_NOT_FOUND', `team ${team} does not exist`);
  return { team, ...slsaSettingsOf(t.slsa_settings), defaults: DEFAULT_SLSA_BUILDERS };
}

/**
 * Set the builders a team trusts and the level its supplier intake requires (organisation-wide
 * admins, as for signing identities: both decide what the team's evidence proves).
 * @throws SlsaLevelError SLSA_SETTINGS_INVALID; InventoryError INVENTORY_NOT_FOUND; AccessError
 */
export async function setSlsaSettings(
  s: Services,
  caller: Caller,
  team: string,
  input: unknown,
): Promise<SlsaSettingsView> {
  requirePermission(caller.principal, 'admin');
  requireOrganisationAdmin(caller.principal, "set a team's SLSA settings");
  const settings = parseSlsaSettings(input);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, now);
    requireOrganisationAdmin(caller.principal, "set a team's SLSA settings");
    const t = await findTeamSlsaSettings(trx, team);
    if (!t) throw new InventoryError('INVENTORY_NOT_FOUND', `team ${team} does not exist`);
    await setTeamSlsaSettings(trx, t.id, JSON.stringify(settings));
    await audit(
      trx,
      caller,
      { action: 'team.slsa-settings', target: `team:${team}`, team, details: { ...settings } },
      now,
    );
    return { team, ...settings, defaults: DEFAULT_SLSA_BUILDERS };
  });
}
