import type { SigningIdentity } from '../sign/index.js';
import type { WitnessRef } from './layout.js';
import type { TrustSummary } from './trust-summary.js';

/**
 * What the chain-of-custody narrative and the runbook are written from: the service's
 * configuration and the product's team, gathered by app/evidence. No secret is ever one of them.
 */
export interface CustodyFacts {
  /** The service's public URL (`CUSTODY_PUBLIC_URL`), as clients reach it. */
  serviceUrl: string;
  product: string;
  team: string;
  /** OIDC issuers whose ID tokens the CA accepts (`CUSTODY_OIDC_ISSUERS`); empty: keyless is off. */
  oidcIssuers: { issuer: string; audience: string }[];
  /** The issuer URL of Custody's emergency certificates, when keyless signing is on. */
  emergencyIssuer: string | null;
  /** Who may sign for the team (its signing identities: issuer + subject pattern, or a key). */
  signingIdentities: SigningIdentity[];
  trust: TrustSummary;
  witnesses: WitnessRef[];
  /** Live tokens' holders: person, role and teams (empty: organisation-wide). */
  roles: { person: string; role: string; teams: string[] }[];
  /** The service's signing key (evidence manifests, VEX documents). */
  serviceKey: { hint: string; pem: string } | null;
}

/** Markdown-safe inline code. */
export function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** A shell word, single-quoted when it needs to be. */
export function sh(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The identities section both documents share. */
export function identityLines(f: CustodyFacts): string[] {
  const out: string[] = [];
  if (f.signingIdentities.length === 0) {
    out.push(
      `- Team ${code(f.team)} has registered no signing identities: any identity the CA issues to is accepted for its SBOMs.`,
    );
  }
  for (const id of f.signingIdentities) {
    if ('issuer' in id) {
      out.push(
        `- Keyless: certificates from issuer ${code(id.issuer)} whose identity matches ${code(`^(?:${id.subject})$`)}`,
      );
    } else {
      out.push(`- Key ${code(id.name ?? '(unnamed)')}:\n\n\`\`\`\n${id.publicKey.trim()}\n\`\`\``);
    }
  }
  return out;
}

/** The trust section both documents share: CAs, logs, witnesses, OIDC issuers. */
export function trustLines(f: CustodyFacts): string[] {
  const out: string[] = [];
  out.push('Trusted OIDC issuers (the CA issues certificates only for their ID tokens):', '');
  if (f.oidcIssuers.length === 0)
    out.push('- none configured: keyless signing through this service is off');
  for (const i of f.oidcIssuers) out.push(`- ${code(i.issuer)} (audience ${code(i.audience)})`);
  if (f.emergencyIssuer) {
    out.push(
      `- emergency certificates (a second person approved each; OIDC outage only): ${code(f.emergencyIssuer)}`,
    );
  }
  out.push('', 'Certificate authorities of the trusted root:', '');
  if (f.trust.cas.length === 0) out.push('- none (signatures are made with registered keys)');
  for (const ca of f.trust.cas) {
    out.push(
      `- ${code(ca.commonName || ca.uri)} at ${code(ca.uri)}, root SHA-256 fingerprint ${code(ca.rootFingerprint)}${ca.validFrom ? `, valid from ${ca.validFrom}` : ''}`,
    );
  }
  out.push('', 'Transparency logs of the trusted root:', '');
  for (const l of f.trust.logs) {
    out.push(
      `- ${code(l.origin)} (${code(l.baseUrl)}): key SHA-256 ${code(l.keyFingerprint)}, log ID ${code(l.logId)}`,
    );
  }
  out.push('', 'Witnesses that cosign the log’s checkpoints:', '');
  if (f.witnesses.length === 0)
    out.push('- none configured (checkpoints carry the log’s signature only)');
  for (const w of f.witnesses) out.push(`- ${code(w.url)}: verifier key ${code(w.vkey)}`);
  return out;
}
