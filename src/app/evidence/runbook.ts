import type { Caller } from '../../access/index.js';
import { renderRunbook } from '../../evidence/index.js';
import { listNamespaceConfigs } from '../../store/admission-governance.js';
import { findProduct, listReleases } from '../../store/catalogue.js';
import { somePurlOf } from '../../store/evidence.js';
import { productByName } from '../inventory/read-catalogue.js';
import { nowIso, type Services } from '../services.js';
import { collectSigned, FileSet } from './collect.js';
import { gatherFacts } from './facts.js';
import type { EvidenceSettings } from './settings.js';

/**
 * The product's runbook (markdown), filled with its team's real identities and issuers, the
 * service's CA, log and witnesses, and the verify commands for its newest release.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND
 */
export async function productRunbook(
  s: Services,
  caller: Caller,
  productName: string,
  o: EvidenceSettings = {},
): Promise<string> {
  const view = await productByName(s, caller, productName);
  const q = s.db.read;
  const product = await findProduct(q, view.name);
  const teamId = product?.team_id ?? 0;
  const facts = await gatherFacts(s, q, o, { product: productName, team: view.team, teamId });
  const [releases, namespaces] = await Promise.all([
    product ? listReleases(q, product.id) : Promise.resolve([]),
    listNamespaceConfigs(q, { teams: [view.team], limit: 50 }),
  ]);
  const newest = releases[0];
  let latest = null;
  if (newest) {
    // The same layout an export writes, so the commands run in an extracted archive as written.
    const signed = await collectSigned(
      s,
      q,
      newest,
      facts.signingIdentities,
      facts.emergencyIssuer,
      new FileSet(),
    );
    latest = {
      version: newest.version,
      artifacts: signed.artifactDigests.map((digest) => ({ digest, name: null })),
      bundles: signed.index.bundles,
      component: await somePurlOf(q, signed.sbomIds),
    };
  }
  return renderRunbook({
    facts,
    latest,
    namespaces: namespaces.map((n) => ({
      cluster: n.cluster,
      namespace: n.namespace,
      mode: modeOf(n.config),
    })),
    generatedAt: nowIso(s),
  });
}

function modeOf(config: string): string {
  try {
    return String((JSON.parse(config) as { mode?: string }).mode ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
