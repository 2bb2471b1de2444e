import {
  AccessError,
  type Caller,
  can,
  inScope,
  type Principal,
  requireSecondPerson,
} from '../../access/index.js';
import { formatPurl, parsePurl } from '../../core/index.js';
import { InventoryError, purlKey } from '../../inventory/index.js';
import { insertAuditEvents } from '../../store/audit.js';
import { findProduct } from '../../store/catalogue.js';
import type { Q } from '../../store/db.js';
import {
  currentComponentsOfRelease,
  findVexStatement,
  insertVexChanges,
  insertVexStatement,
  insertVexStatementsOfProducts,
  insertVexVersions,
  openVexStatements,
  productsByName,
  productsWithVexStatement,
  putVexVersion,
  updateVexStatement,
  type VexStatementRow,
  vexChanges,
  vexStatementsOfProduct,
  vexVersions,
} from '../../store/vex.js';
import {
  type AdvisoryRef,
  approveStatement,
  type ChangeRecord,
  changeStatus,
  discloseStatement,
  draftConfidentialStatements,
  draftStatements,
  endOfLife,
  type FixEvidence,
  type LifecycleStatement,
  needsApproval,
  type Revision,
  reviseStatement,
  type StatementEdit,
  type StatusChange,
  SYSTEM_ACTOR,
  type ThreatIntel,
  VEX_JUSTIFICATIONS,
  VEX_RESPONSES,
  VEX_STATUSES,
  VexLifecycleError,
} from '../../vex/index.js';
import { audit, auditDecision } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import { settleFindings } from './settle-findings.js';

/**
 * VEX statements in the service (issue 12): drafted per product (by a person, or by the system
 * on an advisory), revised, moved along the lifecycle's transitions, approved by a second person,
 * disclosed, ended by EOL, and fixed from the inventory's evidence. Each change is vex/'s pure
 * function; this file reads the statement, applies it and writes the new version, the trail and
 * the audit record in one transaction. Confidential statements are visible only to the owning
 * team's approvers, and their vulnerability id never enters the audit trail while confidential.
 */

export interface StatementView {
  id: number;
  product: string;
  team: string;
  vulnerability: string;
  status: string;
  version: number;
  confidential: boolean;
  draftedBy: string;
  approvedBy: string | null;
  disclosedAt: string | null;
  needsApproval: boolean;
  createdAt: string;
  updatedAt: string;
  statement: LifecycleStatement;
}

export interface StatementHistory extends StatementView {
  versions: { version: number; createdAt: string; statement: LifecycleStatement }[];
  trail: ChangeRecord[];
}

/** A release found affected, as the matcher reports it: inventory product, release, component. */
export interface AffectedProductRelease {
  product: string;
  release: string;
  /** The vulnerable component as the release's SBOM lists it (purl with version). */
  component: string;
}

export interface DraftInput {
  product: string;
  vulnerability: string;
  aliases?: readonly string[];
  description?: string;
  /** Release versions of the product the statement covers (default: none named, every version). */
  releases?: readonly string[];
  /** The vulnerable components (purls). */
  components?: readonly string[];
  /** A private disclosure: approvers of the team only, until disclosed. */
  confidential?: boolean;
}

const MAX_TEXT = 10_000;

/** The purl a product of the inventory has in its statements. */
export function productPurl(product: string, release?: string): string {
  return formatPurl({
    type: 'generic',
    name: product,
    ...(release !== undefined ? { version: release } : {}),
  });
}

/**
 * Draft an `under_investigation` statement by hand (seed 001: a new CVE, or — confidential — a
 * private disclosure). Publishers and approvers of the product's team draft; a confidential
 * draft only approvers (only they may see it).
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND; VexLifecycleError
 *   VEX_STATEMENT_INVALID
 */
