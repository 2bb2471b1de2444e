/**
 * A portfolio for the dashboard's bench and browser tests, written straight into the store (rows,
 * not pushed documents), so 10,000 releases take seconds: teams, products, releases, artifacts,
 * current SBOMs (some signed, some with SLSA provenance), a few components per SBOM drawn from a
 * small package set with hashes and licences, advisories with open findings on some of them, and
 * draft VEX statements awaiting approval. Deterministic for given options.
 *
 * The rows are what ingest, signing, provenance intake, matching and drafting would write; the
 * documents themselves are not in the blob store (the dashboard reads none). Use the public API
 * (or the services) for anything that must be verifiable end to end.
 *
 *   node --import tsx bench/_seed-portfolio.ts --data-dir /tmp/custody-bench [--releases 10000]
 *     [--unmatched]
 */
import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Services } from '../src/app/services.js';
import type { Database } from '../src/store/schema.js';

export interface SeedOptions {
  teams?: number;
  products?: number;
  releases?: number;
  /** Components per SBOM (from a shared set of packages). */
  components?: number;
  /** The time "now" is for the seeded ages (default: the services' clock). */
  now?: Date;
  /**
   * Leave the SBOMs unmatched (no `vuln_sbom_scans` rows), as a store whose matching never ran:
   * the service's start-up sweep then queues one matching job per SBOM. Default: matched.
   */
  unmatched?: boolean;
}

export interface SeededPortfolio {
  teams: string[];
  products: number;
  releases: number;
  /** Release ids, oldest first. */
  releaseIds: number[];
  /** A package every release ships (a purl without version), for search. */
  commonPurl: string;
  /** An advisory id (with a CVE alias) that has open findings. */
  advisory: string;
  cve: string;
  /** Draft statements awaiting a second person's approval. */
  vexDrafts: number;
  openFindings: number;
  /** Open follow-ups (gate warnings), most of them past their 30-day SLA. */
  followUps: number;
}

const CHUNK = 400;
const DAY = 86_400_000;

const PACKAGES = Array.from({ length: 60 }, (_, i) => ({
  package: `pkg:npm/seed-lib-${i}`,
  name: `seed-lib-${i}`,
  versions: ['1.0.0', '1.1.0', '2.0.0'],
  licence: i % 7 === 0 ? null : i % 2 === 0 ? 'MIT' : 'Apache-2.0',
}));

