import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. One schema for SQLite and PostgreSQL, so types are the common
 * subset: integers, text, and booleans as 0/1 integers; times are ISO 8601 UTC text, which sorts
 * correctly as text in both.
 */
export interface Database {
  teams: TeamTable;
  products: ProductTable;
  releases: ReleaseTable;
  artifacts: ArtifactTable;
  sboms: SbomTable;
  packages: PackageTable;
  components: ComponentTable;
  component_hashes: ComponentHashTable;
  licenses: LicenseTable;
  component_licenses: ComponentLicenseTable;
  tokens: TokenTable;
  audit_events: AuditEventTable;
  audit_chain_head: AuditChainHeadTable;
  audit_anchors: AuditAnchorTable;
  login_grants: LoginGrantTable;
  login_requests: LoginRequestTable;
  tlog_reporters: TlogReporterTable;
  tlog_reporter_inconsistencies: TlogReporterInconsistencyTable;
  inventory_generation: InventoryGenerationTable;
  tlog_state: TlogStateTable;
  tlog_entries: TlogEntryTable;
  tlog_checkpoints: TlogCheckpointTable;
  follow_ups: FollowUpTable;
  emergency_requests: EmergencyRequestTable;
  sbom_signatures: SbomSignatureTable;
  jobs: JobTable;
  trigger_events: TriggerEventTable;
  trigger_actions: TriggerActionTable;
  team_webhooks: TeamWebhookTable;
  advisories: AdvisoryTable;
  advisory_versions: AdvisoryVersionTable;
  advisory_packages: AdvisoryPackageTable;
  vuln_findings: VulnFindingTable;
  kev_entries: KevEntryTable;
  epss_scores: EpssScoreTable;
  vuln_feeds: VulnFeedTable;
  vuln_sbom_scans: VulnSbomScanTable;
  vex_statements: VexStatementTable;
  vex_statement_versions: VexStatementVersionTable;
  vex_changes: VexChangeTable;
  vex_documents: VexDocumentTable;
  vex_publications: VexPublicationTable;
  team_slas: TeamSlaTable;
  release_attestations: ReleaseAttestationTable;
  rebuild_checks: RebuildCheckTable;
  supplier_intakes: SupplierIntakeTable;
  team_policies: TeamPolicyTable;
  admission_namespaces: AdmissionNamespaceTable;
  admission_clusters: AdmissionClusterTable;
  admission_cluster_credentials: AdmissionClusterCredentialTable;
  admission_exceptions: AdmissionExceptionTable;
  admission_exception_approvals: AdmissionExceptionApprovalTable;
  admission_overrides: AdmissionOverrideTable;
  admission_override_approvals: AdmissionOverrideApprovalTable;
  upstream_health_probes: UpstreamHealthProbeTable;
  admission_governance_generation: AdmissionGovernanceGenerationTable;
  admission_material: AdmissionMaterialTable;
  admission_decisions: AdmissionDecisionTable;
  admission_decision_images: AdmissionDecisionImageTable;
  admission_deployments: AdmissionDeploymentTable;
  admission_image_firsts: AdmissionImageFirstTable;
  admission_reconciliations: AdmissionReconciliationTable;
  admission_mode_periods: AdmissionModePeriodTable;
  admission_hourly: AdmissionHourlyTable;
  kpi_snapshots: KpiSnapshotTable;
  kpi_manual_entries: KpiManualEntryTable;
}

/** A verified in-toto attestation about one of a release's artifacts (0014). */
export interface ReleaseAttestationTable {
  id: Generated<number>;
  release_id: number;
  artifact_id: number;
  /** `sha256:<hex>` of the artifact the statement's subject names. */
  artifact_digest: string;
  predicate_type: string;
  /** `sha256:<hex>` of the bundle as received: its blob store key. */
  bundle_digest: string;
  /** `identity` (a certificate's issuer and subject) or `key` (a key the team registered). */
  signer_kind: string;
  identity: string | null;
  issuer: string | null;
  key_name: string | null;
  key_hint: string | null;
  /** 1 when signed with a Custody emergency certificate. */
  emergency: Generated<number>;
  /** SLSA provenance: runDetails.builder.id. */
  builder_id: string | null;
  build_type: string | null;
  /** 1 when buildDefinition.externalParameters is a non-empty object. */
  external_parameters: Generated<number>;
  source_uri: string | null;
  source_digest: string | null;
  source_ref: string | null;
  /** resolvedDependencies: all of them, and those with a digest. */
  dependencies: Generated<number>;
  dependencies_pinned: Generated<number>;
  log_index: number | null;
  logged_by: string | null;
  created_at: string;
  created_by: string;
}