export async function draftStatement(
  s: Services,
  caller: Caller,
  input: DraftInput,
): Promise<StatementView> {
  requireDrafter(caller.principal);
  if (input.confidential === true && !can(caller.principal.role, 'decision:write')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      'A confidential statement is visible to approvers only, so an approver of the team drafts it',
    );
  }
  const advisory = advisoryOf(input);
  const releases = input.releases ?? [];
  const components = input.components ?? [];
  const affected =
    releases.length === 0
      ? components.map((c) => ({ product: productPurl(input.product), component: c }))
      : releases.flatMap((r) =>
          (components.length === 0 ? [productPurl(input.product)] : components).map((c) => ({
            product: productPurl(input.product, r),
            component: c,
          })),
        );
  if (affected.length === 0) {
    throw invalid('name the vulnerable components (components) the statement is about');
  }
  const now = nowIso(s);
  const person = caller.principal.person;
  const revision =
    input.confidential === true
      ? first(draftConfidentialStatements(advisory, affected, { by: person, now }))
      : asPerson(first(draftStatements(advisory, affected, now)), person);
  return s.db.kysely.transaction().execute(async (trx) => {
    const product = await visibleProduct(trx, caller, input.product);
    return insertDraft(trx, caller, product, revision, now);
  });
}

/**
 * The system's drafts for a new or changed advisory (seed 001 pattern 2, steps 2–3): one
 * `under_investigation` statement per product of `affected`, drafted by the system, publishable
 * without approval. A product that already has a statement on the advisory is left as it is.
 * This is the hook the findings job calls; it needs no caller.
 * @throws VexLifecycleError VEX_STATEMENT_INVALID (a malformed component purl)
 */
export async function draftFromAdvisory(
  s: Services,
  advisory: AdvisoryRef,
  affected: readonly AffectedProductRelease[],
): Promise<StatementView[]> {
  const byProduct = new Map<string, AffectedProductRelease[]>();
  for (const a of affected) {
    const list = byProduct.get(a.product);
    if (list) list.push(a);
    else byProduct.set(a.product, [a]);
  }
  const now = nowIso(s);
  const drafts = [...byProduct].map(([name, rows]) => ({
    name,
    revision: first(
      draftStatements(
        advisory,
        rows.map((r) => ({ product: productPurl(name, r.release), component: r.component })),
        now,
      ),
    ),
  }));
  // The products a few hundred at a time, each group one queued write: an advisory on a common
  // package affects hundreds of products, and a transaction (and a dozen round trips) per product
  // was most of the cost of matching it.
  const out: StatementView[] = [];
  for (let i = 0; i < drafts.length; i += DRAFTS_TOGETHER) {
    const group = drafts.slice(i, i + DRAFTS_TOGETHER);
    out.push(...(await s.db.writes.run((trx) => insertSystemDrafts(trx, advisory, group, now))));
  }
  return out;
}

const DRAFTS_TOGETHER = 250;

/**
 * insertDraft for the system's drafts of one advisory, several products at once: a product that
 * no longer exists or already has a statement on the advisory is skipped.
 */
async function insertSystemDrafts(
  trx: Q,
  advisory: AdvisoryRef,
  drafts: readonly { name: string; revision: Revision }[],
  now: string,
): Promise<StatementView[]> {
  const products = await productsByName(
    trx,
    drafts.map((d) => d.name),
  );
  const taken = await productsWithVexStatement(
    trx,
    [...products.values()].map((p) => p.id),
    advisory.id,
  );
  const fresh = drafts.flatMap((d) => {
    const product = products.get(d.name);
    if (!product || taken.has(product.id)) return [];
    const values = statementRow(product, d.revision.statement, now);
    return [{ values, product: d.name, team: product.team, trail: d.revision.trail }];
  });
  const ids = await insertVexStatementsOfProducts(
    trx,
    fresh.map((f) => f.values),
  );
  const rows: VexStatementRow[] = fresh.map((f) => ({
    id: ids.get(f.values.product_id) as number,
    ...f.values,
    product: f.product,
    team: f.team,
  }));
  const trails = fresh.map((f) => f.trail);
  await insertVexVersions(
    trx,
    rows.map((r) => ({ statement_id: r.id, version: r.version, body: r.body, created_at: now })),
  );
  await insertVexChanges(
    trx,
    rows.flatMap((r, k) => trailRows(r.id, trails[k] as ChangeRecord[])),
  );
  // The write queue moves the write generation before it commits (as recordAudit would here).
  await insertAuditEvents(
    trx,
    rows.map((r) => ({
      actor: SYSTEM_CALLER.principal.actor,
      person: SYSTEM_CALLER.principal.person,
      role: SYSTEM_CALLER.principal.role,
      source: SYSTEM_CALLER.source,
      action: 'vex.draft',
      target: `vex-statement:${r.id}`,
      team: r.team,
      details: auditDetails(r, JSON.parse(r.body) as LifecycleStatement),
    })),
    now,
  );
  return rows.map(view);
}