/** Seed a portfolio into a fresh store. Returns what tests and benches look up. */
export async function seedPortfolio(s: Services, o: SeedOptions = {}): Promise<SeededPortfolio> {
  const nTeams = o.teams ?? 4;
  const nProducts = o.products ?? Math.max(1, Math.ceil((o.releases ?? 200) / 20));
  const nReleases = o.releases ?? 200;
  const nComponents = o.components ?? 5;
  const now = (o.now ?? s.clock()).getTime();
  const iso = (t: number) => new Date(t).toISOString();
  const db = s.db.kysely;
  const teams = Array.from({ length: nTeams }, (_, i) => `team-${i}`);
  const result: SeededPortfolio = {
    teams,
    products: nProducts,
    releases: nReleases,
    releaseIds: [],
    commonPurl: 'pkg:npm/seed-lib-0',
    advisory: 'GHSA-seed-0000-0001',
    cve: 'CVE-2099-0001',
    vexDrafts: 0,
    openFindings: 0,
    followUps: 0,
  };
  await db.transaction().execute(async (trx) => {
    const teamIds: number[] = [];
    for (const name of teams) {
      const found = await trx
        .selectFrom('teams')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirst();
      teamIds.push(
        found
          ? found.id
          : (
              await trx
                .insertInto('teams')
                .values({ name, gate_policy: null, created_at: iso(now - 400 * DAY) })
                .returning('id')
                .executeTakeFirstOrThrow()
            ).id,
      );
    }
    const productIds = await insertAll(
      trx,
      'products',
      Array.from({ length: nProducts }, (_, i) => ({
        team_id: teamIds[i % nTeams] as number,
        name: `product-${String(i).padStart(4, '0')}`,
        created_at: iso(now - 400 * DAY),
      })),
    );
    const packageIds = await insertAll(
      trx,
      'packages',
      PACKAGES.map((p) => ({ package: p.package, name: p.name, ecosystem: 'npm' })),
    );
    const licences = await insertAll(trx, 'licenses', [{ name: 'MIT' }, { name: 'Apache-2.0' }]);
    // Releases in time order, spread over the last year; each product gets every nProducts-th.
    const releaseRows = Array.from({ length: nReleases }, (_, i) => {
      const at = now - Math.floor(((nReleases - i) / nReleases) * 365 * DAY);
      return {
        product_id: productIds[i % nProducts] as number,
        version: `1.${Math.floor(i / nProducts)}.0`,
        tag: null,
        commit_sha: null,
        created_at: iso(at),
        // Every 10th is rebuilt after its SBOM (stale or due), a third are deployed.
        rebuilt_at: i % 10 === 3 ? iso(at + 2 * DAY) : null,
        deployed: i % 3 === 0 ? 1 : 0,
        ticket: null,
      };
    });
    const releaseIds = await insertAll(trx, 'releases', releaseRows);
    result.releaseIds = releaseIds;
    const artifactIds = await insertAll(
      trx,
      'artifacts',
      releaseIds.map((id, i) => ({
        release_id: id,
        digest: digestOf(`artifact-${i}`),
        name: `image-${i}`,
        created_at: releaseRows[i]?.created_at as string,
      })),
    );
    // Every 20th release has no SBOM; the rest one current SBOM, half of them signed.
    const withSbom = releaseIds.map((_, i) => i).filter((i) => i % 20 !== 7);
    const sbomIds = await insertAll(
      trx,
      'sboms',
      withSbom.map((i) => {
        const r = releaseRows[i] as (typeof releaseRows)[number];
        return {
          artifact_id: artifactIds[i] as number,
          release_id: releaseIds[i] as number,
          product_id: r.product_id,
          team_id: teamIds[(i % nProducts) % nTeams] as number,
          digest: digestOf(`sbom-${i}`),
          format: 'cyclonedx',
          spec_version: '1.6',
          serial_number: null,
          media_type: 'application/vnd.cyclonedx+json',
          size: 1000,
          version_no: 1,
          supersedes_id: null,
          current: 1,
          quality_score: 50 + (i % 50),
          component_count: nComponents,
          signed: i % 2,
          document_created: r.created_at,
          created_at: r.created_at,
          created_by: 'seed',
        };
      }),
    );
    const components: Insertable<Database['components']>[] = [];
    const placed: { sbom: number; release: number; artifact: number; pkg: number; v: string }[] =
      [];
    withSbom.forEach((i, k) => {
      for (let c = 0; c < nComponents; c++) {
        // Component 0 is seed-lib-0 in every SBOM; component 1 one of the four advised
        // packages (seed-lib-1..4), at the affected 1.0.0 in every other release; the others
        // rotate through the rest of the set.
        const p =
          c === 0
            ? 0
            : c === 1
              ? 1 + ((i >> 1) % 4)
              : 5 + ((i * 7 + c * 13) % (PACKAGES.length - 5));
        const pkg = PACKAGES[p] as (typeof PACKAGES)[number];
        const v =
          c === 1
            ? (pkg.versions[i % 2] as string)
            : (pkg.versions[(i + c) % pkg.versions.length] as string);
        components.push({
          sbom_id: sbomIds[k] as number,
          package_id: packageIds[p] as number,
          version: v,
          purl: `${pkg.package}@${v}`,
          scope: 'required',
          direct: c < 2 ? 1 : 0,
          licenses: pkg.licence,
        });
        placed.push({
          sbom: sbomIds[k] as number,
          release: releaseIds[i] as number,
          artifact: artifactIds[i] as number,
          pkg: p,
          v,
        });
      }
    });
    const componentIds = await insertAll(trx, 'components', components);
    await insertMany(
      trx,
      'component_hashes',
      componentIds.map((id, n) => {
        const hex = digestOf(`${components[n]?.purl}`).slice(7);
        return {
          key: Number.parseInt(hex.slice(0, 13), 16),
          component_id: id,
          alg: 'SHA-256',
          value: hex,
        };
      }),
    );
    await insertMany(
      trx,
      'component_licenses',
      componentIds.flatMap((id, n) => {
        const l = components[n]?.licenses;
        return l ? [{ license_id: licences[l === 'MIT' ? 0 : 1] as number, component_id: id }] : [];
      }),
    );
    // A gate warning kept for follow-up (a missing licence) on every 10th SBOM, 30-day SLA.
    const followUps = withSbom.flatMap((i, k) => {
      if (i % 10 !== 0) return [];
      const opened = releaseRows[i]?.created_at as string;
      return [
        {
          team_id: teamIds[(i % nProducts) % nTeams] as number,
          sbom_id: sbomIds[k] as number,
          check_id: 'licensing.license-present',
          component_ref: `seed-${i}`,
          component: 'seed-lib-7@1.0.0',
          purl: 'pkg:npm/seed-lib-7@1.0.0',
          message: 'the component declares no licence',
          opened_at: opened,
          sla_days: 30,
          due_at: iso(Date.parse(opened) + 30 * DAY),
          resolved_at: null,
          resolution: null,
        },
      ];
    });
    await insertMany(trx, 'follow_ups', followUps);
    result.followUps = followUps.length;
    // Signed SBOMs: a bundle row each (key-signed).
    await insertMany(
      trx,
      'sbom_signatures',
      withSbom.flatMap((i, k) =>
        i % 2 === 1
          ? [
              {
                sbom_id: sbomIds[k] as number,
                bundle_digest: digestOf(`bundle-${i}`),
                content: 'message',
                signer_kind: 'key',
                identity: null,
                issuer: null,
                key_name: 'release key',
                key_hint: 'c2VlZA==',
                log_index: null,
                logged_by: null,
                created_at: releaseRows[i]?.created_at as string,
                created_by: 'seed',
              },
            ]
          : [],
      ),
    );
    // SLSA provenance on every 4th release.
    await insertMany(
      trx,
      'release_attestations',
      releaseIds.flatMap((id, i) =>
        i % 4 === 0
          ? [
              {
                release_id: id,
                artifact_id: artifactIds[i] as number,
                artifact_digest: digestOf(`artifact-${i}`),
                predicate_type: 'https://slsa.dev/provenance/v1',
                bundle_digest: digestOf(`provenance-${i}`),
                signer_kind: 'identity',
                identity:
                  'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
                issuer: 'https://token.actions.githubusercontent.com',
                key_name: null,
                key_hint: null,
                builder_id: 'https://github.com/actions/runner',
                build_type: 'https://actions.github.io/buildtypes/workflow/v1',
                external_parameters: 1,
                source_uri: 'git+https://github.com/acme/app',
                source_digest: null,
                source_ref: 'refs/heads/main',
                dependencies: 0,
                dependencies_pinned: 0,
                log_index: null,
                logged_by: null,
                created_at: releaseRows[i]?.created_at as string,
                created_by: 'seed',
              },
            ]
          : [],
      ),
    );
    // Advisories on seed-lib-1..4 at 1.0.0 (critical, high, medium, low).
    const ratings = ['critical', 'high', 'medium', 'low'];
    const advisories = ratings.map((rating, a) => ({
      id: a === 0 ? result.advisory : `GHSA-seed-0000-000${a + 1}`,
      cve: a === 0 ? result.cve : `CVE-2099-000${a + 1}`,
      rating,
      pkg: a + 1,
    }));
    await insertMany(
      trx,
      'advisories',
      advisories.map((a) => {
        const record = JSON.stringify({ id: a.id, aliases: [a.cve], modified: iso(now - DAY) });
        return {
          id: a.id,
          modified: iso(now - DAY),
          published: iso(now - 2 * DAY),
          withdrawn: null,
          aliases: JSON.stringify([a.cve]),
          summary: `Seeded ${a.rating} advisory`,
          severity_score: null,
          severity_rating: a.rating,
          version_no: 1,
          digest: digestOf(record),
          record,
          first_seen_at: iso(now - DAY),
          updated_at: iso(now - DAY),
        };
      }),
    );
    await insertMany(
      trx,
      'advisory_packages',
      advisories.map((a) => ({
        ecosystem: 'npm',
        name: PACKAGES[a.pkg]?.name as string,
        advisory_id: a.id,
      })),
    );
    const productOfRelease = new Map(releaseIds.map((id, i) => [id, releaseRows[i]?.product_id]));
    const teamOfProduct = new Map(productIds.map((id, k) => [id, teamIds[k % nTeams] as number]));
    const findings = placed.flatMap((p) => {
      const a = advisories.find((x) => x.pkg === p.pkg);
      if (!a || p.v !== '1.0.0') return [];
      const productId = productOfRelease.get(p.release) as number;
      return [
        {
          advisory_id: a.id,
          team_id: teamOfProduct.get(productId) as number,
          product_id: productId,
          release_id: p.release,
          artifact_id: p.artifact,
          sbom_id: p.sbom,
          package_id: packageIds[p.pkg] as number,
          purl: `${PACKAGES[p.pkg]?.package}@1.0.0`,
          versions: '["1.0.0"]',
          fixed: '1.1.0',
          severity_score: null,
          severity_rating: a.rating,
          opened_at: iso(now - DAY),
          opened_sbom_id: p.sbom,
          updated_at: iso(now - DAY),
          closed_at: null,
          close_reason: null,
          closed_sbom_id: null,
        },
      ];
    });
    await insertMany(trx, 'vuln_findings', findings);
    result.openFindings = findings.length;
    // Every SBOM counts as matched, as ingest leaves it: without these rows the service's
    // start-up sweep (app/vulnerabilities/match-jobs.ts) queues one matching job per SBOM.
    const perSbom = new Map<number, number>();
    for (const f of findings) perSbom.set(f.sbom_id, (perSbom.get(f.sbom_id) ?? 0) + 1);
    if (!o.unmatched)
      await insertMany(
        trx,
        'vuln_sbom_scans',
        sbomIds.map((id) => ({
          sbom_id: id,
          matched_at: iso(now - DAY),
          findings: perSbom.get(id) ?? 0,
        })),
      );
    // A draft `affected` statement awaiting approval for the first advisory, per affected product.
    const drafted = [
      ...new Set(
        findings.filter((f) => f.advisory_id === result.advisory).map((f) => f.product_id),
      ),
    ];
    await insertMany(
      trx,
      'vex_statements',
      drafted.map((productId, n) => {
        const body = {
          vulnerability: result.advisory,
          aliases: [result.cve],
          products: [
            `pkg:generic/product-${String(productIds.indexOf(productId)).padStart(4, '0')}`,
          ],
          status: 'affected',
          actionStatement: 'Upgrade seed-lib-1 to 1.1.0',
          version: 1,
          timestamp: iso(now - (n % 2 === 0 ? 40 : 1) * DAY),
          draftedBy: 'drafter-person',
        };
        return {
          team_id: teamOfProduct.get(productId) as number,
          product_id: productId,
          vulnerability: result.advisory,
          status: 'affected',
          version: 1,
          drafted_by: 'drafter-person',
          approved_by: null,
          disclosed_at: null,
          body: JSON.stringify(body),
          // Half are past the default 30-day analysis deadline.
          created_at: body.timestamp,
          updated_at: body.timestamp,
        };
      }),
    );
    result.vexDrafts = drafted.length;
  });
  return result;
}

function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Insert rows in chunks and return their ids in order. */
async function insertAll<T extends keyof Database>(
  // biome-ignore lint/suspicious/noExplicitAny: generic over the tables seeded
  trx: any,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const got = (await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      .returning('id')
      .execute()) as { id: number }[];
    out.push(...got.map((r) => Number(r.id)));
  }
  return out;
}

async function insertMany<T extends keyof Database>(
  // biome-ignore lint/suspicious/noExplicitAny: generic over the tables seeded
  trx: any,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      .execute();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const { openServices } = await import('../src/app/services.js');
  const dataDir = arg('data-dir') ?? '.custody-bench';
  const s = await openServices({ dataDir, tlog: false });
  const t = Date.now();
  const r = await seedPortfolio(s, {
    releases: Number(arg('releases') ?? 10000),
    unmatched: process.argv.includes('--unmatched'),
  });
  process.stdout.write(
    `${r.releases} releases of ${r.products} products in ${dataDir} in ${Date.now() - t} ms\n`,
  );
  await s.close();
}