/** A rebuild of a release's artifact and whether it came out bit for bit the same (0014). */
export interface RebuildCheckTable {
  id: Generated<number>;
  release_id: number;
  artifact_id: number;
  expected_digest: string;
  rebuilt_digest: string;
  matches: number;
  command: string;
  /** JSON: the SBOM diff's summary (rebuilt tree against the release's SBOM), on a mismatch. */
  sbom_diff: string | null;
  checked_at: string;
  checked_by: string;
}

/** Third-party software taken in: the level it had to reach and the level it reached (0014). */
export interface SupplierIntakeTable {
  id: Generated<number>;
  product_id: number;
  release_id: number;
  artifact_id: number;
  vendor: string | null;
  required_level: number;
  assessed_level: number;
  sbom_id: number | null;
  attestation_id: number | null;
  created_at: string;
  created_by: string;
}

/** A team's trigger deadlines that differ from the engine's defaults. */
export interface TeamSlaTable {
  team_id: number;
  /** JSON: deadline name → `{ within, alertAfter? }` as the team wrote them (`15m`, `48h`). */
  body: string;
  updated_at: string;
  updated_by: string;
}

/**
 * A VEX statement of a product (vex/'s LifecycleStatement as JSON in `body`, its current
 * version); the columns repeat what reads filter on. Confidential statements (private
 * disclosure) are visible to the owning team's approvers only until `disclosed_at`.
 */
export interface VexStatementTable {
  id: Generated<number>;
  team_id: number;
  product_id: number;
  vulnerability: string;
  status: string;
  /** The statement's own version (seed 001's "VEX version"). */
  version: number;
  /** 1 while confidential. */
  confidential: Generated<number>;
  drafted_by: string;
  approved_by: string | null;
  disclosed_at: string | null;
  body: string;
  created_at: string;
  updated_at: string;
}

/** Every version a statement had (the current one too); an edit in place rewrites its row. */
export interface VexStatementVersionTable {
  id: Generated<number>;
  statement_id: number;
  version: number;
  body: string;
  created_at: string;
}

/** The change trail (vex/'s ChangeRecord): one row per changed field. */
export interface VexChangeTable {
  id: Generated<number>;
  statement_id: number;
  version: number;
  field: string;
  /** `substantive`, `typo`, `formatting`, `metadata`, `disclosure`, `approval`. */
  kind: string;
  /** JSON, or null when the field was absent. */
  before: string | null;
  after: string | null;
  by: string;
  at: string;
}

/** A published VEX document: its bytes and its Sigstore bundle are blobs. */
export interface VexDocumentTable {
  id: Generated<number>;
  team_id: number;
  product_id: number;
  /** `openvex`, `cyclonedx` or `csaf`. */
  format: string;
  /** The document-level version this publication got. */
  document_version: string;
  /** `sha256:<hex>` of the document bytes. */
  digest: string;
  bundle_digest: string;
  /** The `vex` entry recording the publication in Custody's log. */
  log_index: number | null;
  /** The bundle's own (hashedrekord) entry, which Sigstore verifiers check. */
  bundle_log_index: number | null;
  statement_count: number;
  published_at: string;
  published_by: string;
  /** The certificate identity that signed it (keyless); null: the service's VEX-signing key. */
  signer_identity: string | null;
  signer_issuer: string | null;
}

/**
 * A publication a person signs: the document rendered (its exact text, which the bundle must be
 * over), pending until the bundle arrives or `expires_at` passes; `published` once it is in
 * vex_documents (`vex_document_id`). Holds what publishing would publish, so nothing confidential.
 */