/** New information a threat feed brings about CVEs (seed 001: KEV listing, EPSS score). */
export type FeedIntel = ReadonlyMap<string, Partial<Pick<ThreatIntel, 'kev' | 'epss'>>>;

/**
 * New information makes a new statement version (seed 001's VEX versioning): every statement
 * not yet `fixed` that names one of `intel`'s CVEs (as its vulnerability or an alias) is revised
 * as the system with the new intelligence (vex/'s reviseStatement with `intel`). Only a
 * substantive change is written — a KEV listing the statement did not have, an EPSS score at
 * least EPSS_VERSION_STEP away from the one its version states — as a new version (approval
 * again where needsApproval says), with the trail and an audit record. A smaller EPSS drift
 * writes nothing, so the statement keeps the score its version was based on and drift that adds
 * up to the step makes a new version. Runs in the caller's transaction (the feed load's).
 * @returns the statements revised
 */
export async function reviseForFeedIntel(
  trx: Q,
  intel: FeedIntel,
  now: string,
  feed: string,
): Promise<number> {
  if (intel.size === 0) return 0;
  let revised = 0;
  for (const row of await openVexStatements(trx)) {
    const prev = JSON.parse(row.body) as LifecycleStatement;
    const edit: Partial<ThreatIntel> = {};
    for (const name of [prev.vulnerability, ...(prev.aliases ?? [])]) {
      const i = intel.get(name.trim().toUpperCase());
      if (i?.kev === true) edit.kev = true;
      if (i?.epss !== undefined) edit.epss = Math.max(edit.epss ?? 0, i.epss);
    }
    if (edit.kev === undefined && edit.epss === undefined) continue;
    if (edit.kev === true && prev.intel?.kev === true) delete edit.kev;
    if (edit.kev === undefined && edit.epss === undefined) continue;
    const r = reviseStatement(prev, { intel: edit }, { by: SYSTEM_ACTOR, now });
    if (!r.versioned) continue;
    await writeRevision(trx, row, prev, r, now);
    await audit(
      trx,
      SYSTEM_CALLER,
      {
        action: 'vex.intel',
        target: `vex-statement:${row.id}`,
        team: row.team,
        details: { ...auditDetails(row, r.statement), feed },
      },
      now,
    );
    revised++;
  }
  return revised;
}

/** Who the system is in the audit trail. */
const SYSTEM_CALLER: Caller = {
  principal: { actor: SYSTEM_ACTOR, person: SYSTEM_ACTOR, role: 'publisher', teams: undefined },
  source: SYSTEM_ACTOR,
};

export interface ReviseInput {
  edit: StatementEdit;
  /** Declares the edit a correction made in place (refused when it says more). */
  correction?: 'typo' | 'formatting' | 'metadata';
}

/**
 * Revise a statement within its status (vex/'s reviseStatement): a substantive change is a new
 * version, a correction an edit in place; the trail records either.
 * @throws VexLifecycleError VEX_CORRECTION_INVALID, VEX_STATEMENT_INVALID; InventoryError
 *   INVENTORY_NOT_FOUND, INVENTORY_CONFLICT (changed meanwhile)
 */
export async function reviseVexStatement(
  s: Services,
  caller: Caller,
  id: number,
  input: ReviseInput,
): Promise<StatementView> {
  requireDrafter(caller.principal);
  checkEdit(input.edit);
  return change(s, caller, id, 'vex.revise', (st, now) =>
    reviseStatement(st, input.edit, {
      by: caller.principal.person,
      now,
      ...(input.correction !== undefined ? { correction: input.correction } : {}),
    }),
  );
}

/**
 * Move a statement to another status along VEX_TRANSITIONS. A judgment (affected, not_affected)
 * then waits for a second person's approval.
 * @throws VexLifecycleError VEX_TRANSITION_INVALID, VEX_STATEMENT_INVALID
 */
