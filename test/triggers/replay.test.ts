import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CHECKLIST,
  DECISION_TREE,
  DEFAULT_SLA,
  decideTrigger,
  EDGE_CASES,
  eventId,
  PATTERNS,
  parseTriggerEvent,
  RULES_BY_ID,
  type SlaKey,
  TRIGGER_RULES,
  VEX_VERSIONING,
} from '../../src/triggers/index.js';
import { REPO_ROOT } from '../helpers/conformance.js';

/**
 * Replays test/fixtures/triggers/seed-001-rows.json — every row of every seed-001 table, each with
 * an example event in the generic JSON of `POST /api/v1/events` — through parseTriggerEvent and
 * decideTrigger. The service's intake replays the same file over HTTP.
 */
interface Expect {
  rule?: string;
  branch?: string;
  sbom?: string;
  vex?: string;
  vexStatus?: string;
  vexNewVersion?: boolean;
  requires?: string;
  confidential?: boolean;
  deadline?: SlaKey | null;
  due?: string;
  alertAt?: string;
  followUp?: SlaKey;
  automation?: string;
  detection?: string;
  obligation?: boolean;
  extras?: string[];
  steps?: string[];
  versions?: { affected: string[]; fixed: string[] };
  hasNotes?: boolean;
  hasApprovalPoint?: boolean;
  where?: 'service';
}

interface Row {
  table: string;
  row: string;
  event: unknown;
  expect: Expect;
}

const FILE = join(REPO_ROOT, 'test/fixtures/triggers/seed-001-rows.json');
const { rows } = JSON.parse(readFileSync(FILE, 'utf8')) as { rows: Row[] };

describe('seed 001 replayed from seed-001-rows.json', () => {
  for (const [i, r] of rows.entries()) {
    it(`#${i + 1} ${r.table}: ${r.row}`, () => {
      if (r.event === null) {
        assert.equal(r.expect.where, 'service', 'only rows the service meets have no event');
        return;
      }
      const event = parseTriggerEvent(r.event);
      const d = decideTrigger(event);
      const x = r.expect;
      const rule = RULES_BY_ID.get(d.rule);
      assert.ok(rule);
      if (x.rule !== undefined) assert.equal(d.rule, x.rule);
      if (x.branch !== undefined) assert.equal(d.branch, x.branch);
      if (x.sbom !== undefined) assert.equal(d.sbom.action, x.sbom);
      if (x.obligation !== undefined) assert.equal(d.sbom.obligation, x.obligation);
      if (x.vex !== undefined) assert.equal(d.vex.action, x.vex);
      if (x.vexStatus !== undefined) assert.equal(d.vex.status, x.vexStatus);
      if (x.vexNewVersion !== undefined) assert.equal(d.vex.newVersion, x.vexNewVersion);
      if (x.requires !== undefined) assert.equal(d.vex.requires, x.requires);
      if (x.confidential !== undefined) assert.equal(d.vex.confidential, x.confidential);
      if (x.versions !== undefined) assert.deepEqual(d.vex.versions, x.versions);
      if (x.deadline !== undefined) {
        assert.equal(d.deadline?.sla ?? null, x.deadline);
        if (x.deadline !== null)
          assert.equal(d.deadline?.withinMs, DEFAULT_SLA[x.deadline].withinMs);
      }
      if (x.due !== undefined) assert.equal(d.deadline?.due, x.due);
      if (x.alertAt !== undefined) assert.equal(d.deadline?.alertAt, x.alertAt);
      if (x.followUp !== undefined) assert.equal(d.followUp?.sla, x.followUp);
      if (x.automation !== undefined) assert.equal(d.automation.level, x.automation);
      if (x.detection !== undefined) assert.equal(rule.detection, x.detection);
      if (x.extras !== undefined) for (const e of x.extras) assert.ok(d.extras.includes(e), e);
      if (x.steps !== undefined) assert.deepEqual(d.steps, x.steps);
      if (x.hasNotes) assert.ok(d.notes.length > 0);
      if (x.hasApprovalPoint)
        assert.ok(d.automation.level === 'semi' && d.automation.approvalPoint.length > 0);
      assert.match(eventId(event), /^sha256:[0-9a-f]{64}$/);
    });
  }

  it('holds every row of every seed-001 table the source code quotes', () => {
    const replayed = new Set(rows.map((r) => `${r.table}|${r.row}`));
    const quoted = [
      ...TRIGGER_RULES.flatMap((rule) =>
        rule.source.filter((s) => s.table !== 'issue').map((s) => `${s.table}|${s.text}`),
      ),
      ...DECISION_TREE.map((r) => `decision-tree|${r.source}`),
      ...VEX_VERSIONING.map((r) => `vex-versioning|${r.source}`),
      ...PATTERNS.map((p) => `pattern|${p.source}`),
      ...EDGE_CASES.map((e) => `edge-case|Edge case ${e.id}: ${e.title} | ${e.solutions[0]}`),
      ...CHECKLIST.map((c) => `checklist|${c.section}: ${c.text}`),
    ];
    const missing = [...new Set(quoted)].filter((q) => !replayed.has(q));
    assert.deepEqual(missing, []);
  });

  it('counts the seed: 5 + 6 + 4 + 4 + 4 + 5 + 7 + 5 + 16 + 3 + 4 + 14 rows', () => {
    const distinct = (table: string) =>
      new Set(rows.filter((r) => r.table === table).map((r) => r.row)).size;
    assert.deepEqual(
      {
        tree: distinct('decision-tree'),
        mandatory: distinct('mandatory'),
        optional: distinct('optional'),
        notTrigger: distinct('not-a-trigger'),
        publication: distinct('vex-publication'),
        updates: distinct('vex-updates'),
        versioning: distinct('vex-versioning'),
        automation: distinct('automation-tree'),
        matrix: distinct('matrix'),
        patterns: distinct('pattern'),
        checklist: distinct('checklist'),
      },
      {
        tree: 5,
        mandatory: 6,
        optional: 4,
        notTrigger: 4,
        publication: 4,
        updates: 5,
        versioning: 7,
        automation: 5,
        matrix: 16,
        patterns: 3,
        checklist: 14,
      },
    );
    const edgeCases = new Set(
      rows.filter((r) => r.table === 'edge-case').map((r) => r.row.split(' | ')[0]),
    );
    assert.equal(edgeCases.size, 4);
  });
});