export interface VexPublicationTable {
  id: Generated<number>;
  team_id: number;
  product_id: number;
  format: string;
  document_version: string;
  /** `sha256:<hex>` of the document's UTF-8 bytes. */
  digest: string;
  document: string;
  statement_count: number;
  /** The time written into the document (its lastUpdated and revision date). */
  rendered_at: string;
  /** The person who prepared it, the only one who may complete it. */
  prepared_by: string;
  expires_at: string;
  /** `pending` or `published`. */
  state: string;
  vex_document_id: number | null;
}

/** An OSV advisory as last ingested (its earlier versions are in advisory_versions). */
export interface AdvisoryTable {
  /** The OSV id (GHSA-…, PYSEC-…, …). */
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  /** JSON array of ids. */
  aliases: string;
  summary: string | null;
  /** The record's own CVSS base score (best vector), or null. */
  severity_score: number | null;
  severity_rating: string;
  /** 1 for the first version ingested, then one more per change. */
  version_no: number;
  /** `sha256:<hex>` of the record's canonical JSON: what decides "changed". */
  digest: string;
  /** The record's canonical JSON. */
  record: string;
  first_seen_at: string;
  updated_at: string;
}

/** Every version of an advisory Custody ingested, with what changed from the previous one. */
export interface AdvisoryVersionTable {
  id: Generated<number>;
  advisory_id: string;
  version_no: number;
  modified: string;
  digest: string;
  record: string;
  /** JSON: AdvisoryChanges (fields, aliases, ranges, severity, withdrawn) against the previous version. */
  changes: string;
  ingested_at: string;
  ingested_by: string;
  /** When the portfolio had been matched against this version (its affected list ready). */
  matched_at: string | null;
}

/** The packages an advisory names: vuln/'s index key (OSV ecosystem base, nameKey). */
export interface AdvisoryPackageTable {
  ecosystem: string;
  name: string;
  advisory_id: string;
}

/** One advisory affecting one package of one artifact (its current SBOMs). */
export interface VulnFindingTable {
  id: Generated<number>;
  advisory_id: string;
  team_id: number;
  product_id: number;
  release_id: number;
  artifact_id: number;
  /** The SBOM it was last seen in. */
  sbom_id: number;
  package_id: number;
  /** The affected component's purl (the lowest affected version when several are present). */
  purl: string;
  /** JSON array of the affected versions present. */
  versions: string;
  /** The first fixed version above them, or null when no fix is known. */
  fixed: string | null;
  severity_score: number | null;
  severity_rating: string;
  opened_at: string;
  opened_sbom_id: number;
  updated_at: string;
  closed_at: string | null;
  /** `fixed` (a later SBOM no longer has an affected version), `withdrawn`, `not_affected` (the advisory changed), `vex_not_affected`, `vex_fixed`. */
  close_reason: string | null;
  closed_sbom_id: number | null;
}

export interface KevEntryTable {
  cve_id: string;
  vendor_project: string;
  product: string;
  name: string;
  date_added: string;
  due_date: string;
  ransomware: string | null;
}

export interface EpssScoreTable {
  cve_id: string;
  epss: number;
  percentile: number;
}

/** The loaded KEV catalogue or EPSS file. */
export interface VulnFeedTable {
  /** `kev` or `epss` */
  name: string;
  /** KEV catalogVersion; EPSS model version and score date. */
  version: string | null;
  entries: number;
  ingested_at: string;
  ingested_by: string;
}

/** An SBOM the after-ingest job has matched against the advisories. */
export interface VulnSbomScanTable {
  sbom_id: number;
  matched_at: string;
  findings: number;
}

/** A job of the in-process runner (SQLite only; pg-boss keeps its own tables). */
export interface JobTable {
  id: string;
  name: string;
  /** JSON */
  data: string;
  /** `created`, `retry`, `active`, `completed`, `failed`, `cancelled` */
  state: string;
  singleton_key: string | null;
  retry_limit: number;
  retry_count: number;
  retry_delay: number;
  /** 0/1 */
  retry_backoff: number;
  start_after: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  last_error: string | null;
}