export async function transitionVexStatement(
  s: Services,
  caller: Caller,
  id: number,
  to: StatusChange,
): Promise<StatementView> {
  requireDrafter(caller.principal);
  checkChange(to);
  return change(s, caller, id, 'vex.transition', (st, now) =>
    changeStatus(st, to, { by: caller.principal.person, now }),
  );
}

/**
 * A second person approves the statement's current version: an approver of the team who is not
 * the person who drafted it (two tokens of one person are one person). Checked and audited
 * inside the transaction that writes the approval.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_SAME_PERSON; VexLifecycleError VEX_SAME_PERSON
 */
export async function approveVexStatement(
  s: Services,
  caller: Caller,
  id: number,
): Promise<StatementView> {
  return change(
    s,
    caller,
    id,
    'vex.approve',
    (st, now) => approveStatement(st, caller.principal.person, now),
    { decision: true },
  );
}

/**
 * Disclose a confidential statement (the coordinated disclosure date came): an approver of the
 * team makes it public; its version does not change.
 * @throws AccessError AUTH_FORBIDDEN; VexLifecycleError VEX_TRANSITION_INVALID (not confidential)
 */
export async function discloseVexStatement(
  s: Services,
  caller: Caller,
  id: number,
): Promise<StatementView> {
  requireApprover(caller.principal);
  return change(s, caller, id, 'vex.disclose', (st, now) =>
    discloseStatement(st, { by: caller.principal.person, now }),
  );
}

/**
 * EOL announcement: affected with `will_not_fix` and what to do instead (a new version that
 * needs approval).
 * @throws VexLifecycleError VEX_STATEMENT_INVALID (empty action statement), VEX_TRANSITION_INVALID
 */
export async function endOfLifeVexStatement(
  s: Services,
  caller: Caller,
  id: number,
  actionStatement: string,
): Promise<StatementView> {
  requireDrafter(caller.principal);
  checkText(actionStatement, 'actionStatement');
  return change(s, caller, id, 'vex.eol', (st, now) =>
    endOfLife(st, actionStatement, { by: caller.principal.person, now }),
  );
}

/**
 * `fixed` from evidence, without approval: for every release the statement names, the
 * release's current SBOM in the inventory holds the vulnerable component at or above
 * `fixedVersion` (vex/'s assertFixProven decides). Anything less is refused.
 * @throws VexLifecycleError VEX_EVIDENCE_MISMATCH, VEX_TRANSITION_INVALID
 */
export async function fixVexStatementFromEvidence(
  s: Services,
  caller: Caller,
  id: number,
  input: { fixedVersion: string; statusNotes?: string },
): Promise<StatementView> {
  requireDrafter(caller.principal);
  checkText(input.fixedVersion, 'fixedVersion', 200);
  return change(s, caller, id, 'vex.fixed', async (st, now, trx, row) => {
    const evidence = await evidenceFor(trx, row.product_id, st, input.fixedVersion);
    return changeStatus(
      st,
      {
        status: 'fixed',
        ...(input.statusNotes !== undefined ? { statusNotes: input.statusNotes } : {}),
      },
      { by: caller.principal.person, now, evidence },
    );
  });
}

/**
 * A product's statements the caller may see: team scope, and confidential ones for the team's
 * approvers only.
 */
export async function listVexStatements(
  s: Services,
  caller: Caller,
  productName: string,
): Promise<StatementView[]> {
  const product = await visibleProduct(s.db.read, caller, productName);
  const rows = await vexStatementsOfProduct(s.db.read, product.id, { confidential: true });
  const views = rows.map(view);
  if (seesConfidential(caller.principal, product.team)) return views;
  const secrets = secretsOf(rows);
  return views.filter((v) => !v.confidential && !mentions(v, secrets));
}

/** One statement with every version and its change trail. */
export async function vexStatementHistory(
  s: Services,
  caller: Caller,
  id: number,
): Promise<StatementHistory> {
  const row = await visibleStatement(s.db.read, caller, id);
  const versions = await vexVersions(s.db.read, id);
  const trail = await vexChanges(s.db.read, id);
  const history: StatementHistory = {
    ...view(row),
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: v.created_at,
      statement: JSON.parse(v.body) as LifecycleStatement,
    })),
    trail: trail.map((t) => ({
      field: t.field,
      kind: t.kind as ChangeRecord['kind'],
      before: t.before === null ? undefined : (JSON.parse(t.before) as unknown),
      after: t.after === null ? undefined : (JSON.parse(t.after) as unknown),
      by: t.by,
      at: t.at,
      version: t.version,
    })),
  };
  if (!seesConfidential(caller.principal, row.team)) {
    const all = await vexStatementsOfProduct(s.db.read, row.product_id, { confidential: true });
    if (mentions(history, secretsOf(all))) throw statementNotFound(id);
  }
  return history;
}

