import { type CustodyFacts, code, identityLines, sh, trustLines } from './facts.js';
import type { BundleRef } from './layout.js';
import { bundleCommands } from './narrative.js';

export interface RunbookInput {
  facts: CustodyFacts;
  /** The product's newest release and how its artifacts' bundles verify; null: none yet. */
  latest: {
    version: string;
    artifacts: { digest: string; name: string | null }[];
    /** The release's bundles, laid out as `custody evidence export` writes them. */
    bundles: BundleRef[];
    /** A component of the release, for the impact-query examples. */
    component: string | null;
  } | null;
  /** Admission namespaces the product's team owns. */
  namespaces: { cluster: string; namespace: string; mode: string }[];
  generatedAt: string;
}

/**
 * The product's runbook: its real identities and issuers, the verify commands for its newest
 * release, impact queries, outage toggles, reconciliation, and Brief 1's "publish verification
 * instructions in release notes" as a section ready to paste.
 */
export function renderRunbook(r: RunbookInput): string {
  const f = r.facts;
  const url = f.serviceUrl;
  const product = f.product;
  const latest = r.latest;
  const ref = latest ? `${product}@${latest.version}` : `${product}@<version>`;
  const ns = r.namespaces[0]?.namespace ?? '<namespace>';
  const component = latest?.component ?? 'pkg:npm/lodash@4.17.21';
  const lines: string[] = [
    `# Runbook: ${product}`,
    '',
    `Generated ${r.generatedAt} from ${code(url)}. Team ${code(f.team)}. Every command below talks to this service: ${code(`export CUSTODY_URL=${url}`)} and a token in ${code('CUSTODY_TOKEN')}.`,
    '',
    '## Identities and issuers',
    '',
    ...identityLines(f),
    '',
    ...trustLines(f),
    '',
    '## Verify the newest release',
    '',
    latest
      ? `Release ${code(latest.version)}: artifacts ${latest.artifacts.map((a) => code(`${a.name ?? 'artifact'} ${a.digest}`)).join(', ')}.`
      : 'The product has no release yet; the commands take its first one.',
    '',
    '```sh',
    `custody trust fetch ${url} -o trusted_root.json`,
    `custody evidence export ${ref} -o evidence.tar`,
    'custody evidence verify evidence.tar --trusted-root trusted_root.json',
    'tar -xf evidence.tar',
    ...(latest?.bundles ?? []).flatMap((b) => bundleCommands(b)),
    '```',
    '',
    '## Impact: where do we ship X?',
    '',
    '```sh',
    `custody search ${sh(component)}                      # every release with this exact version`,
    `custody search --name ${sh(nameOf(component))} --range ${sh(rangeBelow(component))}   # releases in a vulnerable range`,
    `custody search ${sh(component)} --json --all           # for scripts`,
    `custody release diff ${product}@<old> ${product}@<new>   # what changed between two releases`,
    '```',
    '',
    '## Outage toggles (admission)',
    '',
    `Namespaces of team ${code(f.team)}: ${r.namespaces.length ? r.namespaces.map((n) => `${code(`${n.cluster}/${n.namespace}`)} (${n.mode})`).join(', ') : 'none configured yet'}.`,
    '',
    '```sh',
    `custody admission health                                  # which upstream (registry, log, CA, OIDC) is down`,
    `custody admission namespace get ${sh(ns)}`,
    `custody admission namespace set ${sh(ns)} --mode warn --team ${sh(f.team)}   # soften one namespace (an admin)`,
    `custody admission override set --namespace ${sh(ns)} --mode audit --ticket INC-123 --expires 4h   # time-boxed, needs a second approver`,
    'custody admission override approve <id>',
    'custody admission override revoke <id> --reason "upstreams healthy again"',
    `custody admission exception request --namespace ${sh(ns)} --image 'registry.example/${product}/**' --ticket CHG-456 --expires 12h`,
    'custody admission exception approve <id> --as security',
    `custody ca emergency request …                           # OIDC down and a release must ship: a second person approves`,
    '```',
    '',
    '## Reconciliation after an outage',
    '',
    'Decisions taken on stand-in material are re-checked periodically; force a run and read what changed:',
    '',
    '```sh',
    `curl -fsS -X POST -H "Authorization: Bearer $CUSTODY_TOKEN" ${url}/api/v1/admission/reconcile`,
    `curl -fsS -H "Authorization: Bearer $CUSTODY_TOKEN" ${url}/api/v1/admission/reconciliations`,
    'custody admission report --days 1                          # overturned decisions are listed per namespace',
    'custody admission override list --state active             # revert overrides that are no longer needed',
    '```',
    '',
    '## Verification instructions for release notes',
    '',
    'Paste this into the release notes, so that users can check what they download (Brief 1):',
    '',
    '```markdown',
    ...releaseNotes(r),
    '```',
    '',
  ];
  return lines.join('\n');
}

function releaseNotes(r: RunbookInput): string[] {
  const f = r.facts;
  const version = r.latest?.version ?? '<version>';
  const keyless = f.signingIdentities.filter((i) => 'issuer' in i) as {
    issuer: string;
    subject: string;
  }[];
  const log = f.trust.logs[0];
  const out = [
    `### Verifying ${f.product} ${version}`,
    '',
    `Every artifact and SBOM of this release is signed and recorded in the transparency log ${log ? `\`${log.origin}\` (key SHA-256 \`${log.keyFingerprint}\`)` : 'of the signing service'}.`,
  ];
  if (keyless.length > 0) {
    out.push('Signatures are keyless: the certificate must name', '');
    for (const k of keyless)
      out.push(`- issuer \`${k.issuer}\`, identity matching \`^(?:${k.subject})$\``);
  } else {
    out.push('Signatures are made with the team’s registered key (published with this release).');
  }
  const id = keyless[0];
  const who = id
    ? `--certificate-identity-regexp '^(?:${id.subject})$' --certificate-oidc-issuer ${id.issuer}`
    : '--key release.pub';
  out.push(
    '',
    'Fetch the trusted root once, then verify a file and its bundle:',
    '',
    `    curl -fsSo trusted_root.json ${f.serviceUrl}/api/v1/trusted-root`,
    `    cosign verify-blob <file> --bundle <file>.sigstore.json --new-bundle-format ${who} --trusted-root trusted_root.json`,
    `    custody verify <file> --bundle <file>.sigstore.json ${who} --trusted-root trusted_root.json`,
    '',
    'A signature that does not verify means the file is not what we released: do not use it, and tell us.',
  );
  return out;
}

// `vers:<type>/<=<version>` of the example component: "this version and older".
function rangeBelow(purl: string): string {
  const m = /^pkg:([^/]+)\/[^@]+@([^?#]+)/.exec(purl);
  return m ? `vers:${m[1]}/<=${decodeURIComponent(m[2] as string)}` : 'vers:npm/<4.17.21';
}

function nameOf(purl: string): string {
  const m = /^pkg:[^/]+\/(?:.*\/)?([^@?#/]+)/.exec(purl);
  return m?.[1] ?? purl;
}