/** A trigger event as received, with the decision taken on it. */
export interface TriggerEventTable {
  id: Generated<number>;
  /** `<source>:<delivery id>`, or `<source>:sha256:<digest of the event>`; unique. */
  idempotency_key: string;
  /** `api`, `github`, `gitlab`, `poller` */
  source: string;
  kind: string;
  team_id: number;
  product: string | null;
  /** JSON: the event as the engine read it. */
  payload: string;
  /** The commit message, or other free text that came with the event. */
  context: string | null;
  /** JSON: the engine's decision. */
  decision: string;
  received_at: string;
  /** Actor that delivered it (a token, `webhook:github`, `poller`). */
  received_by: string;
  /** JSON list of overrides: {target, mode, reason, actor, person, at}. */
  overrides: Generated<string>;
}

/** One action of a decision (or an override), run as a job. */
export interface TriggerActionTable {
  id: Generated<number>;
  event_id: number;
  team_id: number;
  /** `sbom`, `vex`, or another artifact the engine names. */
  target: string;
  action: string;
  /** `full`, `semi`, `manual` */
  automation: string;
  deadline: string | null;
  /** `pending`, `done`, `failed`, `skipped` */
  state: string;
  /** `decision` or `override` */
  origin: string;
  created_at: string;
  done_at: string | null;
  error: string | null;
  /** When the team is alerted that the work is still open, before the deadline (engine's). */
  alert_at: string | null;
  /** When that early alert went out; null until then. */
  alerted_at: string | null;
  /** When the team was told the deadline passed; null until then. */
  overdue_alerted_at: string | null;
}

/** A team's outgoing notification webhook (`out`, with url) or inbound webhook secret (`in`). */
export interface TeamWebhookTable {
  id: Generated<number>;
  team_id: number;
  direction: string;
  url: string | null;
  secret: string;
  created_at: string;
}

/** An emergency certificate request: asked by one person, approved by another (or expired). */
export interface EmergencyRequestTable {
  id: Generated<number>;
  team_id: number;
  /** The identity (email or URI) the certificate is to name. */
  identity: string;
  /** PEM SPKI of the requester's key, whose possession was proven at request time. */
  public_key: string;
  reason: string;
  lifetime_seconds: number;
  requester_actor: string;
  requester_person: string;
  requested_at: string;
  /** After this, a request not yet issued can no longer be approved. */
  expires_at: string;
  /** `pending`, `issuing` (an approver claimed it; certificate being made and logged), `issued`. */
  status: Generated<string>;
  approver_actor: string | null;
  approver_person: string | null;
  decided_at: string | null;
  serial_number: string | null;
  not_before: string | null;
  not_after: string | null;
  /** JSON array of PEM certificates: leaf, intermediate, root. */
  certificate_chain: string | null;
  /** The certificate's entry in the transparency log. */
  tlog_index: number | null;
}

export interface TeamTable {
  id: Generated<number>;
  name: string;
  /** The team's SBOM gate policy as JSON (GatePolicy); null means the default gate. */
  gate_policy: string | null;
  created_at: string;
  /** JSON list of SigningIdentity (sign/): who may sign for the team. */
  signing_identities: Generated<string>;
  /** JSON SlsaSettings (app/provenance): trusted builders, supplier intake's level (0014). */
  slsa_settings: string | null;
}

export interface ProductTable {
  id: Generated<number>;
  team_id: number;
  name: string;
  created_at: string;
  /** 1: third-party software taken in through supplier intake (0014). */
  supplier: Generated<number>;
}

export interface ReleaseTable {
  id: Generated<number>;
  product_id: number;
  version: string;
  tag: string | null;
  commit_sha: string | null;
  created_at: string;
  /** When the release's artifacts were last rebuilt; an SBOM older than this is stale. */
  rebuilt_at: string | null;
  deployed: number;
  /** The change ticket (SOX / SOC 2) the release was made under (0014). */
  ticket: string | null;
}

export interface ArtifactTable {
  id: Generated<number>;
  release_id: number;
  /** `sha256:<hex>` */
  digest: string;
  name: string | null;
  created_at: string;
}