/**
 * The ids and aliases of the confidential statements among `rows`: a statement that names one
 * (anywhere, in any version) would reveal it, so it is hidden from those who may not see them,
 * as vex/'s redactConfidential hides it from everything published.
 */
function secretsOf(rows: readonly VexStatementRow[]): string[] {
  return rows
    .filter((r) => r.confidential === 1)
    .flatMap((r) => {
      const st = JSON.parse(r.body) as LifecycleStatement;
      return [st.vulnerability, ...(st.aliases ?? [])];
    })
    .map((x) => x.trim().toLowerCase())
    .filter((x) => x !== '');
}

function mentions(value: unknown, secrets: readonly string[]): boolean {
  if (secrets.length === 0) return false;
  const text = JSON.stringify(value).toLowerCase();
  return secrets.some((x) => text.includes(x));
}

function statementNotFound(id: number): InventoryError {
  return new InventoryError('INVENTORY_NOT_FOUND', `VEX statement ${id} does not exist`);
}

// ---- the one write path every change takes ----

type Apply = (
  st: LifecycleStatement,
  now: string,
  trx: Q,
  row: VexStatementRow,
) => Revision | Promise<Revision>;

async function change(
  s: Services,
  caller: Caller,
  id: number,
  action: string,
  apply: Apply,
  o: { decision?: boolean } = {},
): Promise<StatementView> {
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    const row = await visibleStatement(trx, caller, id);
    const prev = JSON.parse(row.body) as LifecycleStatement;
    // A decision: the caller must be an approver and another person than the drafter (people,
    // not tokens), checked before the lifecycle sees it.
    if (o.decision === true) requireSecondPerson(caller.principal, prev.draftedBy);
    const r = await apply(prev, now, trx, row);
    const details = auditDetails(row, r.statement);
    if (o.decision === true) {
      // Both people checked and recorded before anything is written (AUTH_SAME_PERSON compares
      // people, so the drafter's approver token is refused too).
      await auditDecision(
        trx,
        caller,
        prev.draftedBy,
        { action, target: `vex-statement:${id}`, team: row.team, details },
        now,
      );
    }
    await writeRevision(trx, row, prev, r, now);
    if (o.decision !== true) {
      await audit(
        trx,
        caller,
        { action, target: `vex-statement:${id}`, team: row.team, details },
        now,
      );
    }
    const after = await findVexStatement(trx, id);
    return view(after as VexStatementRow);
  });
}

/**
 * Write a revision of a stored statement: the row (only if nobody changed it meanwhile), the
 * version, the trail, and the findings the change settles (settle-findings.ts), all in `trx`.
 * @throws InventoryError INVENTORY_CONFLICT (changed meanwhile)
 */
async function writeRevision(
  trx: Q,
  row: VexStatementRow,
  prev: LifecycleStatement,
  r: Revision,
  now: string,
): Promise<void> {
  const id = row.id;
  const st = r.statement;
  const body = JSON.stringify(st);
  const ok = await updateVexStatement(
    trx,
    id,
    { version: row.version, updatedAt: row.updated_at },
    {
      status: st.status,
      version: st.version,
      confidential: st.confidential === true ? 1 : 0,
      drafted_by: st.draftedBy,
      approved_by: st.approvedBy ?? null,
      disclosed_at: st.disclosedAt ?? null,
      body,
      updated_at: now,
    },
  );
  if (!ok) {
    throw new InventoryError(
      'INVENTORY_CONFLICT',
      `VEX statement ${id} changed while this change was made; read it again and retry`,
    );
  }
  await putVexVersion(trx, id, st.version, body, now);
  await insertVexChanges(trx, trailRows(id, r.trail));
  await settleFindings(trx, row.product_id, row.product, prev, st, now);
}

