import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
} from 'kysely';
import { AUDIT_CHAIN_GENESIS, type AuditChainRow, computeAuditHash } from '../access/index.js';
import { StoreError } from './errors.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The migrations, in order. Never edit one that has shipped: add the next. Both dialects run the
 * same list; the only difference is how an auto-increment key is spelled.
 */
function all(dialect: Dialect): Record<string, Migration> {
  // biome-ignore lint/suspicious/noExplicitAny: migrations work on the untyped schema-in-progress
  type Db = Kysely<any>;
  const id = <T extends string>(t: CreateTableBuilder<T, never>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'serial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
  const withoutRowId = <T extends string, C extends string>(t: CreateTableBuilder<T, C>) =>
    dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t;
  return {
    '0001_inventory': {
      async up(db: Db) {
        await id(db.schema.createTable('teams'))
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('gate_policy', 'text')
          .addColumn('created_at', 'text', notNull)
          .execute();
        await id(db.schema.createTable('products'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', notNull)
          .execute();
        await db.schema.createIndex('products_team').on('products').column('team_id').execute();
        await id(db.schema.createTable('releases'))
          .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
          .addColumn('version', 'text', notNull)
          .addColumn('tag', 'text')
          .addColumn('commit_sha', 'text')
          .addColumn('created_at', 'text', notNull)
          .addColumn('rebuilt_at', 'text')
          .addColumn('deployed', 'integer', (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint('releases_product_version', ['product_id', 'version'])
          .execute();
        await id(db.schema.createTable('artifacts'))
          .addColumn('release_id', 'integer', (c) => c.notNull().references('releases.id'))
          .addColumn('digest', 'text', notNull)
          .addColumn('name', 'text')
          .addColumn('created_at', 'text', notNull)
          .addUniqueConstraint('artifacts_release_digest', ['release_id', 'digest'])
          .execute();
        await db.schema.createIndex('artifacts_digest').on('artifacts').column('digest').execute();
        await id(db.schema.createTable('sboms'))
          .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id'))
          .addColumn('release_id', 'integer', notNull)
          .addColumn('product_id', 'integer', notNull)
          .addColumn('team_id', 'integer', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('format', 'text', notNull)
          .addColumn('spec_version', 'text', notNull)
          .addColumn('serial_number', 'text')
          .addColumn('media_type', 'text', notNull)
          .addColumn('size', 'integer', notNull)
          .addColumn('version_no', 'integer', notNull)
          .addColumn('supersedes_id', 'integer')
          .addColumn('current', 'integer', notNull)
          .addColumn('quality_score', 'integer', notNull)
          .addColumn('component_count', 'integer', notNull)
          .addColumn('signed', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('document_created', 'text')
          .addColumn('created_at', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .addUniqueConstraint('sboms_artifact_digest', ['artifact_id', 'digest'])
          // Two replicas adding the next version of one artifact at once: one of them must lose.
          .addUniqueConstraint('sboms_artifact_version', ['artifact_id', 'version_no'])
          .execute();
        await db.schema.createIndex('sboms_digest').on('sboms').column('digest').execute();
        await db.schema.createIndex('sboms_release').on('sboms').column('release_id').execute();
        await id(db.schema.createTable('packages'))
          .addColumn('package', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', notNull)
          .addColumn('ecosystem', 'text')
          .execute();
        await db.schema.createIndex('packages_name').on('packages').column('name').execute();
        await id(db.schema.createTable('components'))
          .addColumn('sbom_id', 'integer', notNull)
          .addColumn('package_id', 'integer', notNull)
          .addColumn('version', 'text')
          .addColumn('purl', 'text')
          .addColumn('scope', 'text')
          .addColumn('direct', 'integer', notNull)
          .addColumn('licenses', 'text')
          .execute();
        await db.schema
          .createIndex('components_package_version')
          .on('components')
          // id last: the newest rows of a package version come straight off the index.
          .columns(['package_id', 'version', 'id'])
          .execute();
        // The two link tables are their own index: a clustered primary key (SQLite WITHOUT ROWID),
        // so each row is written once, in key order.
        await withoutRowId(
          db.schema
            .createTable('component_hashes')
            .addColumn('key', 'bigint', notNull)
            .addColumn('component_id', 'integer', notNull)
            .addColumn('alg', 'text', notNull)
            .addColumn('value', 'text', notNull)
            .addPrimaryKeyConstraint('component_hashes_pk', ['key', 'component_id', 'alg']),
        ).execute();
        await id(db.schema.createTable('licenses'))
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .execute();
        await withoutRowId(
          db.schema
            .createTable('component_licenses')
            .addColumn('license_id', 'integer', notNull)
            .addColumn('component_id', 'integer', notNull)
            .addPrimaryKeyConstraint('component_licenses_pk', ['license_id', 'component_id']),
        ).execute();
        await id(db.schema.createTable('tokens'))
          .addColumn('name', 'text', notNull)
          .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', notNull)
          .addColumn('teams', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .addColumn('expires_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await id(db.schema.createTable('audit_events'))
          .addColumn('at', 'text', notNull)
          .addColumn('actor', 'text', notNull)
          .addColumn('role', 'text', notNull)
          .addColumn('action', 'text', notNull)
          .addColumn('target', 'text', notNull)
          .addColumn('source', 'text', notNull)
          .addColumn('team', 'text')
          .addColumn('details', 'text', notNull)
          .execute();
        await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
      },
    },
    '0002_tlog': {
      async up(db: Db) {
        const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
        // 'integer primary key' makes the index SQLite's rowid: the table is clustered by it.
        const index = dialect === 'postgres' ? 'bigint' : 'integer';
        await db.schema
          .createTable('tlog_state')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('origin', 'text', notNull)
          .addColumn('size', 'bigint', notNull)
          .addColumn('root_hash', bytes, notNull)
          .execute();
        await db.schema
          .createTable('tlog_entries')
          .addColumn('idx', index, (c) => c.primaryKey())
          .addColumn('leaf_hash', bytes, (c) => c.notNull().unique())
          .addColumn('kind', 'text', notNull)
          .addColumn('body', bytes, notNull)
          .addColumn('integrated_time', 'bigint', notNull)
          .addColumn('subject', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('tlog_entries_subject')
          .on('tlog_entries')
          .column('subject')
          .execute();
        await db.schema
          .createTable('tlog_checkpoints')
          .addColumn('size', index, (c) => c.primaryKey())
          .addColumn('root_hash', bytes, notNull)
          .addColumn('note', 'text', notNull)
          .addColumn('cosignatures', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_at', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('tlog_checkpoints_created')
          .on('tlog_checkpoints')
          .column('created_at')
          .execute();
      },
    },
    '0003_people_and_identities': {
      async up(db: Db) {
        // Decisions compare people, not tokens: every token names the person it belongs to.
        // Tokens made before this carried only a label, which is the best name they have.
        await db.schema
          .alterTable('tokens')
          .addColumn('person', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
        await db.updateTable('tokens').set({ person: sql`name` }).execute();
        await db.schema.alterTable('audit_events').addColumn('person', 'text').execute();
        // Who may sign for a team: JSON list of {issuer, subject} patterns and registered keys.
        await db.schema
          .alterTable('teams')
          .addColumn('signing_identities', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
      },
    },
    '0004_inventory_generation': {
      async up(db: Db) {
        // One row: a counter every write that changes search answers increments in its own
        // transaction, so it moves when the write commits (an id from a sequence does not).
        await db.schema
          .createTable('inventory_generation')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('value', 'bigint', notNull)
          .execute();
        await db.insertInto('inventory_generation').values({ id: 1, value: 0 }).execute();
      },
    },
    '0005_follow_ups': {
      async up(db: Db) {
        // Gate warnings kept for follow-up: one row per SBOM, component and check.
        await id(db.schema.createTable('follow_ups'))
          .addColumn('team_id', 'integer', notNull)
          .addColumn('sbom_id', 'integer', notNull)
          .addColumn('check_id', 'text', notNull)
          .addColumn('component_ref', 'text', notNull)
          .addColumn('component', 'text', notNull)
          .addColumn('purl', 'text')
          .addColumn('message', 'text', notNull)
          .addColumn('opened_at', 'text', notNull)
          .addColumn('sla_days', 'integer', notNull)
          .addColumn('due_at', 'text', notNull)
          .addColumn('resolved_at', 'text')
          .addColumn('resolution', 'text')
          .execute();
        await db.schema
          .createIndex('follow_ups_team_open')
          .on('follow_ups')
          .columns(['team_id', 'resolved_at', 'due_at'])
          .execute();
        await db.schema.createIndex('follow_ups_sbom').on('follow_ups').column('sbom_id').execute();
      },
    },
    '0006_emergency': {
      async up(db: Db) {
        // Emergency certificates in two steps: one person asks, another approves (Brief 3).
        await id(db.schema.createTable('emergency_requests'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('identity', 'text', notNull)
          .addColumn('public_key', 'text', notNull)
          .addColumn('reason', 'text', notNull)
          .addColumn('lifetime_seconds', 'integer', notNull)
          .addColumn('requester_actor', 'text', notNull)
          .addColumn('requester_person', 'text', notNull)
          .addColumn('requested_at', 'text', notNull)
          .addColumn('expires_at', 'text', notNull)
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
          .addColumn('approver_actor', 'text')
          .addColumn('approver_person', 'text')
          .addColumn('decided_at', 'text')
          .addColumn('serial_number', 'text')
          .addColumn('not_before', 'text')
          .addColumn('not_after', 'text')
          .addColumn('certificate_chain', 'text')
          .addColumn('tlog_index', 'bigint')
          .execute();
        await db.schema
          .createIndex('emergency_requests_team_status')
          .on('emergency_requests')
          .columns(['team_id', 'status'])
          .execute();
      },
    },
    '0007_sbom_signatures': {
      async up(db: Db) {
        // Verified Sigstore bundles over SBOMs: the bundle itself is a blob (bundle_digest), the
        // row says who signed (a certificate identity or a registered key) and where it is logged.
        await id(db.schema.createTable('sbom_signatures'))
          .addColumn('sbom_id', 'integer', (c) => c.notNull().references('sboms.id'))
          .addColumn('bundle_digest', 'text', notNull)
          .addColumn('content', 'text', notNull)
          .addColumn('signer_kind', 'text', notNull)
          .addColumn('identity', 'text')
          .addColumn('issuer', 'text')
          .addColumn('key_name', 'text')
          .addColumn('key_hint', 'text')
          .addColumn('log_index', 'bigint')
          .addColumn('logged_by', 'text')
          .addColumn('created_at', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .addUniqueConstraint('sbom_signatures_sbom_bundle', ['sbom_id', 'bundle_digest'])
          .execute();
      },
    },
    '0008_jobs_and_events': {
      async up(db: Db) {
        // The in-process job runner's queue (SQLite only: on PostgreSQL pg-boss keeps its own
        // tables in the same schema). One job per name and singleton key, ever kept.
        if (dialect === 'sqlite') {
          await db.schema
            .createTable('jobs')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('name', 'text', notNull)
            .addColumn('data', 'text', notNull)
            .addColumn('state', 'text', notNull)
            .addColumn('singleton_key', 'text')
            .addColumn('retry_limit', 'integer', notNull)
            .addColumn('retry_count', 'integer', notNull)
            .addColumn('retry_delay', 'integer', notNull)
            .addColumn('retry_backoff', 'integer', notNull)
            .addColumn('start_after', 'text', notNull)
            .addColumn('created_at', 'text', notNull)
            .addColumn('started_at', 'text')
            .addColumn('completed_at', 'text')
            .addColumn('last_error', 'text')
            .execute();
          await db.schema
            .createIndex('jobs_singleton')
            .unique()
            .on('jobs')
            .columns(['name', 'singleton_key'])
            .execute();
          await db.schema
            .createIndex('jobs_due')
            .on('jobs')
            .columns(['name', 'state', 'start_after'])
            .execute();
        }
        // Trigger events as received (API, webhooks, the directory poller), each with the
        // decision taken on it, no-action decisions too; the same idempotency key is one event.
        await id(db.schema.createTable('trigger_events'))
          .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
          .addColumn('source', 'text', notNull)
          .addColumn('kind', 'text', notNull)
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('product', 'text')
          .addColumn('payload', 'text', notNull)
          .addColumn('context', 'text')
          .addColumn('decision', 'text', notNull)
          .addColumn('received_at', 'text', notNull)
          .addColumn('received_by', 'text', notNull)
          .addColumn('overrides', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
        await db.schema
          .createIndex('trigger_events_team')
          .on('trigger_events')
          .columns(['team_id', 'id'])
          .execute();
        // One row per action a decision (or an override) asks for, run as a job.
        await id(db.schema.createTable('trigger_actions'))
          .addColumn('event_id', 'integer', (c) => c.notNull().references('trigger_events.id'))
          .addColumn('team_id', 'integer', notNull)
          .addColumn('target', 'text', notNull)
          .addColumn('action', 'text', notNull)
          .addColumn('automation', 'text', notNull)
          .addColumn('deadline', 'text')
          .addColumn('state', 'text', notNull)
          .addColumn('origin', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addColumn('done_at', 'text')
          .addColumn('error', 'text')
          .execute();
        await db.schema
          .createIndex('trigger_actions_event')
          .on('trigger_actions')
          .column('event_id')
          .execute();
        await db.schema
          .createIndex('trigger_actions_state')
          .on('trigger_actions')
          .columns(['state', 'deadline'])
          .execute();
        // Where a team's notifications go (HMAC-signed webhooks), and the secret its inbound
        // GitHub/GitLab webhooks are signed with. Secrets are kept to sign and check; never shown.
        await id(db.schema.createTable('team_webhooks'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('direction', 'text', notNull)
          .addColumn('url', 'text')
          .addColumn('secret', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('team_webhooks_team')
          .on('team_webhooks')
          .columns(['team_id', 'direction'])
          .execute();
      },
    },
    '0009_vulnerabilities': {
      async up(db: Db) {
        // Advisories (OSV records) as last ingested; every version, the current one included,
        // is kept in advisory_versions with what changed from the one before.
        await db.schema
          .createTable('advisories')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('modified', 'text', notNull)
          .addColumn('published', 'text')
          .addColumn('withdrawn', 'text')
          .addColumn('aliases', 'text', notNull)
          .addColumn('summary', 'text')
          .addColumn('severity_score', 'double precision')
          .addColumn('severity_rating', 'text', notNull)
          .addColumn('version_no', 'integer', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('record', 'text', notNull)
          .addColumn('first_seen_at', 'text', notNull)
          .addColumn('updated_at', 'text', notNull)
          .execute();
        await id(db.schema.createTable('advisory_versions'))
          .addColumn('advisory_id', 'text', notNull)
          .addColumn('version_no', 'integer', notNull)
          .addColumn('modified', 'text', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('record', 'text', notNull)
          .addColumn('changes', 'text', notNull)
          .addColumn('ingested_at', 'text', notNull)
          .addColumn('ingested_by', 'text', notNull)
          .addColumn('matched_at', 'text')
          .addUniqueConstraint('advisory_versions_no', ['advisory_id', 'version_no'])
          .execute();
        // Which packages an advisory names, in the vuln/ index form (ecosystem, nameKey).
        await db.schema
          .createTable('advisory_packages')
          .addColumn('ecosystem', 'text', notNull)
          .addColumn('name', 'text', notNull)
          .addColumn('advisory_id', 'text', notNull)
          .addPrimaryKeyConstraint('advisory_packages_pk', ['ecosystem', 'name', 'advisory_id'])
          .execute();
        await db.schema
          .createIndex('advisory_packages_advisory')
          .on('advisory_packages')
          .column('advisory_id')
          .execute();
        // A finding: one advisory affecting one package of one artifact's current SBOMs, open
        // from when it was first matched until a later SBOM, the advisory or a VEX closes it.
        await id(db.schema.createTable('vuln_findings'))
          .addColumn('advisory_id', 'text', notNull)
          .addColumn('team_id', 'integer', notNull)
          .addColumn('product_id', 'integer', notNull)
          .addColumn('release_id', 'integer', notNull)
          .addColumn('artifact_id', 'integer', notNull)
          .addColumn('sbom_id', 'integer', notNull)
          .addColumn('package_id', 'integer', notNull)
          .addColumn('purl', 'text', notNull)
          .addColumn('versions', 'text', notNull)
          .addColumn('fixed', 'text')
          .addColumn('severity_score', 'double precision')
          .addColumn('severity_rating', 'text', notNull)
          .addColumn('opened_at', 'text', notNull)
          .addColumn('opened_sbom_id', 'integer', notNull)
          .addColumn('updated_at', 'text', notNull)
          .addColumn('closed_at', 'text')
          .addColumn('close_reason', 'text')
          .addColumn('closed_sbom_id', 'integer')
          .execute();
        await db.schema
          .createIndex('vuln_findings_open')
          .unique()
          .on('vuln_findings')
          .columns(['advisory_id', 'artifact_id', 'package_id'])
          .where(sql.ref('closed_at'), 'is', null)
          .execute();
        await db.schema
          .createIndex('vuln_findings_artifact')
          .on('vuln_findings')
          .columns(['artifact_id', 'closed_at'])
          .execute();
        await db.schema
          .createIndex('vuln_findings_team')
          .on('vuln_findings')
          .columns(['team_id', 'closed_at'])
          .execute();
        // CISA's KEV catalogue and FIRST's EPSS scores, each replaced whole by its next file.
        await db.schema
          .createTable('kev_entries')
          .addColumn('cve_id', 'text', (c) => c.primaryKey())
          .addColumn('vendor_project', 'text', notNull)
          .addColumn('product', 'text', notNull)
          .addColumn('name', 'text', notNull)
          .addColumn('date_added', 'text', notNull)
          .addColumn('due_date', 'text', notNull)
          .addColumn('ransomware', 'text')
          .execute();
        await db.schema
          .createTable('epss_scores')
          .addColumn('cve_id', 'text', (c) => c.primaryKey())
          .addColumn('epss', 'double precision', notNull)
          .addColumn('percentile', 'double precision', notNull)
          .execute();
        // One row per feed (`kev`, `epss`): which file is loaded.
        await db.schema
          .createTable('vuln_feeds')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('version', 'text')
          .addColumn('entries', 'integer', notNull)
          .addColumn('ingested_at', 'text', notNull)
          .addColumn('ingested_by', 'text', notNull)
          .execute();
        // SBOMs matched against the advisories (the after-ingest job has run for them).
        await db.schema
          .createTable('vuln_sbom_scans')
          .addColumn('sbom_id', 'integer', (c) => c.primaryKey())
          .addColumn('matched_at', 'text', notNull)
          .addColumn('findings', 'integer', notNull)
          .execute();
      },
    },
    '0010_vex': {
      async up(db: Db) {
        // VEX statements per product (the current version in `body`), every version kept in
        // vex_statement_versions with its change trail in vex_changes; published documents
        // (bytes and bundle in the blob store) in vex_documents.
        await id(db.schema.createTable('vex_statements'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
          .addColumn('vulnerability', 'text', notNull)
          .addColumn('status', 'text', notNull)
          .addColumn('version', 'integer', notNull)
          .addColumn('confidential', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('drafted_by', 'text', notNull)
          .addColumn('approved_by', 'text')
          .addColumn('disclosed_at', 'text')
          .addColumn('body', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addColumn('updated_at', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('vex_statements_product')
          .on('vex_statements')
          .columns(['product_id', 'vulnerability'])
          .execute();
        await id(db.schema.createTable('vex_statement_versions'))
          .addColumn('statement_id', 'integer', (c) => c.notNull().references('vex_statements.id'))
          .addColumn('version', 'integer', notNull)
          .addColumn('body', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addUniqueConstraint('vex_statement_versions_version', ['statement_id', 'version'])
          .execute();
        await id(db.schema.createTable('vex_changes'))
          .addColumn('statement_id', 'integer', (c) => c.notNull().references('vex_statements.id'))
          .addColumn('version', 'integer', notNull)
          .addColumn('field', 'text', notNull)
          .addColumn('kind', 'text', notNull)
          .addColumn('before', 'text')
          .addColumn('after', 'text')
          .addColumn('by', 'text', notNull)
          .addColumn('at', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('vex_changes_statement')
          .on('vex_changes')
          .column('statement_id')
          .execute();
        await id(db.schema.createTable('vex_documents'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
          .addColumn('format', 'text', notNull)
          .addColumn('document_version', 'text', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('bundle_digest', 'text', notNull)
          .addColumn('log_index', 'bigint')
          .addColumn('bundle_log_index', 'bigint')
          .addColumn('statement_count', 'integer', notNull)
          .addColumn('published_at', 'text', notNull)
          .addColumn('published_by', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('vex_documents_product_format')
          .on('vex_documents')
          .columns(['product_id', 'format'])
          .execute();
      },
    },
    '0011_vex_publications': {
      async up(db: Db) {
        // Publications a person signs (keyless): the service renders the document and keeps
        // its exact text here, pending, until the bundle over it arrives; then the row points
        // at the publication it became in vex_documents.
        await id(db.schema.createTable('vex_publications'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
          .addColumn('format', 'text', notNull)
          .addColumn('document_version', 'text', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('document', 'text', notNull)
          .addColumn('statement_count', 'integer', notNull)
          .addColumn('rendered_at', 'text', notNull)
          .addColumn('prepared_by', 'text', notNull)
          .addColumn('expires_at', 'text', notNull)
          .addColumn('state', 'text', notNull)
          .addColumn('vex_document_id', 'integer', (c) => c.references('vex_documents.id'))
          .execute();
        await db.schema
          .createIndex('vex_publications_product')
          .on('vex_publications')
          .columns(['product_id', 'state'])
          .execute();
        // Who signed a publication: a certificate identity and its issuer, or (null) the
        // service's VEX-signing key, as every publication before this migration was.
        await db.schema.alterTable('vex_documents').addColumn('signer_identity', 'text').execute();
        await db.schema.alterTable('vex_documents').addColumn('signer_issuer', 'text').execute();
      },
    },
    '0012_team_slas_and_alerts': {
      async up(db: Db) {
        // A team's trigger deadlines that differ from the defaults (JSON: name → durations).
        await db.schema
          .createTable('team_slas')
          .addColumn('team_id', 'integer', (c) => c.primaryKey())
          .addColumn('body', 'text', notNull)
          .addColumn('updated_at', 'text', notNull)
          .addColumn('updated_by', 'text', notNull)
          .execute();
        // Alerts on trigger actions: the engine's early alert time (a CVE draft alerts at 24 h
        // of its 48), and when the team was told of it and of the deadline passing.
        await db.schema.alterTable('trigger_actions').addColumn('alert_at', 'text').execute();
        await db.schema.alterTable('trigger_actions').addColumn('alerted_at', 'text').execute();
        await db.schema
          .alterTable('trigger_actions')
          .addColumn('overdue_alerted_at', 'text')
          .execute();
      },
    },
    '0013_vuln_matching_indexes': {
      async up(db: Db) {
        // An advisory's findings whatever their state: matching an advisory looks up the ones a
        // VEX statement closed, and its detail lists closed ones too. Without this index each
        // read scanned every finding of the portfolio, once per advisory matched.
        await db.schema
          .createIndex('vuln_findings_advisory')
          .on('vuln_findings')
          .columns(['advisory_id', 'close_reason'])
          .execute();
        // The components of one SBOM (matching an SBOM after its ingest reads them): without it
        // every match scanned the whole component table. SBOM ids only grow, so ingest appends
        // to this index at its right edge.
        await db.schema.createIndex('components_sbom').on('components').column('sbom_id').execute();
      },
    },
    '0014_release_evidence': {
      async up(db: Db) {
        // Verified in-toto attestations about a release's artifacts (SLSA provenance first): the
        // bundle is a blob (bundle_digest); the row repeats who signed it and what the provenance
        // says about the build, which the SLSA assessment and the metrics read without the blob.
        await id(db.schema.createTable('release_attestations'))
          .addColumn('release_id', 'integer', (c) => c.notNull().references('releases.id'))
          .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id'))
          .addColumn('artifact_digest', 'text', notNull)
          .addColumn('predicate_type', 'text', notNull)
          .addColumn('bundle_digest', 'text', notNull)
          .addColumn('signer_kind', 'text', notNull)
          .addColumn('identity', 'text')
          .addColumn('issuer', 'text')
          .addColumn('key_name', 'text')
          .addColumn('key_hint', 'text')
          .addColumn('emergency', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('builder_id', 'text')
          .addColumn('build_type', 'text')
          .addColumn('external_parameters', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('source_uri', 'text')
          .addColumn('source_digest', 'text')
          .addColumn('source_ref', 'text')
          .addColumn('dependencies', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('dependencies_pinned', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('log_index', 'bigint')
          .addColumn('logged_by', 'text')
          .addColumn('created_at', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .addUniqueConstraint('release_attestations_artifact_bundle', [
            'artifact_id',
            'bundle_digest',
          ])
          .execute();
        await db.schema
          .createIndex('release_attestations_release')
          .on('release_attestations')
          .column('release_id')
          .execute();
        // Rebuilds of a release's artifact from its source, compared with what was released.
        await id(db.schema.createTable('rebuild_checks'))
          .addColumn('release_id', 'integer', (c) => c.notNull().references('releases.id'))
          .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id'))
          .addColumn('expected_digest', 'text', notNull)
          .addColumn('rebuilt_digest', 'text', notNull)
          .addColumn('matches', 'integer', notNull)
          .addColumn('command', 'text', notNull)
          .addColumn('sbom_diff', 'text')
          .addColumn('checked_at', 'text', notNull)
          .addColumn('checked_by', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('rebuild_checks_release')
          .on('rebuild_checks')
          .column('release_id')
          .execute();
        // A change ticket (SOX / SOC 2) a release was made under.
        await db.schema.alterTable('releases').addColumn('ticket', 'text').execute();
        // Third-party software taken in through supplier intake.
        await db.schema
          .alterTable('products')
          .addColumn('supplier', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        // A team's SLSA settings (JSON: trusted builders and the level supplier intake requires).
        await db.schema.alterTable('teams').addColumn('slsa_settings', 'text').execute();
        await id(db.schema.createTable('supplier_intakes'))
          .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
          .addColumn('release_id', 'integer', (c) => c.notNull().references('releases.id'))
          .addColumn('artifact_id', 'integer', (c) => c.notNull().references('artifacts.id'))
          .addColumn('vendor', 'text')
          .addColumn('required_level', 'integer', notNull)
          .addColumn('assessed_level', 'integer', notNull)
          .addColumn('sbom_id', 'integer')
          .addColumn('attestation_id', 'integer')
          .addColumn('created_at', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .execute();
      },
    },
    '0015_team_policies': {
      async up(db: Db) {
        // A team's CEL policies (policy/): each change is a new version row, never an update, so
        // a decision can always name the exact policy text it was made with (by digest).
        await id(db.schema.createTable('team_policies'))
          .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id'))
          .addColumn('name', 'text', notNull)
          .addColumn('version', 'integer', notNull)
          .addColumn('source', 'text', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .addUniqueConstraint('team_policies_team_name_version', ['team_id', 'name', 'version'])
          .execute();
      },
    },
    '0016_admission_governance': {
      async up(db: Db) {
        // Namespace configuration: a new row per change, so a decision names the version it read.
        await id(db.schema.createTable('admission_namespaces'))
          .addColumn('cluster', 'text', notNull)
          .addColumn('namespace', 'text', notNull)
          .addColumn('version', 'integer', notNull)
          .addColumn('config', 'text', notNull)
          .addColumn('team', 'text')
          .addColumn('updated_by', 'text', notNull)
          .addColumn('updated_at', 'text', notNull)
          .addUniqueConstraint('admission_namespaces_version', ['cluster', 'namespace', 'version'])
          .execute();
        await db.schema
          .createIndex('admission_namespaces_namespace')
          .on('admission_namespaces')
          .columns(['namespace', 'cluster', 'version'])
          .execute();
        await id(db.schema.createTable('admission_clusters'))
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('created_by', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .execute();
        await id(db.schema.createTable('admission_cluster_credentials'))
          .addColumn('cluster_id', 'integer', (c) =>
            c.notNull().references('admission_clusters.id'),
          )
          .addColumn('kind', 'text', notNull)
          .addColumn('value', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addUniqueConstraint('admission_cluster_credentials_value', ['kind', 'value'])
          .execute();
        await id(db.schema.createTable('admission_exceptions'))
          .addColumn('namespace', 'text', notNull)
          .addColumn('team', 'text')
          .addColumn('image_pattern', 'text', notNull)
          .addColumn('ticket', 'text', notNull)
          .addColumn('reasons', 'text', notNull)
          .addColumn('requester_actor', 'text', notNull)
          .addColumn('requester_person', 'text', notNull)
          .addColumn('requested_at', 'text', notNull)
          .addColumn('expires_at', 'text', notNull)
          .addColumn('revoked_at', 'text')
          .addColumn('revoked_by', 'text')
          .execute();
        await db.schema
          .createIndex('admission_exceptions_namespace')
          .on('admission_exceptions')
          .columns(['namespace', 'expires_at'])
          .execute();
        await id(db.schema.createTable('admission_exception_approvals'))
          .addColumn('exception_id', 'integer', (c) =>
            c.notNull().references('admission_exceptions.id'),
          )
          .addColumn('side', 'text', notNull)
          .addColumn('approver_actor', 'text', notNull)
          .addColumn('approver_person', 'text', notNull)
          .addColumn('approved_at', 'text', notNull)
          .addUniqueConstraint('admission_exception_approvals_side', ['exception_id', 'side'])
          .execute();
        await id(db.schema.createTable('admission_overrides'))
          .addColumn('namespaces', 'text', notNull)
          .addColumn('mode', 'text', notNull)
          .addColumn('ticket', 'text', notNull)
          .addColumn('requester_actor', 'text', notNull)
          .addColumn('requester_person', 'text', notNull)
          .addColumn('requested_at', 'text', notNull)
          .addColumn('expires_at', 'text', notNull)
          .addColumn('revert_rule', 'text')
          .addColumn('reverted_at', 'text')
          .addColumn('revert_reason', 'text')
          .addColumn('revoked_at', 'text')
          .addColumn('revoked_by', 'text')
          .execute();
        await db.schema
          .createIndex('admission_overrides_expires')
          .on('admission_overrides')
          .column('expires_at')
          .execute();
        await id(db.schema.createTable('admission_override_approvals'))
          .addColumn('override_id', 'integer', (c) =>
            c.notNull().references('admission_overrides.id'),
          )
          .addColumn('approver_actor', 'text', notNull)
          .addColumn('approver_person', 'text', notNull)
          .addColumn('approved_at', 'text', notNull)
          .addUniqueConstraint('admission_override_approvals_person', [
            'override_id',
            'approver_person',
          ])
          .execute();
        await id(db.schema.createTable('upstream_health_probes'))
          .addColumn('upstream', 'text', notNull)
          .addColumn('at', 'text', notNull)
          .addColumn('healthy', 'integer', notNull)
          .addColumn('detail', 'text')
          .execute();
        await db.schema
          .createIndex('upstream_health_probes_upstream_at')
          .on('upstream_health_probes')
          .columns(['upstream', 'at'])
          .execute();
        // One row, bumped by every governance write: replicas compare it to know their cached
        // configuration, exceptions and overrides are current.
        await db.schema
          .createTable('admission_governance_generation')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('generation', 'integer', notNull)
          .execute();
        await db
          .insertInto('admission_governance_generation')
          .values({ id: 1, generation: 0 })
          .execute();
      },
    },
    '0017_admission_decisions': {
      async up(db: Db) {
        // Admission decisions (issue [9]): one row per AdmissionReview/ImageReview answered,
        // its images below it. Indexed for the per-namespace reports over time and for the
        // degraded decisions still awaiting reconciliation.
        await id(db.schema.createTable('admission_decisions'))
          .addColumn('uid', 'text', notNull)
          .addColumn('api', 'text', notNull)
          .addColumn('cluster', 'text')
          .addColumn('namespace', 'text', notNull)
          .addColumn('workload', 'text', notNull)
          .addColumn('operation', 'text', notNull)
          .addColumn('dry_run', 'integer', notNull)
          .addColumn('mode', 'text', notNull)
          .addColumn('mode_source', 'text', notNull)
          .addColumn('override_id', 'text')
          .addColumn('allowed', 'integer', notNull)
          .addColumn('degraded', 'integer', notNull)
          .addColumn('would_deny', 'integer', notNull)
          .addColumn('reasons', 'text', notNull)
          .addColumn('message', 'text')
          .addColumn('warnings', 'text', notNull)
          .addColumn('at', 'text', notNull)
          .addColumn('reconciled_at', 'text')
          .addColumn('reconciliation', 'text')
          .execute();
        await db.schema
          .createIndex('admission_decisions_namespace_at')
          .on('admission_decisions')
          .columns(['namespace', 'at'])
          .execute();
        await db.schema
          .createIndex('admission_decisions_at')
          .on('admission_decisions')
          .column('at')
          .execute();
        await db.schema
          .createIndex('admission_decisions_pending')
          .on('admission_decisions')
          .columns(['degraded', 'reconciled_at', 'id'])
          .execute();
        await id(db.schema.createTable('admission_decision_images'))
          .addColumn('decision_id', 'integer', (c) =>
            c.notNull().references('admission_decisions.id'),
          )
          .addColumn('image', 'text', notNull)
          .addColumn('digest', 'text')
          .addColumn('outcome', 'text', notNull)
          .addColumn('reason', 'text')
          .addColumn('message', 'text', notNull)
          .addColumn('effect', 'text', notNull)
          .addColumn('exception_id', 'text')
          .addColumn('degraded', 'text')
          .addColumn('degraded_via', 'text')
          .addColumn('cached', 'integer', notNull)
          .addColumn('policy_name', 'text')
          .addColumn('policy_version', 'text')
          .addColumn('policy_digest', 'text')
          .execute();
        await db.schema
          .createIndex('admission_decision_images_decision')
          .on('admission_decision_images')
          .column('decision_id')
          .execute();
        // What each cluster's namespaces run (as far as admission saw it admitted).
        await id(db.schema.createTable('admission_deployments'))
          .addColumn('cluster', 'text', notNull)
          .addColumn('namespace', 'text', notNull)
          .addColumn('digest', 'text', notNull)
          .addColumn('image', 'text', notNull)
          .addColumn('first_admitted_at', 'text', notNull)
          .addColumn('last_admitted_at', 'text', notNull)
          .addUniqueConstraint('admission_deployments_cluster_namespace_digest', [
            'cluster',
            'namespace',
            'digest',
          ])
          .execute();
        await db.schema
          .createIndex('admission_deployments_namespace')
          .on('admission_deployments')
          .columns(['namespace', 'cluster'])
          .execute();
        await db.schema
          .createIndex('admission_deployments_digest')
          .on('admission_deployments')
          .column('digest')
          .execute();
        await db.schema
          .createTable('admission_image_firsts')
          .addColumn('digest', 'text', (c) => c.primaryKey())
          .addColumn('image', 'text', notNull)
          .addColumn('first_denied_at', 'text')
          .addColumn('first_admitted_at', 'text')
          .execute();
        await db.schema
          .createIndex('admission_image_firsts_admitted')
          .on('admission_image_firsts')
          .column('first_admitted_at')
          .execute();
        await id(db.schema.createTable('admission_reconciliations'))
          .addColumn('decision_id', 'integer', (c) =>
            c.notNull().references('admission_decisions.id'),
          )
          .addColumn('reconciled_at', 'text', notNull)
          .addColumn('result', 'text', notNull)
          .addColumn('seconds', 'integer', notNull)
          .addColumn('detail', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('admission_reconciliations_decision')
          .on('admission_reconciliations')
          .column('decision_id')
          .execute();
        await db.schema
          .createIndex('admission_reconciliations_at')
          .on('admission_reconciliations')
          .columns(['result', 'reconciled_at'])
          .execute();
        await id(db.schema.createTable('admission_mode_periods'))
          .addColumn('namespace', 'text', notNull)
          .addColumn('mode', 'text', notNull)
          .addColumn('started_at', 'text', notNull)
          .addColumn('ended_at', 'text')
          .execute();
        await db.schema
          .createIndex('admission_mode_periods_namespace')
          .on('admission_mode_periods')
          .columns(['namespace', 'ended_at'])
          .execute();
        await db.schema
          .createTable('admission_hourly')
          .addColumn('hour', 'text', (c) => c.primaryKey())
          .addColumn('decisions', 'integer', notNull)
          .addColumn('infra', 'integer', notNull)
          .addColumn('admitted_images', 'integer', notNull)
          .addColumn('admitted_cached', 'integer', notNull)
          .addColumn('admitted_stale', 'integer', notNull)
          .execute();
      },
    },
    '0018_admission_material': {
      async up(db: Db) {
        // What admission verified per image digest and trust fingerprint (app/admission/engine/),
        // so that a replica restarted during a registry outage keeps deciding from it, and the
        // rollback bundles pinned for high-risk namespaces.
        await db.schema
          .createTable('admission_material')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('digest', 'text', notNull)
          .addColumn('registry', 'text', notNull)
          .addColumn('repository', 'text', notNull)
          .addColumn('verified_at', 'text', notNull)
          .addColumn('material', 'text', notNull)
          .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('admission_material_verified_at')
          .on('admission_material')
          .column('verified_at')
          .execute();
      },
    },
    '0019_audit_chain': {
      async up(db: Db) {
        // The audit trail becomes a hash chain (access/audit-chain.ts): each row records the hash
        // of the row before it and its own. audit_chain_head holds the newest link; writers lock it
        // (store/audit.ts) so that concurrent transactions on several replicas extend one chain.
        await db.schema.alterTable('audit_events').addColumn('prev_hash', 'text').execute();
        await db.schema.alterTable('audit_events').addColumn('hash', 'text').execute();
        await db.schema
          .createTable('audit_chain_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('last_id', 'integer', notNull)
          .addColumn('hash', 'text', notNull)
          .execute();
        // Heads recorded in the transparency log, newest last (app/audit/anchor.ts).
        await id(db.schema.createTable('audit_anchors'))
          .addColumn('audit_id', 'integer', notNull)
          .addColumn('hash', 'text', notNull)
          .addColumn('log_index', 'integer', notNull)
          .addColumn('checkpoint', 'text', notNull)
          .addColumn('at', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('audit_anchors_audit_id')
          .on('audit_anchors')
          .column('audit_id')
          .execute();
        // Chain what was recorded before this migration, oldest first.
        let prev = AUDIT_CHAIN_GENESIS;
        let lastId = 0;
        for (;;) {
          const rows = (await db
            .selectFrom('audit_events')
            .select(['id', 'at', 'actor', 'person', 'role', 'action', 'target', 'source', 'team'])
            .select('details')
            .where('id', '>', lastId)
            .orderBy('id')
            .limit(1000)
            .execute()) as AuditChainRow[];
          if (rows.length === 0) break;
          for (const r of rows) {
            const hash = computeAuditHash(prev, { ...r, id: Number(r.id) });
            await db
              .updateTable('audit_events')
              .set({ prev_hash: prev, hash })
              .where('id', '=', r.id)
              .execute();
            prev = hash;
            lastId = Number(r.id);
          }
        }
        await db
          .insertInto('audit_chain_head')
          .values({ id: 1, last_id: lastId, hash: prev })
          .execute();
      },
    },
    '0020_kpi': {
      async up(db: Db) {
        // One figure per day, KPI and team (null: organisation-wide). The unique index is on
        // coalesce(team, '') because both databases treat NULLs in a unique key as distinct, and
        // the daily snapshot must be idempotent for the organisation's rows too.
        await id(db.schema.createTable('kpi_snapshots'))
          .addColumn('day', 'text', notNull)
          .addColumn('kpi', 'text', notNull)
          .addColumn('team', 'text')
          .addColumn('value', 'double precision')
          .addColumn('numerator', 'double precision')
          .addColumn('denominator', 'double precision')
          .addColumn('taken_at', 'text', notNull)
          .execute();
        await sql`create unique index kpi_snapshots_day_kpi_team on kpi_snapshots (day, kpi, coalesce(team, ''))`.execute(
          db,
        );
        await db.schema
          .createIndex('kpi_snapshots_kpi_day')
          .on('kpi_snapshots')
          .columns(['kpi', 'day'])
          .execute();
        // What software cannot observe (people trained, drills, runbooks), entered by hand.
        await id(db.schema.createTable('kpi_manual_entries'))
          .addColumn('kpi', 'text', notNull)
          .addColumn('subject', 'text')
          .addColumn('value', 'double precision', notNull)
          .addColumn('note', 'text')
          .addColumn('day', 'text', notNull)
          .addColumn('entered_by', 'text', notNull)
          .addColumn('entered_at', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('kpi_manual_entries_kpi_day')
          .on('kpi_manual_entries')
          .columns(['kpi', 'day'])
          .execute();
      },
    },
    '0021_dashboard': {
      async up(db: Db) {
        // The dashboard's release listing filtered by product, and a release's predecessor, read
        // in id order straight off the index (no sort of the product's releases).
        await db.schema
          .createIndex('releases_product_id')
          .on('releases')
          .columns(['product_id', 'id'])
          .execute();
        // A component's hashes (the release view lists them): the table's key starts with the
        // hash, so without this each page read the whole table.
        await db.schema
          .createIndex('component_hashes_component')
          .on('component_hashes')
          .column('component_id')
          .execute();
      },
    },
    '0022_login': {
      async up(db: Db) {
        // Who may log in to the dashboard with the configured OIDC provider, and as what
        // (app/login/): an issuer and a subject or a verified email, mapped to a person, a role and
        // teams. login_requests holds a login in progress (state, nonce, PKCE verifier) for a few
        // minutes, in the database so that the callback may reach another replica.
        await id(db.schema.createTable('login_grants'))
          .addColumn('issuer', 'text', notNull)
          .addColumn('subject', 'text')
          .addColumn('email', 'text')
          .addColumn('person', 'text', notNull)
          .addColumn('role', 'text', notNull)
          .addColumn('teams', 'text', notNull)
          .addColumn('created_by', 'text', notNull)
          .addColumn('created_at', 'text', notNull)
          .addColumn('expires_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema
          .createIndex('login_grants_identity')
          .on('login_grants')
          .columns(['issuer', 'subject', 'email'])
          .execute();
        await db.schema
          .createTable('login_requests')
          .addColumn('state_hash', 'text', (c) => c.primaryKey())
          .addColumn('nonce', 'text', notNull)
          .addColumn('verifier', 'text', notNull)
          .addColumn('issuer', 'text', notNull)
          .addColumn('expires_at', 'text', notNull)
          .execute();
      },
    },
    '0023_tlog_reporters': {
      async up(db: Db) {
        // Log mirrors and monitors that report to the service (`--report-to`): the latest report
        // of each, and every inconsistency any of them reported, kept for good.
        await db.schema
          .createTable('tlog_reporters')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', notNull)
          .addColumn('origin', 'text', notNull)
          .addColumn('size', 'bigint', notNull)
          .addColumn('root_hash', 'text', notNull)
          .addColumn('verified_at', 'text', notNull)
          .addColumn('received_at', 'text', notNull)
          .addColumn('actor', 'text', notNull)
          .execute();
        await id(db.schema.createTable('tlog_reporter_inconsistencies'))
          .addColumn('name', 'text', notNull)
          .addColumn('origin', 'text', notNull)
          .addColumn('size', 'bigint', notNull)
          .addColumn('root_hash', 'text', notNull)
          .addColumn('code', 'text', notNull)
          .addColumn('message', 'text', notNull)
          .addColumn('verified_at', 'text', notNull)
          .addColumn('received_at', 'text', notNull)
          .addColumn('actor', 'text', notNull)
          .execute();
        await db.schema
          .createIndex('tlog_reporter_inconsistencies_name')
          .on('tlog_reporter_inconsistencies')
          .column('name')
          .execute();
      },
    },
    '0027_jobs_ready': {
      async up(db: Db) {
        // The in-process runner's claim (store/jobs/sqlite-queue.ts) in due order from an index:
        // with `state` second in jobs_due, `state in ('created', 'retry')` split the scan in two
        // and every claim sorted all waiting jobs (0.6 ms a claim with 10,000 waiting). Only
        // waiting jobs are in this one, so finished ones cost it nothing either.
        if (dialect === 'sqlite') {
          await sql`create index jobs_ready on jobs (name, start_after, created_at)
            where state in ('created', 'retry')`.execute(db);
          await db.schema.dropIndex('jobs_due').execute();
        }
      },
    },
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return all(this.dialect);
  }
}

/** Bring the schema up to date; safe to run on every start and from several replicas at once. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // On PostgreSQL the migration bookkeeping lives in the schema Custody works in (the first on
  // its search_path), not wherever another application's Kysely tables happen to be.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's migrator lists the tables of every schema in the database to find its own; when
  // another application (or another Custody) drops a schema during that listing, PostgreSQL
  // answers 3F000 for a schema that is not ours. Nothing was migrated yet then: list again.
  for (let retry = 0; retry < 5 && error !== undefined && isOtherSchemaGone(error, schema); retry++)
    ({ error, results } = await migrator.migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError('STORE_MIGRATION_FAILED', `Migration ${failed} failed: ${String(error)}`, {
      cause: error,
    });
  }
}

/** PostgreSQL's invalid_schema_name for a schema other than `ours` (a concurrent DROP SCHEMA). */
function isOtherSchemaGone(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code !== '3F000' || typeof e.message !== 'string') return false;
  return ours === undefined || !e.message.includes(`"${ours}"`);
}