export interface SbomTable {
  id: Generated<number>;
  artifact_id: number;
  release_id: number;
  product_id: number;
  team_id: number;
  /** `sha256:<hex>` of the document's bytes as received; the blob store key. */
  digest: string;
  format: string;
  spec_version: string;
  serial_number: string | null;
  media_type: string;
  size: number;
  /** 1 for an artifact's first SBOM; each rebuild or correction adds the next. */
  version_no: number;
  supersedes_id: number | null;
  /** 1 while this is the artifact's newest SBOM. */
  current: number;
  quality_score: number;
  component_count: number;
  signed: number;
  /** The document's own creation time (CycloneDX metadata.timestamp, SPDX created). */
  document_created: string | null;
  created_at: string;
  created_by: string;
}

/** A verified Sigstore bundle over an SBOM (an SBOM with one is `signed`). */
export interface SbomSignatureTable {
  id: Generated<number>;
  sbom_id: number;
  /** `sha256:<hex>` of the bundle as received: its blob store key. */
  bundle_digest: string;
  /** `message` (a signature over the SBOM's digest) or `dsse` (an in-toto attestation). */
  content: string;
  /** `identity` (a certificate's issuer and subject) or `key` (a key the team registered). */
  signer_kind: string;
  identity: string | null;
  issuer: string | null;
  /** The registered key's name, when it has one. */
  key_name: string | null;
  /** base64 SHA-256 of the key's SPKI (Sigstore's key hint). */
  key_hint: string | null;
  /** The entry's index in Custody's transparency log; null when the log is off. */
  log_index: number | null;
  /** `bundle`: the bundle's own entry is in Custody's log; `custody`: Custody logged it on intake. */
  logged_by: string | null;
  created_at: string;
  created_by: string;
}

/**
 * The package dictionary: one row per package (purl without version, qualifiers or subpath; or
 * `~ecosystem/name` for a component without a purl). Component rows point here by integer, which
 * keeps the big table and its one index small.
 */
export interface PackageTable {
  id: Generated<number>;
  /** `pkg:type/namespace/name`, or `~ecosystem/name` when the component has no purl. */
  package: string;
  name: string;
  ecosystem: string | null;
}

/**
 * One row per component of every SBOM version: the inventory index. Only (package_id, version) is
 * indexed; release, product and team come through the SBOM row.
 */
export interface ComponentTable {
  id: Generated<number>;
  sbom_id: number;
  package_id: number;
  version: string | null;
  /** Canonical purl, when the component has one. */
  purl: string | null;
  scope: string | null;
  direct: number;
  /** Licences as declared, joined with ` AND `, for display; searching uses component_licenses. */
  licenses: string | null;
}

export interface ComponentHashTable {
  /** The first 52 bits of the digest as an integer: a compact index key, checked against `value`. */
  key: number;
  component_id: number;
  alg: string;
  /** lower-case hex */
  value: string;
}

/** The licence dictionary. */
export interface LicenseTable {
  id: Generated<number>;
  /** One SPDX identifier (or LicenseRef/free text) named by a component's licence. */
  name: string;
}

export interface ComponentLicenseTable {
  license_id: number;
  component_id: number;
}

export interface TokenTable {
  id: Generated<number>;
  name: string;
  /** sha256 hex of the whole token; the token itself is shown once and never stored. */
  secret_hash: string;
  role: string;
  /** The person the token belongs to; two tokens of one person carry the same name. */
  person: string;
  /** JSON array of team names; empty means organisation-wide. */
  teams: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
}

/** One row (id 1): the write generation that search caches are checked against. */
export interface InventoryGenerationTable {
  id: number;
  value: number;
}

export interface AuditEventTable {
  id: Generated<number>;
  at: string;
  /** `token:<id>:<name>` or `cli` for bootstrap writes on the data directory. */
  actor: string;
  /** The person behind the token (null before people were recorded). */
  person: string | null;
  role: string;
  action: string;
  target: string;
  source: string;
  /** The team whose data was written, for team-scoped auditors; null for organisation-wide writes. */
  team: string | null;
  details: string;
  /** The chain's links (access/audit-chain.ts); null only while migration 0019 runs. */
  prev_hash: string | null;
  hash: string | null;
}