/** A new statement's row: its first version, as drafted. */
function statementRow(
  product: { id: number; team_id: number },
  st: LifecycleStatement,
  now: string,
) {
  return {
    team_id: product.team_id,
    product_id: product.id,
    vulnerability: st.vulnerability,
    status: st.status,
    version: st.version,
    confidential: st.confidential === true ? 1 : 0,
    drafted_by: st.draftedBy,
    approved_by: st.approvedBy ?? null,
    disclosed_at: null,
    body: JSON.stringify(st),
    created_at: now,
    updated_at: now,
  };
}

async function insertDraft(
  trx: Q,
  caller: Caller,
  product: { id: number; team_id: number; team: string },
  r: Revision,
  now: string,
): Promise<StatementView> {
  const st = r.statement;
  const values = statementRow(product, st, now);
  const id = await insertVexStatement(trx, values);
  await putVexVersion(trx, id, st.version, values.body, now);
  await insertVexChanges(trx, trailRows(id, r.trail));
  const row = (await findVexStatement(trx, id)) as VexStatementRow;
  await audit(
    trx,
    caller,
    {
      action: 'vex.draft',
      target: `vex-statement:${id}`,
      team: product.team,
      details: auditDetails(row, st),
    },
    now,
  );
  return view(row);
}

function trailRows(id: number, trail: readonly ChangeRecord[]) {
  return trail.map((t) => ({
    statement_id: id,
    version: t.version,
    field: t.field,
    kind: t.kind,
    before: t.before === undefined ? null : JSON.stringify(t.before),
    after: t.after === undefined ? null : JSON.stringify(t.after),
    by: t.by,
    at: t.at,
  }));
}

// The audit trail is read by auditors, who may not see confidential statements: while a
// statement is confidential, its record names the statement and the product, never the
// vulnerability.
function auditDetails(row: VexStatementRow, st: LifecycleStatement): Record<string, unknown> {
  return {
    statement: row.id,
    product: row.product,
    status: st.status,
    version: st.version,
    ...(st.confidential === true ? { confidential: true } : { vulnerability: st.vulnerability }),
  };
}

function view(row: VexStatementRow): StatementView {
  const statement = JSON.parse(row.body) as LifecycleStatement;
  return {
    id: row.id,
    product: row.product,
    team: row.team,
    vulnerability: row.vulnerability,
    status: row.status,
    version: row.version,
    confidential: row.confidential === 1,
    draftedBy: row.drafted_by,
    approvedBy: row.approved_by,
    disclosedAt: row.disclosed_at,
    needsApproval: needsApproval(statement),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    statement,
  };
}

// ---- scope and access ----

/** Whether the principal may see the team's confidential statements: its approvers only. */
export function seesConfidential(p: Principal, team: string): boolean {
  return can(p.role, 'decision:write') && inScope(p, team);
}

function requireDrafter(p: Principal): void {
  if (!can(p.role, 'inventory:write') && !can(p.role, 'decision:write')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${p.role} token may not write VEX statements: a publisher or approver of the team does`,
      { details: { role: p.role } },
    );
  }
}

function requireApprover(p: Principal): void {
  if (!can(p.role, 'decision:write')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${p.role} token may not disclose a confidential statement: an approver of the team does`,
      { details: { role: p.role, permission: 'decision:write' } },
    );
  }
}

async function visibleProduct(
  q: Q,
  caller: Caller,
  name: string,
): Promise<{ id: number; team_id: number; team: string }> {
  const product = await findProduct(q, name);
  const team =
    product &&
    (await q
      .selectFrom('teams')
      .select('name')
      .where('id', '=', product.team_id)
      .executeTakeFirst());
  if (!product || !team || !inScope(caller.principal, team.name)) {
    throw new InventoryError('INVENTORY_NOT_FOUND', `product ${name.slice(0, 200)} does not exist`);
  }
  return { id: product.id, team_id: product.team_id, team: team.name };
}

// A statement outside the caller's teams, or confidential and the caller no approver of its
// team, does not exist for the caller (no probing for private disclosures).
async function visibleStatement(q: Q, caller: Caller, id: number): Promise<VexStatementRow> {
  const row = await findVexStatement(q, id);
  if (
    !row ||
    !inScope(caller.principal, row.team) ||
    (row.confidential === 1 && !seesConfidential(caller.principal, row.team))
  ) {
    throw statementNotFound(id);
  }
  if (!seesConfidential(caller.principal, row.team)) {
    const all = await vexStatementsOfProduct(q, row.product_id, { confidential: true });
    if (mentions(row.body, secretsOf(all))) throw statementNotFound(id);
  }
  return row;
}

