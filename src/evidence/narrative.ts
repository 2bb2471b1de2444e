import { type CustodyFacts, code, identityLines, sh, trustLines } from './facts.js';
import {
  AUDIT_PATH,
  type BundleRef,
  type EvidenceIndex,
  SIGNING_KEY_PATH,
  TRUSTED_ROOT_PATH,
} from './layout.js';

export interface NarrativeInput {
  facts: CustodyFacts;
  release: {
    version: string;
    ticket: string | null;
    tag: string | null;
    commit: string | null;
    createdAt: string;
  };
  index: EvidenceIndex;
  generatedAt: string;
  generatedBy: string;
  /** Exported with an organisation-wide token (else mode overrides, organisation-wide, are left out). */
  orgWide: boolean;
  counts: {
    sboms: number;
    vex: number;
    decisions: number;
    exceptions: number;
    overrides: number;
    emergency: number;
    audit: number;
  };
}

/**
 * NARRATIVE.md: the chain of custody of one release as an auditor asks for it (Brief 1's
 * "document how OIDC identities are issued, who controls repository permissions, and how
 * entries are monitored"), written from the service's configuration, with the commands that
 * check each piece by hand.
 */
export function renderNarrative(n: NarrativeInput): string {
  const f = n.facts;
  const r = n.release;
  const lines: string[] = [
    `# Chain of custody: ${f.product} ${r.version}`,
    '',
    `Exported ${n.generatedAt} by ${n.generatedBy} from ${code(f.serviceUrl)}. Product ${code(f.product)} belongs to team ${code(f.team)}.`,
    `Release ticket: ${r.ticket ? code(r.ticket) : 'none recorded'}; tag ${r.tag ? code(r.tag) : 'none'}; commit ${r.commit ? code(r.commit) : 'none'}; recorded ${r.createdAt}.`,
    '',
    `This archive holds ${n.counts.sboms} SBOM versions, ${n.index.bundles.length} Sigstore bundles, ${n.index.logEntries.length} transparency-log entries with inclusion proofs and the checkpoints they prove against, ${n.counts.vex} published VEX documents, ${n.counts.decisions} admission decisions about the release's artifacts, ${n.counts.exceptions} admission exceptions and ${n.counts.overrides} mode overrides in force since the release, ${n.counts.emergency} emergency certificate requests of the team, and ${n.counts.audit} audit rows with their hash-chain links. ${code('manifest.json')} lists every file with its SHA-256 digest; ${code('manifest.sig.json')} signs it.${n.orgWide ? '' : ' Exported with a team-scoped token: other teams’ exceptions and the mode overrides (organisation-wide records) are left out; an organisation-wide auditor token exports them.'}`,
    '',
    '## How signing identities are issued',
    '',
    'Signers get short-lived certificates from the service’s certificate authority (Fulcio’s API) in exchange for an OIDC ID token, or sign with a key the team registered. Every signature is recorded in the transparency log, so who signed what, and when, can be checked independently of the service.',
    '',
    `Who may sign for team ${code(f.team)}:`,
    '',
    ...identityLines(f),
    '',
    '## Trusted roots, keys and witnesses',
    '',
    ...trustLines(f),
    '',
    `The service’s own signing key (it signs this manifest and published VEX documents; compare with ${code(`${f.serviceUrl}/api/v1/vex-signing-key`)}): hint ${code(f.serviceKey?.hint ?? 'none')}, in ${code(SIGNING_KEY_PATH)}.`,
    '',
    '## Who holds which role',
    '',
    'Tokens are personal; each names a person and a role (team-scoped unless said otherwise). Approvals of VEX, exceptions, overrides and emergency certificates need a second person.',
    '',
    '| person | role | teams |',
    '| --- | --- | --- |',
    ...f.roles.map(
      (x) => `| ${x.person} | ${x.role} | ${x.teams.length ? x.teams.join(', ') : 'all'} |`,
    ),
    '',
    '## How entries are monitored',
    '',
    `Checkpoints are signed by the log${f.witnesses.length ? ` and cosigned by ${f.witnesses.length} witness(es)` : ''}; ${code('custody log monitor')} follows the log and checks every new checkpoint is consistent with the last. Audit rows are hash-chained (${code(AUDIT_PATH)}), so a changed or removed row breaks the chain.`,
    '',
    '## Verify it yourself',
    '',
    'Everything at once, offline (exit 0: all checks passed; 1: a check failed; 2: not an evidence archive):',
    '',
    '```sh',
    `tar -xf evidence.tar   # or verify the archive as it is:`,
    `custody evidence verify evidence.tar --trusted-root trusted_root.json   # the root fetched from ${f.serviceUrl} (custody trust fetch)`,
    '```',
    '',
    'Each bundle by hand, after extracting the archive:',
    '',
    '```sh',
    ...n.index.bundles.flatMap((b) => bundleCommands(b)),
    '```',
    '',
    `Each log entry: SHA-256 of 0x00 followed by the entry's body is its leaf hash; folding the proof's hashes (RFC 6962 §2.1.3) gives the root hash in the checkpoint file, whose signature line verifies with the log key in ${code(TRUSTED_ROOT_PATH)}.`,
    '',
  ];
  return lines.join('\n');
}

/** custody and cosign commands that check one bundle, run from the extracted archive. */
export function bundleCommands(b: BundleRef): string[] {
  const who =
    b.signer.kind === 'identity'
      ? `--certificate-identity ${sh(b.signer.identity)} --certificate-oidc-issuer ${sh(b.signer.issuer)}`
      : `--key ${sh(b.signer.keyPath)}`;
  const em = b.emergency ? ' --allow-emergency' : '';
  const root = `--trusted-root ${TRUSTED_ROOT_PATH}`;
  if ('digest' in b.subject) {
    const type = b.predicateType ?? 'slsaprovenance1';
    return [
      `# ${b.purpose}: ${b.path}`,
      `custody verify-attestation ${b.subject.digest} --bundle ${b.path} --type ${sh(type)} ${who} ${root}${em}`,
      `cosign verify-blob-attestation --bundle ${b.path} --new-bundle-format --type ${sh(type)} --digest ${b.subject.digest.slice('sha256:'.length)} --digestAlg sha256 ${who} ${root}`,
    ];
  }
  return [
    `# ${b.purpose}: ${b.path}`,
    `custody verify ${b.subject.path} --bundle ${b.path} ${who} ${root}${b.signer.kind === 'key' && b.tlogEntries > 0 ? ' --require-tlog' : ''}${em}`,
    `cosign verify-blob ${b.subject.path} --bundle ${b.path} --new-bundle-format ${who} ${root}`,
  ];
}