/** The newest link of the audit chain: one row, id 1, locked by every audit write. */
export interface AuditChainHeadTable {
  id: number;
  last_id: number;
  hash: string;
}

/** An audit chain head recorded in the transparency log. */
export interface AuditAnchorTable {
  id: Generated<number>;
  audit_id: number;
  hash: string;
  log_index: number;
  /** The checkpoint (signed note) the entry's inclusion was proven against when anchored. */
  checkpoint: string;
  at: string;
}

/** The transparency log's one row of state (id = 1): its origin and how far it has grown. */
export interface TlogStateTable {
  id: number;
  /** The checkpoint origin, fixed when the log is created. */
  origin: string;
  size: number;
  root_hash: Uint8Array;
}

/** One log entry. `idx` is its position in the Merkle tree; leaves are H(0x00 || body). */
export interface TlogEntryTable {
  idx: number;
  leaf_hash: Uint8Array;
  kind: string;
  body: Uint8Array;
  /** Unix seconds at sequencing. */
  integrated_time: number;
  /** The digest the entry is about (`sha256:…`), for lookups by artifact. */
  subject: string;
}

/** Every checkpoint the log has signed, one per sequenced batch, in the batch's own transaction. */
export interface TlogCheckpointTable {
  size: number;
  root_hash: Uint8Array;
  /** The signed note as the log signed it. */
  note: string;
  /** Witness cosignature lines collected later, appended to `note` when served. */
  cosignatures: string;
  created_at: string;
}

/**
 * A gate warning kept for follow-up: one per SBOM, component and warn-tier check. When the
 * artifact's next SBOM version still has it, the new row keeps `opened_at` (the age runs on) and
 * the old one is closed as `carried`; when it no longer has it, the old one is closed as `fixed`.
 */
export interface FollowUpTable {
  id: Generated<number>;
  team_id: number;
  sbom_id: number;
  /** The check id (`licensing.valid-spdx`, …) or gate rule (`gate.max-age`) that warned. */
  check_id: string;
  /** The component's bom-ref/SPDXID; '' for a document-level warning. */
  component_ref: string;
  /** `namespace/name@version`, for people; '' for a document-level warning. */
  component: string;
  purl: string | null;
  message: string;
  /** When the warning was first seen for this artifact (ISO 8601). */
  opened_at: string;
  sla_days: number;
  /** opened_at + sla_days; overdue after it while unresolved. */
  due_at: string;
  resolved_at: string | null;
  /** `fixed` (gone from the next version) or `carried` (moved to the next version's row). */
  resolution: string | null;
}

/** One version of a team's CEL policy (migration 0015); a new version is a new row. */
export interface TeamPolicyTable {
  id: Generated<number>;
  team_id: number;
  name: string;
  /** 1 for the first, then one more per change. */
  version: number;
  /** The policy's YAML or JSON as pushed. */
  source: string;
  /** `sha256:<hex>` of `source`. */
  digest: string;
  created_at: string;
  created_by: string;
}

/** One admission decision (migration 0017): what was asked, the mode that applied, the answer. */
export interface AdmissionDecisionTable {
  id: Generated<number>;
  /** The AdmissionReview's request uid (an ImageReview's generated one). */
  uid: string;
  /** `admission-review` or `image-review`. */
  api: string;
  /** The calling cluster; null for an unidentified caller (nothing recorded as deployed). */
  cluster: string | null;
  namespace: string;
  workload: string;
  operation: string;
  dry_run: number;
  mode: string;
  /** `namespace`, `default` or `override`. */
  mode_source: string;
  override_id: string | null;
  allowed: number;
  /** 1 when any image's verdict leaned on stand-in material or an infrastructure failure. */
  degraded: number;
  /** 1 when enforce would have denied it: an image failed (policy or infrastructure) unwaived. */
  would_deny: number;
  /** JSON array of the distinct reasons (admission/types.ts's closed list) of its images. */
  reasons: string;
  message: string | null;
  /** JSON array of the warnings answered. */
  warnings: string;
  at: string;
  /** When a degraded decision was reconciled for good (confirmed or overturned); null before. */
  reconciled_at: string | null;
  /** `confirmed` or `overturned` once reconciled. */
  reconciliation: string | null;
}