// ---- evidence from the inventory ----

async function evidenceFor(
  q: Q,
  productId: number,
  st: LifecycleStatement,
  fixedVersion: string,
): Promise<FixEvidence[]> {
  const evidence: FixEvidence[] = [];
  for (const p of st.products) {
    if (p.purl === undefined) continue;
    const listed =
      p.versions !== undefined && 'list' in p.versions
        ? p.versions.list
        : [parsePurl(p.purl).version].filter((v): v is string => v !== undefined);
    for (const release of listed) {
      for (const sub of p.subcomponents ?? []) {
        const key = purlKey(sub);
        if (key === undefined) continue;
        const found = await currentComponentsOfRelease(q, productId, release, key.package);
        for (const c of found) {
          const component =
            c.purl ?? (c.version === null ? undefined : `${key.package}@${c.version}`);
          if (component === undefined) continue;
          evidence.push({
            product: formatPurl({ ...parsePurl(p.purl), version: release }),
            component,
            fixedVersion,
          });
        }
      }
    }
  }
  if (evidence.length === 0) {
    throw new VexLifecycleError(
      'VEX_EVIDENCE_MISMATCH',
      "the evidence does not show the fix: no current SBOM of the statement's releases holds its vulnerable component; push the fixed release's SBOM, or transition to fixed and ask an approver",
      { details: { fixedVersion } },
    );
  }
  return evidence;
}

// ---- input checks (bad input refused before anything is read or written) ----

function advisoryOf(input: DraftInput): AdvisoryRef {
  checkText(input.vulnerability, 'vulnerability', 200);
  for (const a of input.aliases ?? []) checkText(a, 'aliases', 200);
  if (input.description !== undefined) checkText(input.description, 'description');
  return {
    id: input.vulnerability.trim(),
    ...(input.aliases !== undefined ? { aliases: input.aliases.map((a) => a.trim()) } : {}),
    ...(input.description !== undefined ? { summary: input.description } : {}),
  };
}

function checkChange(c: StatusChange): void {
  if (!(VEX_STATUSES as readonly string[]).includes(c.status)) {
    throw invalid(
      `/status: "${String(c.status).slice(0, 60)}" is none of ${VEX_STATUSES.join(', ')}`,
    );
  }
  checkEdit(c as StatementEdit);
}

function checkEdit(e: StatementEdit): void {
  if (
    e.justification !== undefined &&
    !(VEX_JUSTIFICATIONS as readonly string[]).includes(e.justification)
  ) {
    throw invalid(
      `/justification: "${String(e.justification).slice(0, 60)}" is none of ${VEX_JUSTIFICATIONS.join(', ')}`,
    );
  }
  for (const r of e.responses ?? []) {
    if (!(VEX_RESPONSES as readonly string[]).includes(r)) {
      throw invalid(
        `/responses: "${String(r).slice(0, 60)}" is none of ${VEX_RESPONSES.join(', ')}`,
      );
    }
  }
}

function checkText(text: string, field: string, max = MAX_TEXT): void {
  if (typeof text !== 'string' || text.trim() === '' || text.length > max) {
    throw invalid(`/${field}: 1–${max} characters`);
  }
}

function invalid(problem: string): VexLifecycleError {
  return new VexLifecycleError(
    'VEX_STATEMENT_INVALID',
    `the VEX statement is invalid: ${problem}`,
    {
      details: { problems: [problem] },
    },
  );
}

function first(rs: Revision[]): Revision {
  const r = rs[0];
  if (r === undefined || rs.length > 1) {
    throw invalid('the releases must all be of one product');
  }
  return r;
}

// draftStatements drafts as the system; a person drafting by hand is the drafter instead.
function asPerson(r: Revision, person: string): Revision {
  return {
    ...r,
    statement: { ...r.statement, draftedBy: person.trim() },
    trail: r.trail.map((t) => ({ ...t, by: person.trim() })),
  };
}
