import type { Q } from '../../src/store/db.js';

/** The moment the seeded figures are computed at. */
export const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
/** `days` days before NOW, as stored times are written. */
export const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
export const digest = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

const GH = 'https://token.actions.githubusercontent.com';
const L3 = {
  builder_id:
    'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0',
  identity:
    'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0',
};
const L2 = {
  builder_id: 'https://github.com/actions/runner/github-hosted',
  identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
};

/**
 * A small portfolio whose every KPI is known by hand (see the expectations in compute.test.ts):
 * teams alpha (svc-a, svc-b, vendor-x) and beta (svc-c, vendor-y), their releases' evidence,
 * SBOMs, findings, and a month of admission records.
 */
export async function seedPortfolio(q: Q, o: { tlog?: boolean } = {}): Promise<void> {
  const team = async (name: string) =>
    (
      await q
        .insertInto('teams')
        .values({ name, gate_policy: null, created_at: ago(400), slsa_settings: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const alpha = await team('alpha');
  const beta = await team('beta');
  const product = async (name: string, team_id: number, supplier = 0) =>
    (
      await q
        .insertInto('products')
        .values({ name, team_id, supplier, created_at: ago(400) })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const svcA = await product('svc-a', alpha);
  const svcB = await product('svc-b', alpha);
  const svcC = await product('svc-c', beta);
  const vendorX = await product('vendor-x', alpha, 1);
  const vendorY = await product('vendor-y', beta, 1);
  const release = async (product_id: number, version: string) =>
    (
      await q
        .insertInto('releases')
        .values({
          product_id,
          version,
          tag: null,
          commit_sha: null,
          created_at: ago(50),
          rebuilt_at: null,
          deployed: 0,
          ticket: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const artifact = async (release_id: number, d: string, createdDaysAgo = 50) =>
    (
      await q
        .insertInto('artifacts')
        .values({ release_id, digest: digest(d), name: null, created_at: ago(createdDaysAgo) })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const r1 = await release(svcA, '1.0');
  const r2 = await release(svcA, '2.0');
  const r3 = await release(svcB, '1.0');
  const r4 = await release(svcC, '1.0');
  const r5 = await release(vendorX, '1.0');
  const r6 = await release(vendorY, '1.0');
  const a1 = await artifact(r1, '1');
  const a2 = await artifact(r2, '2');
  const a3 = await artifact(r3, '3', 4);
  const a4 = await artifact(r4, '4');
  const a5 = await artifact(r5, '5');
  const a6 = await artifact(r6, '6');
  const provenance = async (
    release_id: number,
    artifact_id: number,
    d: string,
    b: typeof L2,
    deps: number,
    pinned: number,
  ) =>
    q
      .insertInto('release_attestations')
      .values({
        release_id,
        artifact_id,
        artifact_digest: digest(d),
        predicate_type: 'https://slsa.dev/provenance/v1',
        bundle_digest: digest(`b${d}`),
        signer_kind: 'identity',
        identity: b.identity,
        issuer: GH,
        key_name: null,
        key_hint: null,
        builder_id: b.builder_id,
        build_type: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
        external_parameters: 1,
        source_uri: null,
        source_digest: null,
        source_ref: null,
        dependencies: deps,
        dependencies_pinned: pinned,
        log_index: null,
        logged_by: null,
        created_at: ago(50),
        created_by: 'test',
      })
      .execute();
  await provenance(r1, a1, '1', L2, 2, 2);
  await provenance(r2, a2, '2', L3, 4, 4);
  await provenance(r3, a3, '3', L2, 3, 1);
  // A builder no team trusts: L1, whatever it claims.
  await provenance(
    r4,
    a4,
    '4',
    { builder_id: 'https://ci.example/runner', identity: 'ci@example.com' },
    0,
    0,
  );
  let idx = 0;
  // A server's own log owns tlog_entries; the routes' tests leave them out.
  for (const d of o.tlog === false ? [] : ['1', '2', '4'])
    await q
      .insertInto('tlog_entries')
      .values({
        idx: idx++,
        leaf_hash: new Uint8Array(32).fill(idx + 1),
        kind: 'hashedrekord',
        body: new Uint8Array(1),
        integrated_time: 0,
        subject: digest(d),
      })
      .execute();
  const rebuild = (release_id: number, artifact_id: number, matches: number, days: number) =>
    q
      .insertInto('rebuild_checks')
      .values({
        release_id,
        artifact_id,
        expected_digest: digest('e'),
        rebuilt_digest: digest('e'),
        matches,
        command: 'make',
        sbom_diff: null,
        checked_at: ago(days),
        checked_by: 'test',
      })
      .execute();
  await rebuild(r2, a2, 1, 10);
  await rebuild(r2, a2, 0, 20);
  await rebuild(r4, a4, 1, 5);
  await rebuild(r3, a3, 0, 120);
  const sbom = async (
    artifact_id: number,
    release_id: number,
    product_id: number,
    team_id: number,
    d: string,
    o: { signed: number; current: number; doc: string | null; created: string },
  ) =>
    (
      await q
        .insertInto('sboms')
        .values({
          artifact_id,
          release_id,
          product_id,
          team_id,
          digest: digest(`s${d}`),
          format: 'cyclonedx',
          spec_version: '1.5',
          serial_number: null,
          media_type: 'application/vnd.cyclonedx+json',
          size: 1,
          version_no: o.current === 0 ? 1 : 2,
          supersedes_id: null,
          current: o.current,
          quality_score: 80,
          component_count: 1,
          signed: o.signed,
          document_created: o.doc,
          created_at: o.created,
          created_by: 'test',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  await sbom(a1, r1, svcA, alpha, '0', { signed: 1, current: 0, doc: ago(60), created: ago(60) });
  await sbom(a1, r1, svcA, alpha, '1', { signed: 1, current: 1, doc: ago(10), created: ago(9) });
  await sbom(a2, r2, svcA, alpha, '2', { signed: 1, current: 1, doc: ago(2), created: ago(2) });
  await sbom(a3, r3, svcB, alpha, '3', { signed: 0, current: 1, doc: null, created: ago(4) });
  await sbom(a4, r4, svcC, beta, '4', { signed: 1, current: 1, doc: ago(30), created: ago(1) });
  const s5 = await sbom(a5, r5, vendorX, alpha, '5', {
    signed: 0,
    current: 1,
    doc: ago(1),
    created: ago(1),
  });
  const intake = (
    product_id: number,
    release_id: number,
    artifact_id: number,
    sbom_id: number | null,
  ) =>
    q
      .insertInto('supplier_intakes')
      .values({
        product_id,
        release_id,
        artifact_id,
        vendor: 'v',
        required_level: 0,
        assessed_level: 0,
        sbom_id,
        attestation_id: null,
        created_at: ago(5),
        created_by: 'test',
      })
      .execute();
  await intake(vendorX, r5, a5, s5);
  await intake(vendorY, r6, a6, null);
  const finding = (
    team_id: number,
    rating: string,
    opened: number,
    closed: number | null,
    reason: string | null,
  ) =>
    q
      .insertInto('vuln_findings')
      .values({
        advisory_id: `GHSA-${opened}-${closed}-${rating}`,
        team_id,
        product_id: svcA,
        release_id: r1,
        artifact_id: a1,
        sbom_id: 1,
        package_id: 1,
        purl: 'pkg:npm/x@1',
        versions: '[]',
        fixed: null,
        severity_score: null,
        severity_rating: rating,
        opened_at: ago(opened),
        opened_sbom_id: 1,
        updated_at: ago(0),
        closed_at: closed === null ? null : ago(closed),
        close_reason: reason,
        closed_sbom_id: null,
      })
      .execute();
  await finding(alpha, 'high', 15, 5, 'fixed');
  await finding(beta, 'critical', 14, 10, 'vex_fixed');
  await finding(alpha, 'medium', 15, 5, 'fixed');
  await finding(alpha, 'high', 200, 100, 'fixed');
  await finding(alpha, 'high', 15, 5, 'withdrawn');
  await finding(beta, 'high', 15, null, null);
  await seedAdmission(q);
}

async function seedAdmission(q: Q): Promise<void> {
  let uid = 0;
  const decision = async (
    at: string,
    o: {
      allowed: number;
      reasons?: string[];
      degraded?: number;
      reconciled?: boolean;
      wouldDeny?: number;
      dryRun?: number;
    },
    images: { d: string; outcome: string; reason?: string; effect: string }[],
  ) => {
    const id = (
      await q
        .insertInto('admission_decisions')
        .values({
          uid: `u${uid++}`,
          api: 'admission-review',
          cluster: 'c1',
          namespace: 'ns1',
          workload: 'w',
          operation: 'CREATE',
          dry_run: o.dryRun ?? 0,
          mode: 'enforce',
          mode_source: 'namespace',
          override_id: null,
          allowed: o.allowed,
          degraded: o.degraded ?? 0,
          would_deny: o.wouldDeny ?? 0,
          reasons: JSON.stringify(o.reasons ?? []),
          message: null,
          warnings: '[]',
          at,
          reconciled_at: o.reconciled ? ago(0) : null,
          reconciliation: o.reconciled ? 'confirmed' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const i of images)
      await q
        .insertInto('admission_decision_images')
        .values({
          decision_id: id,
          image: `reg/x@${digest(i.d)}`,
          digest: digest(i.d),
          outcome: i.outcome,
          reason: i.reason ?? null,
          message: '',
          effect: i.effect,
          exception_id: null,
          degraded: null,
          degraded_via: null,
          cached: 0,
          policy_name: null,
          policy_version: null,
          policy_digest: null,
        })
        .execute();
  };
  await decision(ago(5), { allowed: 1, reasons: ['unsigned'] }, [
    { d: '2', outcome: 'pass', effect: 'allow' },
    { d: 'u', outcome: 'fail', reason: 'unsigned', effect: 'audit' },
  ]);
  await decision(ago(4), { allowed: 1, degraded: 1, reconciled: true }, [
    { d: '4', outcome: 'pass', effect: 'allow' },
  ]);
  await decision(ago(4), { allowed: 1, degraded: 1 }, [
    { d: '1', outcome: 'pass', effect: 'allow' },
  ]);
  await decision(ago(3), { allowed: 0, reasons: ['provenance'] }, [
    { d: '3', outcome: 'fail', reason: 'provenance', effect: 'deny' },
  ]);
  await decision(ago(3), { allowed: 0, reasons: ['infrastructure'] }, [
    { d: 'x', outcome: 'infra', reason: 'infrastructure', effect: 'deny' },
  ]);
  await decision(ago(3), { allowed: 1, reasons: ['provenance'], wouldDeny: 1 }, [
    { d: '3', outcome: 'fail', reason: 'provenance', effect: 'warn' },
  ]);
  await decision(ago(3), { allowed: 0, reasons: ['sbom-missing'] }, [
    { d: '6', outcome: 'fail', reason: 'sbom-missing', effect: 'deny' },
  ]);
  await decision(ago(2), { allowed: 0, reasons: ['sbom-gate'] }, [
    { d: '5', outcome: 'fail', reason: 'sbom-gate', effect: 'deny' },
  ]);
  await decision(ago(1), { allowed: 1, dryRun: 1 }, [{ d: '9', outcome: 'pass', effect: 'allow' }]);
  await decision(ago(40), { allowed: 1 }, [{ d: '9', outcome: 'pass', effect: 'allow' }]);
  await decision(ago(1), { allowed: 0, reasons: ['unsigned'] }, [
    { d: '3', outcome: 'fail', reason: 'unsigned', effect: 'deny' },
  ]);
  await decision(ago(45), { allowed: 0, reasons: ['unsigned'] }, [
    { d: '4', outcome: 'fail', reason: 'unsigned', effect: 'deny' },
  ]);
  await decision(ago(2), { allowed: 0, reasons: ['unsigned'] }, [
    { d: '4', outcome: 'fail', reason: 'unsigned', effect: 'deny' },
  ]);
  const deployed = (cluster: string, namespace: string, d: string) =>
    q
      .insertInto('admission_deployments')
      .values({
        cluster,
        namespace,
        digest: digest(d),
        image: 'x',
        first_admitted_at: ago(5),
        last_admitted_at: ago(1),
      })
      .execute();
  await deployed('c1', 'a', '1');
  await deployed('c2', 'b', '1');
  await deployed('c1', 'a', '2');
  await deployed('c1', 'a', '4');
  await deployed('c1', 'a', 'x');
  for (const d of ['1', '2', '9'])
    await q
      .insertInto('admission_material')
      .values({
        key: `${digest(d)}|fp`,
        digest: digest(d),
        registry: 'reg',
        repository: 'x',
        verified_at: ago(1),
        material: '{}',
      })
      .execute();
  await q
    .insertInto('admission_image_firsts')
    .values([
      { digest: digest('6'), image: 'x', first_denied_at: ago(3), first_admitted_at: ago(1) },
      { digest: digest('5'), image: 'x', first_denied_at: ago(2), first_admitted_at: null },
    ])
    .execute();
  const recon = (days: number, result: string, seconds: number) =>
    q
      .insertInto('admission_reconciliations')
      .values({ decision_id: 1, reconciled_at: ago(days), result, seconds, detail: '{}' })
      .execute();
  await recon(1, 'confirmed', 100);
  await recon(2, 'overturned', 300);
  await recon(1, 'still-failing', 50);
  await recon(40, 'confirmed', 1000);
  const period = (namespace: string, mode: string, from: number, to: number | null) =>
    q
      .insertInto('admission_mode_periods')
      .values({ namespace, mode, started_at: ago(from), ended_at: to === null ? null : ago(to) })
      .execute();
  await period('ns1', 'enforce', 60, null);
  await period('ns2', 'audit', 10, 5);
  await period('ns2', 'enforce', 5, null);
  await period('ns3', 'warn', 80, 40);
  const hour = (h: number, decisions: number, infra: number) =>
    q
      .insertInto('admission_hourly')
      .values({
        hour: new Date(NOW.getTime() - h * 3_600_000).toISOString().slice(0, 13),
        decisions,
        infra,
        admitted_images: 0,
        admitted_cached: 0,
        admitted_stale: 0,
      })
      .execute();
  await hour(0, 1000, 2);
  await hour(100, 1000, 0);
  await hour(800, 5000, 100);
}

/** Hand-entered figures (see compute.test.ts). */
export async function seedManual(q: Q): Promise<void> {
  const entry = (kpi: string, subject: string, value: number, days: number) =>
    q
      .insertInto('kpi_manual_entries')
      .values({
        kpi,
        subject,
        value,
        note: null,
        day: ago(days).slice(0, 10),
        entered_by: 'auditor-person',
        entered_at: ago(days),
      })
      .execute();
  await entry('b1.release-managers-trained', 'alpha', 3, 20);
  await entry('b1.release-managers-trained', 'alpha', 5, 5);
  await entry('b1.release-managers-trained', 'beta', 2, 8);
  await entry('b3.chaos-test-coverage', 'svc-a', 600, 10);
  await entry('b3.chaos-test-coverage', 'svc-a', 300, 40);
  await entry('b3.chaos-test-coverage', 'svc-c', 900, 100);
  await entry('b3.chaos-test-coverage', 'vendor-x', 60, 3);
  await entry('b3.services-fallback-runbook', 'svc-a', 1, 30);
  await entry('b3.services-fallback-runbook', 'svc-a', 0, 3);
  await entry('b3.services-fallback-runbook', 'svc-b', 1, 50);
  await entry('b3.services-fallback-runbook', 'svc-c', 1, 400);
}