/** One image of a decision and its verdict. */
export interface AdmissionDecisionImageTable {
  id: Generated<number>;
  decision_id: number;
  image: string;
  digest: string | null;
  /** `pass`, `fail` or `infra`. */
  outcome: string;
  reason: string | null;
  message: string;
  /** `allow`, `deny`, `warn`, `audit`, `allow-by-exception`. */
  effect: string;
  exception_id: string | null;
  /** JSON DegradedMark, when the verdict leaned on stand-in material. */
  degraded: string | null;
  /** The mark's `via`, repeated for counting. */
  degraded_via: string | null;
  /** 1 when the verdict came from the decision cache. */
  cached: number;
  policy_name: string | null;
  policy_version: string | null;
  policy_digest: string | null;
}

/** A digest admitted into a cluster's namespace (Brief 4's post-deployment record). */
export interface AdmissionDeploymentTable {
  id: Generated<number>;
  cluster: string;
  namespace: string;
  digest: string;
  /** The reference as the workload last named it. */
  image: string;
  first_admitted_at: string;
  last_admitted_at: string;
}

/** Per digest: when it was first denied and first admitted (blocked deployments, resolution). */
export interface AdmissionImageFirstTable {
  digest: string;
  image: string;
  first_denied_at: string | null;
  first_admitted_at: string | null;
}

/** One reconciliation attempt of a degraded decision. */
export interface AdmissionReconciliationTable {
  id: Generated<number>;
  decision_id: number;
  reconciled_at: string;
  /** `confirmed`, `overturned` or `still-failing`. */
  result: string;
  /** Seconds from the decision to this attempt. */
  seconds: number;
  /** JSON: per image, what the fresh check found. */
  detail: string;
}

/** The modes a namespace's decisions were taken in, as periods (time in audit versus enforce). */
export interface AdmissionModePeriodTable {
  id: Generated<number>;
  namespace: string;
  mode: string;
  started_at: string;
  /** Null while it is the namespace's current mode. */
  ended_at: string | null;
}

/** Decisions per hour (UTC), for the SLO's error budget and ratios over long windows. */
export interface AdmissionHourlyTable {
  /** `YYYY-MM-DDTHH` */
  hour: string;
  decisions: number;
  /** Decisions with an image whose check failed on infrastructure (no stand-in). */
  infra: number;
  /** Images of allowed, non-dry-run decisions. */
  admitted_images: number;
  /** Of those, verdicts from the decision cache. */
  admitted_cached: number;
  /** Of those, verdicts that leaned on stand-in material (cached material, rollback bundle). */
  admitted_stale: number;
}

/** Admission's verified material per image digest and trust fingerprint (migration 0018). */
export interface AdmissionMaterialTable {
  /** `<digest>|<trust fingerprint>` */
  key: string;
  digest: string;
  registry: string;
  repository: string;
  /** ISO 8601: when it was verified fresh. */
  verified_at: string;
  /** JSON: the verified material and Custody's own facts about the digest. */
  material: string;
  /** 1: a rollback bundle (kept whatever its age). */
  pinned: Generated<number>;
}

/** A namespace's admission configuration: one row per version, never updated (history). */
export interface AdmissionNamespaceTable {
  id: Generated<number>;
  /** A registered cluster's name, or `*` for every cluster. */
  cluster: string;
  namespace: string;
  /** 1 for the first, then one more per change. */
  version: number;
  /** The NamespaceConfig as JSON (admission/types.ts), without cluster, namespace, version. */
  config: string;
  /** The owning team (copied out of `config` so lists filter by it). */
  team: string | null;
  updated_by: string;
  updated_at: string;
}

/** A cluster that calls the admission webhook. */
export interface AdmissionClusterTable {
  id: Generated<number>;
  name: string;
  created_by: string;
  created_at: string;
}

