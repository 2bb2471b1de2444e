import type { Caller } from '../../access/index.js';
import {
  AUDIT_ANCHORS_PATH,
  AUDIT_HEAD_PATH,
  AUDIT_PATH,
  type AuditRowFile,
  buildManifest,
  EvidenceError,
  INDEX_PATH,
  MANIFEST_PATH,
  MANIFEST_SIGNATURE_PATH,
  NARRATIVE_PATH,
  packEvidenceTar,
  RELEASE_PATH,
  renderNarrative,
  SIGNING_KEY_PATH,
  signManifest,
  TRUSTED_ROOT_PATH,
  WITNESSES_PATH,
} from '../../evidence/index.js';
import { listAnchors, readChainHead } from '../../store/audit-chain.js';
import {
  auditRowsAbout,
  decisionsAboutDigests,
  emergencyRequestsSince,
  exceptionsSince,
  overridesSince,
} from '../../store/evidence.js';
import { releaseByVersion } from '../inventory/read-catalogue.js';
import { assessRelease } from '../provenance/assess-release.js';
import { nowIso, type Services } from '../services.js';
import { collectSigned, FileSet } from './collect.js';
import { gatherFacts, trustedRootInForce } from './facts.js';
import { collectLogEntries } from './log-entries.js';
import type { EvidenceSettings } from './settings.js';

/** Rows of one kind an archive holds at most (decisions, audit rows): the newest are enough. */
const MAX_ROWS = 10_000;

export interface EvidenceExport {
  /** The POSIX tar. */
  tar: Uint8Array;
  /** `<product>-<version>-evidence.tar`, for Content-Disposition. */
  filename: string;
}

/**
 * Everything an auditor needs about one release, as one signed tar that verifies offline
 * (`custody evidence verify`): SBOM versions, bundles and attestations, VEX documents, log
 * entries with inclusion proofs and their checkpoints, admission decisions and governance records
 * of the period, emergency certificates, the release ticket, the trusted root in force, the audit
 * rows with their chain links and the chain-of-custody narrative; `manifest.json` lists every
 * file's digest and is signed (DSSE) with the service's signing key.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND (no such release in the
 *   caller's teams); EvidenceError EVIDENCE_UNAVAILABLE (no signing key or log)
 */
export async function exportEvidence(
  s: Services,
  caller: Caller,
  product: string,
  version: string,
  o: EvidenceSettings = {},
): Promise<EvidenceExport> {
  const release = await releaseByVersion(s, caller, product, version);
  const key = s.vexKey;
  const log = s.tlog;
  if (key === undefined || log === undefined) {
    throw new EvidenceError(
      'EVIDENCE_UNAVAILABLE',
      'Evidence is signed with the service key and proven against its transparency log, and this service runs without its log; start custody serve with the log on',
    );
  }
  const q = s.db.read;
  const at = nowIso(s);
  const out = new FileSet();
  const facts = await gatherFacts(s, q, o, {
    product,
    team: release.team,
    teamId: release.team_id,
  });
  const signed = await collectSigned(
    s,
    q,
    release,
    facts.signingIdentities,
    facts.emergencyIssuer,
    out,
  );
  const since = release.created_at;
  // Namespaces belong to no team: a team-scoped caller gets its team's exceptions and no
  // overrides (organisation-wide records), an organisation-wide one gets all of the period's.
  const orgWide = caller.principal.teams === undefined;
  const [decided, exceptions, overrides, emergency] = await Promise.all([
    decisionsAboutDigests(q, signed.artifactDigests, MAX_ROWS),
    exceptionsSince(q, since, orgWide ? undefined : release.team),
    orgWide ? overridesSince(q, since) : Promise.resolve({ rows: [], approvals: [] }),
    emergencyRequestsSince(q, release.team_id, since),
  ]);
  signed.index.logEntries = await collectLogEntries(log, signed, emergency, out);

  out.json(
    'admission/decisions.json',
    decided.decisions.map((d) => ({
      ...d,
      images: decided.images.filter((i) => i.decision_id === d.id),
    })),
  );
  out.json(
    'admission/exceptions.json',
    exceptions.rows.map((e) => ({
      ...e,
      approvals: exceptions.approvals.filter((a) => a.exception_id === e.id),
    })),
  );
  out.json(
    'admission/overrides.json',
    overrides.rows.map((e) => ({
      ...e,
      approvals: overrides.approvals.filter((a) => a.override_id === e.id),
    })),
  );
  out.json('emergency/requests.json', emergency);
  // The release's SLSA Build level per artifact, as GET …/slsa assesses it now.
  out.json('policy/slsa.json', await assessRelease(s, caller, product, version));

  const targets = [
    `release:${release.id}`,
    ...signed.sbomIds.map((id) => `sbom:${id}`),
    ...signed.vexFormats.map((f) => `vex-document:${product}:${f}`),
    ...exceptions.rows.map((e) => `admission-exception:${e.id}`),
    ...overrides.rows.map((e) => `admission-override:${e.id}`),
    ...emergency.map((e) => `emergency-request:${e.id}`),
  ];
  const audit = await auditRowsAbout(q, targets, MAX_ROWS);
  out.json(
    AUDIT_PATH,
    audit.map(
      (r): AuditRowFile => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        person: r.person,
        role: r.role,
        action: r.action,
        target: r.target,
        source: r.source,
        team: r.team,
        details: r.details,
        prevHash: r.prev_hash,
        hash: r.hash,
      }),
    ),
  );

  // The chain's head and the heads anchored in the log: rows here must match any anchor.
  const [head, anchors] = await Promise.all([readChainHead(q), listAnchors(q)]);
  out.json(AUDIT_HEAD_PATH, head ?? null);
  out.json(AUDIT_ANCHORS_PATH, anchors);
  out.json(RELEASE_PATH, {
    product,
    team: release.team,
    version: release.version,
    ticket: release.ticket,
    tag: release.tag,
    commit: release.commit_sha,
    createdAt: release.created_at,
    rebuiltAt: release.rebuilt_at,
    deployed: release.deployed === 1,
    artifacts: signed.artifactDigests,
  });
  out.json(TRUSTED_ROOT_PATH, trustedRootInForce(s, o));
  out.add(SIGNING_KEY_PATH, key.publicPem);
  out.json(WITNESSES_PATH, facts.witnesses);
  out.json('trust/signing-identities.json', facts.signingIdentities);
  out.json('trust/roles.json', facts.roles);
  out.json(INDEX_PATH, signed.index);
  out.add(
    NARRATIVE_PATH,
    renderNarrative({
      facts,
      release: {
        version: release.version,
        ticket: release.ticket,
        tag: release.tag,
        commit: release.commit_sha,
        createdAt: release.created_at,
      },
      index: signed.index,
      generatedAt: at,
      generatedBy: caller.principal.person,
      orgWide,
      counts: {
        ...signed.counts,
        decisions: decided.decisions.length,
        exceptions: exceptions.rows.length,
        overrides: overrides.rows.length,
        emergency: emergency.length,
        audit: audit.length,
      },
    }),
  );

  const files = out.list();
  const { bytes } = buildManifest(files, {
    product,
    release: release.version,
    generatedAt: at,
    generatedBy: caller.principal.person,
    signer: key,
  });
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tar = await packEvidenceTar([
    { path: MANIFEST_PATH, data: bytes },
    { path: MANIFEST_SIGNATURE_PATH, data: signManifest(bytes, key) },
    ...sorted,
  ]);
  return { tar, filename: `${safeName(product)}-${safeName(release.version)}-evidence.tar` };
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
}