/** How a cluster proves who it is: a client certificate's or a bearer token's SHA-256. */
export interface AdmissionClusterCredentialTable {
  id: Generated<number>;
  cluster_id: number;
  /** `cert-sha256` (the DER certificate's) or `token-sha256` (the token's; never the token). */
  kind: string;
  /** Lower-case hex. */
  value: string;
  created_at: string;
}

export interface AdmissionExceptionTable {
  id: Generated<number>;
  namespace: string;
  /** The namespace's owning team when requested (whose approver is the service owner). */
  team: string | null;
  image_pattern: string;
  ticket: string;
  /** JSON list of AdmissionReason; [] means every waivable reason. */
  reasons: string;
  requester_actor: string;
  requester_person: string;
  requested_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface AdmissionExceptionApprovalTable {
  id: Generated<number>;
  exception_id: number;
  /** `service-owner` or `security`; one approval per side. */
  side: string;
  approver_actor: string;
  approver_person: string;
  approved_at: string;
}

export interface AdmissionOverrideTable {
  id: Generated<number>;
  /** JSON list of namespace names. */
  namespaces: string;
  mode: string;
  ticket: string;
  requester_actor: string;
  requester_person: string;
  requested_at: string;
  expires_at: string;
  /** JSON HealthRule, or null. */
  revert_rule: string | null;
  reverted_at: string | null;
  revert_reason: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface AdmissionOverrideApprovalTable {
  id: Generated<number>;
  override_id: number;
  approver_actor: string;
  approver_person: string;
  approved_at: string;
}

/** One probe of an upstream's health (registry, log, CA, OIDC, HSM); kept for a bounded time. */
export interface UpstreamHealthProbeTable {
  id: Generated<number>;
  upstream: string;
  at: string;
  /** 1 healthy, 0 not. */
  healthy: number;
  detail: string | null;
}

/** One row: bumped by every governance write, so replicas' caches know when to read again. */
export interface AdmissionGovernanceGenerationTable {
  id: number;
  generation: number;
}

/** Who may log in to the dashboard with the configured OIDC provider, and as what (0022_login). */
export interface LoginGrantTable {
  id: Generated<number>;
  /** The provider's `iss`, exactly. */
  issuer: string;
  /** The ID token's `sub`; null when the grant names a verified email instead. */
  subject: string | null;
  /** A verified `email` claim, lower-cased; null when the grant names a subject. */
  email: string | null;
  person: string;
  role: string;
  /** JSON array of team names; empty means organisation-wide. */
  teams: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

/** A login in progress: its state (hashed), nonce and PKCE verifier, kept a few minutes. */
export interface LoginRequestTable {
  state_hash: string;
  nonce: string;
  verifier: string;
  issuer: string;
  expires_at: string;
}

/** One day's figure of one KPI (migration 0020), organisation-wide (team null) or one team's. */
export interface KpiSnapshotTable {
  id: Generated<number>;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  kpi: string;
  team: string | null;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  taken_at: string;
}

/** A figure entered by hand (people trained, a drill and its timing, a runbook per service). */
export interface KpiManualEntryTable {
  id: Generated<number>;
  kpi: string;
  /** The product, team or person it is about, when it is about one. */
  subject: string | null;
  value: number;
  note: string | null;
  /** `YYYY-MM-DD`: the day it is true for (a drill's day, a training's). */
  day: string;
  /** The person who entered it. */
  entered_by: string;
  entered_at: string;
}

/** The latest report of each log mirror or monitor (`--report-to`), by its name. */
export interface TlogReporterTable {
  name: string;
  /** `mirror` or `monitor`. */
  kind: string;
  origin: string;
  size: number;
  /** Base64, as checkpoints write it. */
  root_hash: string;
  verified_at: string;
  received_at: string;
  /** The token that reported it. */
  actor: string;
}

/** Every inconsistency (split view, rollback) a reporter reported. */
export interface TlogReporterInconsistencyTable {
  id: Generated<number>;
  name: string;
  origin: string;
  size: number;
  root_hash: string;
  code: string;
  message: string;
  verified_at: string;
  received_at: string;
  actor: string;
}
